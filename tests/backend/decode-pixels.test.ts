// Node-side decoding (issue 7): every single-sample file of ../shared/data/MANIFEST.md with a
// lossless transfer syntax and a Pixel md5 decodes to exactly gdcm's stored values. The expected
// md5s are parsed from the MANIFEST tables, never copied into this test. Lossy 12-bit JPEG is
// compared with dcmtk's decoder within rounding.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePixels, pixelMd5, type DecodedFrame } from '../../electron/backend/dicom/decode-pixels';
import { readDicomHeader } from '../../electron/backend/dicom/read-header';
import { AppError } from '../../shared/ipc/result';
import { greyFilm } from './grey-film';
import { dicomData, sharedData } from './helpers';

interface ManifestRow {
  file: string; // relative to dicom/
  transferSyntaxUid: string;
  bits: string;
  md5: string | null;
  dcmdump: string;
}

/** The per-folder tables of MANIFEST.md ("### folder/" then rows whose first cell is `file`). */
export function manifestRows(): ManifestRow[] {
  const text = fs.readFileSync(path.join(sharedData, 'MANIFEST.md'), 'utf8');
  const rows: ManifestRow[] = [];
  let folder: string | null = null;
  for (const line of text.split('\n')) {
    const heading = /^### (\S+)\/\s/.exec(line);
    if (heading) folder = heading[1]!;
    if (!folder || !line.startsWith('| `')) continue;
    const cells = line.split(' | ').map((c) => c.replace(/^\|\s*/, '').trim());
    const md5 = cells[12] ?? '';
    rows.push({
      file: `${folder}/${cells[0]!.replaceAll('`', '')}`,
      transferSyntaxUid: (cells[5] ?? '').split(' ')[0]!,
      bits: cells[7] ?? '',
      md5: /^[0-9a-f]{32}$/.test(md5) ? md5 : null,
      dcmdump: cells[11] ?? '',
    });
  }
  return rows;
}

const LOSSLESS = new Set([
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.5',
]);

const rows = manifestRows();
const losslessWithMd5 = rows.filter((r) => r.md5 && LOSSLESS.has(r.transferSyntaxUid) && fs.existsSync(path.join(dicomData, r.file)));

/** Files the header reader refuses (the malformed set): their md5 cannot be reached through our reader. */
function readable(file: string): boolean {
  try {
    readDicomHeader(file);
    return true;
  } catch {
    return false;
  }
}

describe('decodePixels against the MANIFEST Pixel md5 (gdcm)', () => {
  it('parses the MANIFEST: all 303 files, and a lossless set that covers every lossless syntax', () => {
    expect(rows).toHaveLength(303);
    expect(new Set(losslessWithMd5.map((r) => r.transferSyntaxUid))).toEqual(LOSSLESS);
    expect(losslessWithMd5.length).toBeGreaterThan(80);
  });

  const cases = losslessWithMd5.filter((r) => readable(path.join(dicomData, r.file)));
  it.each(cases.map((r) => [r.file, r]))('%s', async (_name, row) => {
    const { md5 } = await pixelMd5(path.join(dicomData, row.file));
    expect(md5).toBe(row.md5);
  });

  it('gives every lossless syntax of the real hip radiograph RG2 the same pixels', async () => {
    const files = fs.readdirSync(path.join(dicomData, 'derived-local')).filter((f) => f.startsWith('RG2_from_JPLL_') && !/Baseline|JLSN|J2KI/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of [...files.map((x) => `derived-local/${x}`), 'nema-wg04/RG2_JPLL.dcm', 'nema-wg04/RG2_JLSL.dcm', 'derived-local/CD_WG04_RG/IMAGES/RG2J2KR']) {
      expect({ f, md5: (await pixelMd5(path.join(dicomData, f))).md5 }).toEqual({ f, md5: '06900ee4323a91b7f5ffab8655e3c845' });
    }
  });
});

