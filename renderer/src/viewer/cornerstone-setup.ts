// cornerstone-core + cornerstone-wado-image-loader, configured once. Decoding runs in the loader's
// blob: web workers with the codec packages compiled in (JPEG baseline/lossless, JPEG-LS,
// JPEG 2000, RLE); CSP allows exactly that: worker-src blob:, script-src 'wasm-unsafe-eval'.
import cornerstone, { type CornerstoneImage } from 'cornerstone-core';
import cornerstoneWADOImageLoader from 'cornerstone-wado-image-loader';
import dicomParser from 'dicom-parser';
import { unsupportedTransferSyntaxMessage, VIEWER_TRANSFER_SYNTAXES } from '../../../shared/dicom/transfer-syntax';

let initialised = false;

export function initCornerstone(): typeof cornerstone {
  if (initialised) return cornerstone;
  initialised = true;
  cornerstoneWADOImageLoader.external.cornerstone = cornerstone;
  cornerstoneWADOImageLoader.external.dicomParser = dicomParser;
  cornerstoneWADOImageLoader.configure({ useWebWorkers: true, decodeConfig: { convertFloatPixelDataToInt: false } });
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  cornerstoneWADOImageLoader.webWorkerManager.initialize({
    maxWebWorkers: Math.max(1, Math.min(4, cores)),
    startWebWorkersOnDemand: true,
    taskConfiguration: { decodeTask: { initializeCodecsOnStartup: false, strict: false } },
  });
  // A 3000×9000 16-bit film is 54 MB decoded; keep a handful of films warm, not the whole library.
  cornerstone.imageCache.setMaximumSizeBytes(768 * 1024 * 1024);
  return cornerstone;
}

/** The loader's image id; its `frame=` parameter is 0-based in 4.x (getPixelData(dataSet, frame)), like this app's frames. */
export function imageIdFor(url: string, frame = 0): string {
  return frame > 0 ? `wadouri:${url}${url.includes('?') ? '&' : '?'}frame=${frame}` : `wadouri:${url}`;
}

export class ImageLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageLoadError';
  }
}

export interface LoadOptions {
  modality: string | null;
  /** From the library record: an encoding the loader cannot decode is refused before any fetch. */
  transferSyntaxUid?: string | null;
  /** 0-based frame of a multi-frame image. */
  frame?: number;
  timeoutMs?: number;
}

/**
 * Loads and decodes one image. The loader never settles on a file without Modality (0008,0060)
 * (architecture.md §7), so such files are refused up front with a clear message, and any load
 * that outlives `timeoutMs` is reported instead of leaving a spinner forever.
 */
export async function loadDicomImage(url: string, opts: LoadOptions): Promise<CornerstoneImage> {
  if (!opts.modality || opts.modality.trim() === '') {
    throw new ImageLoadError('This file has no Modality (0008,0060), which the image decoder cannot handle. Re-export it from the source system with the modality set.');
  }
  if (opts.transferSyntaxUid && !VIEWER_TRANSFER_SYNTAXES.has(opts.transferSyntaxUid)) {
    throw new ImageLoadError(unsupportedTransferSyntaxMessage(opts.transferSyntaxUid));
  }
  const cs = initCornerstone();
  const imageId = imageIdFor(url, opts.frame ?? 0);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ImageLoadError(`Decoding the image did not finish within ${Math.round(timeoutMs / 1000)} s.`)), timeoutMs);
  });
  try {
    const image = await Promise.race([cs.loadAndCacheImage(imageId), timeout]);
    checkDecodedSize(image);
    if (!prepared.has(image)) {
      // The loader's cache hands back the same object on every open: adjust it once.
      prepared.add(image);
      unsignedModalityLutData(image);
      applyModalityLutWindow(cs, image);
      indexModalityLutByStoredValue(image);
    }
    return image;
  } catch (err) {
    // A failed decode stays in cornerstone's cache: drop it so opening the image again really retries.
    try {
      cs.imageCache.removeImageLoadObject(imageId);
    } catch {
      // not cached (refused before loading)
    }
    if (err instanceof ImageLoadError) throw err;
    throw new ImageLoadError(describeLoadFailure(err));
  } finally {
    clearTimeout(timer);
  }
}

const prepared = new WeakSet<CornerstoneImage>();

/**
 * LUT Data (0028,3006) is unsigned (US/OW), but the loader reads it as int16 when the pixels are
 * signed: a Modality LUT from 0 to 65535 on a signed image came out as 0…32767, −32768…−1.
 */
function unsignedModalityLutData(image: CornerstoneImage): void {
  const lut = image.modalityLUT;
  if (!lut || !Array.isArray(lut.lut) || !lut.lut.some((v) => v < 0)) return;
  const wrap = lut.numBitsPerEntry <= 8 ? 0x100 : 0x10000;
  image.modalityLUT = { ...lut, lut: lut.lut.map((v) => (v < 0 ? v + wrap : v)) };
}

