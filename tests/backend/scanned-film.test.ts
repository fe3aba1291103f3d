// import:scannedFilm (issue 7): PNG, JPEG and TIFF scans become Secondary Capture images of the
// patient named in the form, uncalibrated; bad images leave nothing behind. Stored files are read
// back with dcmtk (dcmdump) and gdcm (gdcmraw), never only with our own reader.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestOf } from '../../shared/ipc/contract';
import { dcmdumpTopLevel } from './dcmdump';
import { sharedData, testBackend, type TestBackend } from './helpers';

const xrayJpeg = path.join(sharedData, 'xray/radoss-creative-commons/331_DDH_1.jpg');

let t: TestBackend | undefined;
let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-scan-'));
});
afterEach(() => {
  t?.dispose();
  t = undefined;
  fs.rmSync(work, { recursive: true, force: true });
});

const form = (file: string, over: Partial<RequestOf<'import:scannedFilm'>> = {}): RequestOf<'import:scannedFilm'> => ({
  path: file,
  patient: { patientId: 'SCAN-1', name: 'Müller^Anna', birthDate: '1961-04-02', sex: 'F' },
  studyDate: '2019-03-14',
  studyDescription: 'Long leg standing, scanned',
  laterality: 'R',
  ...over,
});

/** A ramp that uses the whole range of the sample type, so a byte-order or scaling slip shows. */
function writePng(file: string, width: number, height: number, opts: { bitDepth: 8 | 16; colorType: 0 | 2 | 6; sample: (x: number, y: number, c: number) => number }) {
  const png = new PNG({ width, height, bitDepth: opts.bitDepth, colorType: opts.colorType, inputColorType: 6, inputHasAlpha: true });
  const data = opts.bitDepth === 16 ? new Uint16Array(width * height * 4) : png.data;
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 4; c++) data[(y * width + x) * 4 + c] = c === 3 ? (opts.bitDepth === 16 ? 65535 : 255) : opts.sample(x, y, c);
  if (opts.bitDepth === 16) (png as unknown as { data: Uint16Array }).data = data as Uint16Array;
  fs.writeFileSync(file, PNG.sync.write(png, { bitDepth: opts.bitDepth, colorType: opts.colorType, inputColorType: 6, inputHasAlpha: true }));
}

/** A dcmdump value without its padding (a space for text, NUL for UIDs). */
const value = (tags: ReturnType<typeof dcmdumpTopLevel>, tag: string) => tags.get(tag)?.value?.replace(/[\0 ]+$/, '') ?? null;

function rawPixels(dicomFile: string): Buffer {
  const out = path.join(work, `raw-${Math.random().toString(36).slice(2)}`);
  execFileSync('gdcmraw', ['-i', dicomFile, '-o', out, '-t', '7fe0,0010'], { timeout: 30_000, stdio: 'ignore' });
  return fs.readFileSync(out);
}

function nothingKept(backend: TestBackend) {
  expect(backend.storeFiles()).toEqual([]);
  expect(fs.readdirSync(path.join(backend.dataDir, 'staging'))).toEqual([]);
}