describe('decodePixels frames and refusals', () => {
  it('decodes one frame of a multi-frame file (frame selector) and refuses a frame that is not there', async () => {
    const file = path.join(dicomData, 'dicomparser/encapsulated/multi-frame/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm');
    const [first, second] = [await decodePixels(file, 0), await decodePixels(file, 1)];
    expect(first.bytes.length).toBe(512 * 512 * 2);
    expect(Buffer.from(first.bytes).equals(Buffer.from(second.bytes))).toBe(false);
    // The same frame from the uncompressed copy of this CT.
    const native = await decodePixels(path.join(dicomData, 'dicomparser/encapsulated/multi-frame/CT0012.explicit_little_endian.dcm'), 1);
    expect(Buffer.from(second.bytes).equals(Buffer.from(native.bytes))).toBe(true);
    await expect(decodePixels(file, 2)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'Frame 2 does not exist: the image has 2 frame(s).' });
  });

  it('decodes a lossy JPEG baseline and JPEG 2000 radiograph to full-size frames close to gdcm', async () => {
    const baseline = await decodePixels(path.join(dicomData, 'derived-local/RG2_from_JPLL_JPEGBaseline8.dcm'));
    expect(baseline.bytes.length).toBe(2140 * 1760);
    const j2k = await decodePixels(path.join(dicomData, 'nema-wg04/RG1_J2KI.dcm'));
    expect(j2k.bytes.length).toBe(j2k.rows * j2k.columns * 2);
  });

  it.each([
    ['dcm4che/will-jxl.dcm', /JPEG XL JPEG Recompression \(1\.2\.840\.10008\.1\.2\.4\.111\)/],
    ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm', /JPEG Spectral Selection \(retired\)/],
    ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm', /JPEG Full Progression \(retired\)/],
  ])('refuses %s as an unsupported transfer syntax, naming it', async (file, message) => {
    const err = await decodePixels(path.join(dicomData, file)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'UNSUPPORTED_TRANSFER_SYNTAX', message: expect.stringMatching(message) });
  });
});

describe('JPEG extended (process 2/4) against dcmtk', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-jpeg12-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** dcmtk's decode of the same file (`+cg`: colour conversion guessed from the JFIF marker, as libjpeg does). */
  function dcmdjpeg(file: string): string {
    const out = path.join(work, `${path.basename(file)}.raw.dcm`);
    execFileSync('dcmdjpeg', ['+cg', file, out], { stdio: ['ignore', 'ignore', 'pipe'] });
    return out;
  }

  function samples(frame: DecodedFrame): ArrayLike<number> {
    const { bytes } = frame;
    return frame.bitsAllocated > 8 ? new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) : bytes;
  }

  function difference(ours: DecodedFrame, reference: DecodedFrame): { max: number; mean: number } {
    const [a, b] = [samples(ours), samples(reference)];
    expect(a.length).toBe(b.length);
    let max = 0;
    let sum = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      if (d > max) max = d;
      sum += d;
    }
    return { max, mean: sum / a.length };
  }

  it.each([
    ['nema-wg04/NM1_JPLY_fixed.dcm', 12],
    ['nema-wg04/RG2_JPLY_fixed.dcm', 12],
    // The same codestreams with an invalid SOS (Se = 0 in a sequential scan), which a lenient decoder reads.
    ['nema-wg04/NM1_JPLY.dcm', 12],
    ['nema-wg04/RG2_JPLY.dcm', 12],
    ['pydicom/JPGExtended.dcm', 12],
    ['fo-dicom/GH195.dcm', 8],
  ])('%s (%i-bit samples) decodes within rounding of dcmdjpeg', async (file, precision) => {
    const source = path.join(dicomData, file);
    const ours = await decodePixels(source);
    const reference = dcmdjpeg(source);
    const theirs = await decodePixels(reference);
    expect({ rows: ours.rows, columns: ours.columns, samplesPerPixel: ours.samplesPerPixel }).toEqual({
      rows: theirs.rows,
      columns: theirs.columns,
      samplesPerPixel: theirs.samplesPerPixel,
    });
    const { max, mean } = difference(ours, theirs);
    // Lossy: the inverse DCTs round differently (libjpeg's islow vs pdf.js's), by one step at most.
    expect(max).toBeLessThanOrEqual(precision === 12 ? 1 : 0);
    expect(mean).toBeLessThan(0.1);
    // The reference itself is gdcm's decode wherever the MANIFEST gives a Pixel md5.
    const row = rows.find((r) => r.file === file)!;
    if (row.md5) expect((await pixelMd5(reference)).md5).toBe(row.md5);
  });

  it('keeps the whole 12-bit range: black and white ends and a ramp, encoded by dcmcjpeg', async () => {
    const size = 64;
    const pixels = new Uint16Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) pixels[y * size + x] = y < 16 ? 0 : y >= 48 ? 4095 : Math.round((x / (size - 1)) * 4095);
    }
    const raw = path.join(work, 'range.dcm');
    fs.writeFileSync(raw, greyFilm(pixels, size, size));
    const jpeg = path.join(work, 'range-jpeg12.dcm');
    execFileSync('dcmcjpeg', ['--encode-extended', '--quality', '95', raw, jpeg]);
    expect(readDicomHeader(jpeg).transferSyntaxUid).toBe('1.2.840.10008.1.2.4.51');
    const [ours, theirs] = [await decodePixels(jpeg), await decodePixels(dcmdjpeg(jpeg))];
    // Away from the edges between bands (where lossy ringing is), both ends come back exact.
    const values = samples(ours);
    for (const [y, value] of [[4, 0], [60, 4095]] as const) {
      for (let x = 0; x < size; x++) expect({ x, y, value: values[y * size + x] }).toEqual({ x, y, value });
    }
    expect(difference(ours, theirs).max).toBeLessThanOrEqual(1);
  });
});
