// pdf.js's JpegImage as cornerstone-wado-image-loader 4.13 ships it (the decoder for 12-bit DCT
// JPEG, transfer syntax 1.2.840.10008.1.2.4.51) converts samples after the inverse DCT with the
// 8-bit level shift (2056 = 128·16 + 8) scaled by 4095/255, instead of 2048·16 + 8 for 12 bits:
// every 12-bit sample comes out 15 too high (measured against dcmtk's dcmdjpeg). Both the viewer's
// bundle (at build time) and the Node decoder (when it loads the chunk) get the same correction:
// for any precision P with max = 2^P − 1, sample = clamp((v + 8·max + 16) >> 4, 0, max), which is
// the original for P = 8. The replacement contains no quotes or newlines, because in the viewer's
// bundle the worker's source is a single-quoted string literal.

// L<=-2056/e.bitConversion?0:L>=2024/e.bitConversion?255/e.bitConversion:L+2056/e.bitConversion>>4
const SAMPLE_CONVERSION = /([\w$]+)<=-2056\/([\w$]+)\.bitConversion\?0:\1>=2024\/\2\.bitConversion\?255\/\2\.bitConversion:\1\+2056\/\2\.bitConversion>>4/g;

/** Rewrites the sample conversion; `sites` says how many were found (1 in each known file). */
export function fixJpeg12LevelShift(source: string): { code: string; sites: number } {
  let sites = 0;
  const code = source.replace(SAMPLE_CONVERSION, (_all, v: string, c: string) => {
    sites += 1;
    const max = `Math.round(255/${c}.bitConversion)`;
    return `Math.max(0,Math.min(${max},${v}+8*${max}+16>>4))`;
  });
  return { code, sites };
}