describe('import:scannedFilm', () => {
  it('turns a 16-bit grey PNG into an uncalibrated digitized-film Secondary Capture of the named patient', async () => {
    t = testBackend();
    const file = path.join(work, 'film.png');
    const [w, h] = [37, 23];
    const ramp = (x: number, y: number) => (x * 1777 + y * 263 + 11) & 0xffff;
    writePng(file, w, h, { bitDepth: 16, colorType: 0, sample: ramp });
    const report = await t.value('import:scannedFilm', form(file, { jobId: 'scan-1' }));
    expect(report.skipped).toEqual([]);
    expect(report.imported).toHaveLength(1);
    expect(report.imported[0]!.path).toBe(file);
    const stored = t.backend.resolveImagePath(report.imported[0]!.imageId);
    const tags = dcmdumpTopLevel(stored);
    const v = (tag: string) => value(tags, tag);
    expect(v('0008,0016')).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(v('0008,0064')).toBe('DF');
    expect(v('0008,0060')).toBe('OT');
    expect(v('0010,0010')).toBe('Müller^Anna');
    expect(v('0010,0020')).toBe('SCAN-1');
    expect(v('0010,0030')).toBe('19610402');
    expect(v('0008,0020')).toBe('20190314');
    expect(v('0020,0060')).toBe('R');
    expect(v('0028,0004')).toBe('MONOCHROME2');
    expect([v('0028,0010'), v('0028,0011'), v('0028,0100'), v('0028,0101')]).toEqual(['23', '37', '16', '16']);
    for (const spacing of ['0028,0030', '0018,1164', '0018,1114']) expect(tags.has(spacing)).toBe(false);
    const expected = Buffer.alloc(w * h * 2);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expected.writeUInt16LE(ramp(x, y), (y * w + x) * 2);
    expect(rawPixels(stored).equals(expected)).toBe(true);
    const detail = await t.value('library:getImage', { imageId: report.imported[0]!.imageId });
    expect(detail.patient).toMatchObject({ patientId: 'SCAN-1', name: 'Müller^Anna', birthDate: '19610402', sex: 'F' });
    expect(detail.study).toMatchObject({ studyDate: '20190314', description: 'Long leg standing, scanned' });
    expect(detail.header.pixelSpacing).toBeNull();
    expect(detail.header.imagerPixelSpacing).toBeNull();
    expect(fs.readdirSync(path.join(t.dataDir, 'staging'))).toEqual([]);
    expect(t.events.at(-1)).toMatchObject({ jobId: 'scan-1', filesDone: 1, filesTotal: 1 });
  });

  it('keeps RGB whose pixels are all grey as one grey sample, and real colour as RGB', async () => {
    t = testBackend();
    const grey = path.join(work, 'grey-as-rgb.png');
    writePng(grey, 8, 5, { bitDepth: 8, colorType: 2, sample: (x, y) => x * 30 + y });
    const colour = path.join(work, 'colour.png');
    writePng(colour, 8, 5, { bitDepth: 8, colorType: 2, sample: (x, y, c) => (x * 30 + y + c * 7) & 0xff });
    const a = await t.value('import:scannedFilm', form(grey));
    const b = await t.value('import:scannedFilm', form(colour, { laterality: 'B' }));
    const aFile = t.backend.resolveImagePath(a.imported[0]!.imageId);
    const bFile = t.backend.resolveImagePath(b.imported[0]!.imageId);
    expect(value(dcmdumpTopLevel(aFile), '0028,0004')).toBe('MONOCHROME2');
    expect([...rawPixels(aFile)].slice(0, 8)).toEqual([0, 30, 60, 90, 120, 150, 180, 210]);
    const bTags = dcmdumpTopLevel(bFile);
    expect([value(bTags, '0028,0004'), value(bTags, '0028,0002'), value(bTags, '0028,0006')]).toEqual(['RGB', '3', '0']);
    expect([...rawPixels(bFile)].slice(0, 6)).toEqual([0, 7, 14, 30, 37, 44]);
    // Both legs: Image Laterality B (Laterality allows only R or L).
    expect(value(bTags, '0020,0062')).toBe('B');
    expect(bTags.has('0020,0060')).toBe(false);
    // The same patient ID: both films are under one patient.
    expect(await t.value('library:listPatients', {})).toHaveLength(1);
  });

  it('embeds a JPEG byte for byte as JPEG Baseline, which dcmtk decodes', async () => {
    t = testBackend();
    const report = await t.value('import:scannedFilm', form(xrayJpeg));
    const stored = t.backend.resolveImagePath(report.imported[0]!.imageId);
    const tags = dcmdumpTopLevel(stored);
    expect(value(tags, '0002,0010')).toBe('1.2.840.10008.1.2.4.50');
    // 4:2:0 chroma subsampling in the JFIF: YBR_FULL_422 (PS3.5 §8.2.1).
    expect(value(tags, '0028,0004')).toBe('YBR_FULL_422');
    expect([value(tags, '0028,0010'), value(tags, '0028,0011')]).toEqual(['331', '331']);
    expect(value(tags, '0028,2110')).toBe('01');
    const fragments = path.join(work, 'frag');
    execFileSync('gdcmraw', ['-i', stored, '-o', fragments, '-t', '7fe0,0010', '-S'], { timeout: 30_000, stdio: 'ignore' });
    const pieces = fs.readdirSync(work).filter((f) => f.startsWith('frag'));
    expect(pieces).toHaveLength(1);
    const jpeg = fs.readFileSync(xrayJpeg);
    const fragment = fs.readFileSync(path.join(work, pieces[0]!));
    // An odd-length JPEG gets one padding byte (PS3.5 §A.4); the codestream itself is untouched.
    expect(fragment.subarray(0, jpeg.length).equals(jpeg)).toBe(true);
    expect(fragment.length - jpeg.length).toBe(jpeg.length % 2);
    // dcmtk's own JPEG decoder reads it back to 331 × 331 RGB pixels.
    const decoded = path.join(work, 'decoded.dcm');
    execFileSync('dcmdjpeg', [stored, decoded], { timeout: 30_000, stdio: 'ignore' });
    expect(value(dcmdumpTopLevel(decoded), '0028,0004')).toBe('RGB');
    expect(rawPixels(decoded).length).toBe(331 * 331 * 3 + 1); // odd length padded to even
  });

  it('imports an uncompressed 8-bit TIFF; WhiteIsZero becomes MONOCHROME2 with the same look', async () => {
    t = testBackend();
    const file = path.join(work, 'film.tif');
    const [w, h] = [9, 4];
    const pixels = Uint8Array.from({ length: w * h }, (_, i) => (i * 7) & 0xff);
    fs.writeFileSync(file, minimalTiff(w, h, pixels, 0));
    const report = await t.value('import:scannedFilm', form(file));
    const stored = t.backend.resolveImagePath(report.imported[0]!.imageId);
    expect(value(dcmdumpTopLevel(stored), '0028,0004')).toBe('MONOCHROME2');
    expect([...rawPixels(stored)]).toEqual([...pixels].map((p) => 255 - p));
    const blackIsZero = path.join(work, 'b.tif');
    fs.writeFileSync(blackIsZero, minimalTiff(w, h, pixels, 1));
    const second = await t.value('import:scannedFilm', form(blackIsZero));
    expect([...rawPixels(t.backend.resolveImagePath(second.imported[0]!.imageId))]).toEqual([...pixels]);
  });

  it.each([
    ['a text file', 'notes.png', () => Buffer.from('this is not an image'), /not a PNG, JPEG or TIFF image/],
    ['an empty file', 'empty.png', () => Buffer.alloc(0), /empty \(0 bytes\)/],
    ['a truncated PNG', 'cut.png', () => pngBytes().subarray(0, 60), /damaged or truncated PNG/],
    ['a truncated JPEG', 'cut.jpg', () => fs.readFileSync(xrayJpeg).subarray(0, 5000), /truncated JPEG: its end-of-image marker is missing/],
    ['a JPEG cut inside its header', 'head.jpg', () => fs.readFileSync(xrayJpeg).subarray(0, 30), /truncated JPEG/],
    ['a progressive JPEG', 'progressive.jpg', () => asProgressive(fs.readFileSync(xrayJpeg)), /progressive JPEG.*Save the scan as PNG or as a baseline JPEG/],
    ['a PNG of zero width', 'zero.png', () => withIhdr(pngBytes(), 0, 10), /0 × 10 pixels: there is no image/],
    ['a PNG claiming 60000 × 60000 16-bit pixels', 'huge.png', () => withIhdr(pngBytes(16), 60000, 60000), /60000 × 60000 pixels \(26\.8 GB of pixels\): too large/],
    ['a PNG wider than DICOM allows', 'wide.png', () => withIhdr(pngBytes(), 70000, 10), /at most 65535 pixels a side/],
    ['a DICOM file', 'film.dcm', () => fs.readFileSync(path.join(sharedData, 'dicom/derived-local/CD_WG04_RG/IMAGES/RG2J2KR')), /DICOM files go through "Import files"/],
  ])('refuses %s with a clear message and keeps nothing', async (_what, name, bytes, message) => {
    t = testBackend();
    const file = path.join(work, name);
    fs.writeFileSync(file, bytes());
    const result = await t.call('import:scannedFilm', form(file));
    expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(message) } });
    nothingKept(t);
    expect(await t.value('library:listPatients', {})).toEqual([]);
  });

  it('refuses a missing file and an invalid form through the contract', async () => {
    t = testBackend();
    expect(await t.call('import:scannedFilm', form(path.join(work, 'nope.png')))).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const file = path.join(work, 'ok.png');
    fs.writeFileSync(file, pngBytes());
    expect(await t.call('import:scannedFilm', form(file, { studyDate: '14/03/2019' }))).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: /studyDate/ } });
    expect(await t.call('import:scannedFilm', form(file, { patient: { patientId: ' ', name: 'A', birthDate: null, sex: null } }))).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    nothingKept(t);
  });
});