/**
 * cornerstone-core 2.6 looks a Modality LUT entry up as `lut[storedValue]`, ignoring the LUT
 * descriptor's first value mapped (its generateNonLinearModalityLUT): any LUT that does not start
 * at 0, like a signed image's starting at -2048, shows the wrong grey for every pixel. Re-key the
 * table by stored value in an array-like whose length stays the entry count, which cornerstone uses
 * for its range check. (Its clamp values for stored values outside the LUT, lut[0] and
 * lut[length - 1], are then not the first and last entries; DICOM LUTs cover the stored range.)
 */
function indexModalityLutByStoredValue(image: CornerstoneImage): void {
  const lut = image.modalityLUT;
  if (!lut || !Array.isArray(lut.lut) || lut.firstValueMapped === 0) return;
  const byStoredValue: Record<number, number> & { length: number } = { length: lut.lut.length };
  for (let i = 0; i < lut.lut.length; i++) byStoredValue[lut.firstValueMapped + i] = lut.lut[i]!;
  image.modalityLUT = { ...lut, lut: byStoredValue as unknown as number[] };
}

/**
 * A damaged JPEG 2000 stream can "decode" to an empty frame; cornerstone would then throw inside its
 * render loop and never draw. Refuse it here, where the viewer can still say what happened.
 */
function checkDecodedSize(image: CornerstoneImage): void {
  const rows = image.rows;
  const columns = image.columns;
  const length = image.getPixelData()?.length ?? 0;
  if (!(rows > 0 && columns > 0 && image.width > 0 && image.height > 0) || length < rows * columns) {
    throw new ImageLoadError(
      `The image could not be decoded (the file may be damaged): the decoder returned ${length} pixel values for a ${columns} × ${rows} image.`,
    );
  }
}

/**
 * With no window in the header, the loader derives one from the stored range through the rescale,
 * which is meaningless when a Modality LUT (the sequence form) maps stored values instead: the
 * image would show as one flat grey. Window the LUT's output over the stored range, as dcmtk's
 * min-max window does.
 */
function applyModalityLutWindow(cs: typeof cornerstone, image: CornerstoneImage): void {
  const lut = image.modalityLUT;
  if (!lut || !Array.isArray(lut.lut) || lut.lut.length === 0 || image.color) return;
  // (runs before indexModalityLutByStoredValue: entries are still relative to firstValueMapped)
  const voi = cs.metaData.get('voiLutModule', image.imageId) as { windowCenter?: unknown } | undefined;
  if (voi && voi.windowCenter !== undefined && voi.windowCenter !== null && voi.windowCenter !== '') return;
  const last = lut.lut.length - 1;
  let lo = Infinity;
  let hi = -Infinity;
  for (let v = Math.floor(image.minPixelValue); v <= Math.ceil(image.maxPixelValue); v++) {
    const out = lut.lut[Math.max(0, Math.min(last, v - lut.firstValueMapped))]!;
    if (out < lo) lo = out;
    if (out > hi) hi = out;
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return;
  image.windowWidth = Math.max(1, hi - lo);
  image.windowCenter = (hi + lo) / 2;
}

/** Every message-like string in a rejection, whatever its shape (Error, worker result object, string). */
function rejectionText(err: unknown, depth = 0): string {
  if (depth > 3 || err === null || err === undefined) return '';
  if (typeof err === 'string') return err;
  if (err instanceof Error) return `${err.message} ${rejectionText((err as { cause?: unknown }).cause, depth + 1)}`;
  if (typeof err === 'object') {
    const o = err as Record<string, unknown>;
    return ['message', 'error', 'result', 'reason'].map((k) => rejectionText(o[k], depth + 1)).join(' ');
  }
  return '';
}

function describeLoadFailure(err: unknown): string {
  // The loader rejects with assorted shapes: Error, { error: XMLHttpRequest }, strings.
  const noDecoder = /no decoder for transfer syntax\s+([0-9.]+)/i.exec(rejectionText(err));
  if (noDecoder) return unsupportedTransferSyntaxMessage(noDecoder[1]!);
  if (err instanceof Error) return `The image could not be decoded (the file may be damaged): ${err.message}`;
  const e = err as { error?: { status?: number; message?: string } | string; message?: string } | string | undefined;
  if (typeof e === 'string') return `The image could not be decoded: ${e}`;
  if (e && typeof e.error === 'object' && e.error && typeof e.error.status === 'number') {
    return e.error.status === 404 ? 'The image file is missing from the library store.' : `The image could not be fetched (HTTP ${e.error.status}).`;
  }
  if (e && typeof e.error === 'string') return `The image could not be decoded: ${e.error}`;
  if (e && typeof e.message === 'string') return `The image could not be decoded: ${e.message}`;
  return 'The image could not be decoded.';
}