function pngBytes(bitDepth: 8 | 16 = 8): Buffer {
  const png = new PNG({ width: 4, height: 4, bitDepth: 8, colorType: 0, inputColorType: 6 });
  png.data.fill(128);
  return PNG.sync.write(png, { colorType: 0, bitDepth, inputColorType: 6 });
}

/** Rewrites the IHDR width and height (and its CRC, so only the size is wrong). */
function withIhdr(png: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(png);
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

function asProgressive(jpeg: Buffer): Buffer {
  const out = Buffer.from(jpeg);
  const sof = out.indexOf(Buffer.from([0xff, 0xc0]));
  out[sof + 1] = 0xc2;
  return out;
}

/** An uncompressed single-strip 8-bit grey TIFF (TIFF 6.0 baseline), little endian. */
function minimalTiff(width: number, height: number, pixels: Uint8Array, photometric: 0 | 1): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, width],
    [257, 3, 1, height],
    [258, 3, 1, 8],
    [259, 3, 1, 1],
    [262, 3, 1, photometric],
    [273, 4, 1, 0], // strip offset, patched below
    [277, 3, 1, 1],
    [278, 3, 1, height],
    [279, 4, 1, pixels.length],
  ];
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = 8 + ifdSize;
  const out = Buffer.alloc(dataOffset + pixels.length);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(8, 4);
  out.writeUInt16LE(entries.length, 8);
  entries.forEach(([tag, type, count, value], i) => {
    const p = 10 + i * 12;
    out.writeUInt16LE(tag, p);
    out.writeUInt16LE(type, p + 2);
    out.writeUInt32LE(count, p + 4);
    if (tag === 273) out.writeUInt32LE(dataOffset, p + 8);
    else if (type === 3) out.writeUInt16LE(value, p + 8);
    else out.writeUInt32LE(value, p + 8);
  });
  out.set(pixels, dataOffset);
  return out;
}
