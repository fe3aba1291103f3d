// Scanned films (issue 7): a PNG, JPEG or TIFF of a film on a light box or from a film digitiser
// becomes a Secondary Capture image (PS3.3 A.8.1) of the patient the user names, so it lands in
// the same library model as any DICOM image. It carries NO spacing tags: a scan's dots per inch
// say nothing about millimetres at the patient, so it stays uncalibrated until the user
// calibrates it on a known length (clinical-spec §4).
//
// JPEG files are embedded byte for byte as one encapsulated fragment (PS3.5 §A.4) under the JPEG
// transfer syntax their frame header names, so no second lossy step touches the image. PNG and
// TIFF are decoded to native pixels (8- or 16-bit grey, or 8-bit RGB).
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { decode as decodeTiff } from 'tiff';
import { AppError } from '../../../shared/ipc/result';
import { MAX_PIXEL_DATA_BYTES } from './read-header';
import { newUid, writeDicomFile, type DicomElement } from './write-dicom';

export const SECONDARY_CAPTURE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';
export const SUPPORTED_SCAN_FORMATS = 'PNG, JPEG or TIFF';
/** Larger files are not a film scan (a 43 × 129 cm film at 300 dpi in 16-bit grey is about 150 MB). */
const MAX_SCAN_FILE_BYTES = 1024 * 1024 * 1024;

export interface ScannedFilmForm {
  patient: { patientId: string; name: string; birthDate: string | null; sex: 'M' | 'F' | 'O' | null };
  studyDate: string; // YYYY-MM-DD
  studyDescription: string | null;
  laterality: 'L' | 'R' | 'B' | null;
}

export type ScanFormat = 'png' | 'jpeg' | 'tiff';

interface NativeImage {
  kind: 'native';
  rows: number;
  columns: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  bits: 8 | 16;
  /** Interleaved samples (RGB: r,g,b per pixel). */
  pixels: Uint8Array | Uint16Array;
}

interface JpegImage {
  kind: 'jpeg';
  rows: number;
  columns: number;
  photometric: 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422';
  precision: number;
  samples: number;
  transferSyntaxUid: string;
  bytes: Uint8Array;
}

export type ScannedImage = NativeImage | JpegImage;

const bad = (message: string) => new AppError('INVALID_INPUT', message);

export function detectScanFormat(bytes: Uint8Array): ScanFormat | null {
  const b = bytes;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0x00) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a))) return 'tiff';
  return null;
}

function checkSize(rows: number, columns: number, bytesPerPixel: number, what: string): void {
  if (!Number.isInteger(rows) || !Number.isInteger(columns) || rows <= 0 || columns <= 0) {
    throw bad(`The ${what} says it is ${columns} × ${rows} pixels: there is no image in it.`);
  }
  if (rows > 0xffff || columns > 0xffff) {
    throw bad(`The ${what} is ${columns} × ${rows} pixels; a DICOM image holds at most 65535 pixels a side. Scan the film at a lower resolution.`);
  }
  if (rows * columns * bytesPerPixel > MAX_PIXEL_DATA_BYTES) {
    throw bad(`The ${what} is ${columns} × ${rows} pixels (${((rows * columns * bytesPerPixel) / 2 ** 30).toFixed(1)} GB of pixels): too large, refused.`);
  }
}

// ---------------------------------------------------------------------------------------------
// PNG

function readPng(bytes: Uint8Array, name: string): NativeImage {
  // IHDR is the first chunk (PNG spec §11.2.2): check the size before pngjs allocates RGBA for it.
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw bad(`${name} is not a valid PNG: its header chunk is missing.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24]!;
  checkSize(height, width, depth === 16 ? 8 : 4, `PNG ${name}`);
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: depth === 16 });
  } catch (err) {
    throw bad(`${name} is a damaged or truncated PNG: ${(err as Error).message}.`);
  }
  const colour = (png as unknown as { color?: boolean }).color ?? false;
  const palette = (png as unknown as { palette?: boolean }).palette ?? false;
  const rgba = png.data as unknown as Uint8Array | Uint16Array;
  const bits: 8 | 16 = rgba instanceof Uint16Array ? 16 : 8;
  return fromRgba(rgba, png.height, png.width, bits, colour || palette);
}

/**
 * Keeps grey as one sample. Colour images whose pixels are all grey (scanners often save grey
 * films as RGB) become grey too, so windowing works on them. Alpha is dropped: a film has none.
 */
function fromRgba(rgba: Uint8Array | Uint16Array, rows: number, columns: number, bits: 8 | 16, colour: boolean): NativeImage {
  const n = rows * columns;
  let grey = true;
  if (colour) {
    for (let i = 0; i < n && grey; i++) {
      const p = i * 4;
      if (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2]) grey = false;
    }
  }
  if (grey) {
    const out = bits === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = rgba[i * 4]!;
    return { kind: 'native', rows, columns, photometric: 'MONOCHROME2', bits, pixels: out };
  }
  // Colour stays 8-bit: a colour photograph of a film has no more than 8 bits of real signal.
  const out = new Uint8Array(n * 3);
  const shift = bits === 16 ? 8 : 0;
  for (let i = 0; i < n; i++) {
    out[i * 3] = rgba[i * 4]! >> shift;
    out[i * 3 + 1] = rgba[i * 4 + 1]! >> shift;
    out[i * 3 + 2] = rgba[i * 4 + 2]! >> shift;
  }
  return { kind: 'native', rows, columns, photometric: 'RGB', bits: 8, pixels: out };
}

// ---------------------------------------------------------------------------------------------
// JPEG: only the frame header is read (ITU-T T.81 §B.2)

const SOF_TRANSFER_SYNTAX: Record<number, string> = {
  0xc0: '1.2.840.10008.1.2.4.50', // baseline
  0xc1: '1.2.840.10008.1.2.4.51', // extended sequential, Huffman
  0xc3: '1.2.840.10008.1.2.4.57', // lossless, Huffman
};

export function readJpeg(bytes: Uint8Array, name: string): JpegImage {
  let p = 2;
  let frame: { marker: number; precision: number; rows: number; columns: number; ids: number[]; sampling: number[] } | null = null;
  let adobeTransform: number | null = null;
  let scanStart = -1;
  while (p < bytes.length) {
    if (bytes[p] !== 0xff) throw bad(`${name} is a damaged JPEG: no marker at byte ${p}.`);
    while (bytes[p] === 0xff) p++; // fill bytes
    const marker = bytes[p++];
    if (marker === undefined) break;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) break;
    if (p + 2 > bytes.length) break;
    const length = (bytes[p]! << 8) | bytes[p + 1]!;
    if (length < 2 || p + length > bytes.length) throw bad(`${name} is a truncated JPEG: a header segment runs past the end of the file.`);
    const seg = bytes.subarray(p + 2, p + length);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (seg.length < 6) throw bad(`${name} is a damaged JPEG: its frame header is too short.`);
      const nc = seg[5]!;
      if (seg.length < 6 + nc * 3) throw bad(`${name} is a damaged JPEG: its frame header is too short.`);
      frame = {
        marker,
        precision: seg[0]!,
        rows: (seg[1]! << 8) | seg[2]!,
        columns: (seg[3]! << 8) | seg[4]!,
        ids: Array.from({ length: nc }, (_, i) => seg[6 + i * 3]!),
        sampling: Array.from({ length: nc }, (_, i) => seg[7 + i * 3]!),
      };
    } else if (marker === 0xee && seg.length >= 12 && String.fromCharCode(...seg.subarray(0, 5)) === 'Adobe') {
      adobeTransform = seg[11]!;
    } else if (marker === 0xda) {
      scanStart = p + length;
      break;
    }
    p += length;
  }
  if (!frame) throw bad(`${name} is a damaged or truncated JPEG: it has no frame header.`);
  if (scanStart < 0) throw bad(`${name} is a truncated JPEG: it ends before its image data.`);
  // Entropy-coded data escapes 0xFF as FF00, so FFD9 after the scan start is the end marker.
  let end = bytes.length - 1;
  while (end > scanStart && bytes[end] === 0x00) end--; // zero padding after EOI is harmless
  if (!(bytes[end - 1] === 0xff && bytes[end] === 0xd9)) throw bad(`${name} is a truncated JPEG: its end-of-image marker is missing.`);

  const ts = SOF_TRANSFER_SYNTAX[frame.marker];
  if (!ts) {
    const kind = frame.marker === 0xc2 ? 'a progressive JPEG' : frame.marker >= 0xc9 ? 'an arithmetic-coded JPEG' : 'a hierarchical JPEG';
    throw bad(`${name} is ${kind}, which DICOM viewers cannot show without converting it. Save the scan as PNG or as a baseline JPEG and import that.`);
  }
  const samples = frame.ids.length;
  if (samples !== 1 && samples !== 3) throw bad(`${name} has ${samples} colour components (CMYK?); save the scan as grey or RGB.`);
  if (frame.precision !== 8 && !(frame.precision === 12 && frame.marker === 0xc1) && frame.marker !== 0xc3) {
    throw bad(`${name} has ${frame.precision}-bit samples, which its JPEG process does not allow.`);
  }
  checkSize(frame.rows, frame.columns, samples * (frame.precision > 8 ? 2 : 1), `JPEG ${name}`);
  let photometric: JpegImage['photometric'] = 'MONOCHROME2';
  if (samples === 3) {
    // PS3.5 §8.2.1: YBR_FULL_422 when chroma is subsampled, YBR_FULL when it is not; RGB when the
    // JPEG holds RGB itself (Adobe transform 0 or components named R, G, B), and always for lossless.
    const rgbNamed = frame.ids[0] === 0x52 && frame.ids[1] === 0x47 && frame.ids[2] === 0x42;
    if (frame.marker === 0xc3 || adobeTransform === 0 || rgbNamed) photometric = 'RGB';
    else photometric = frame.sampling.every((s) => s === frame.sampling[0]) ? 'YBR_FULL' : 'YBR_FULL_422';
  }
  return {
    kind: 'jpeg',
    rows: frame.rows,
    columns: frame.columns,
    photometric,
    precision: frame.precision,
    samples,
    transferSyntaxUid: ts,
    bytes: bytes.subarray(0, end + 1),
  };
}

// ---------------------------------------------------------------------------------------------
// TIFF

function readTiff(bytes: Uint8Array, name: string): NativeImage {
  let ifds: ReturnType<typeof decodeTiff>;
  try {
    ifds = decodeTiff(bytes, { ignoreImageData: true, pages: [0] });
  } catch (err) {
    throw bad(`${name} is a damaged or unsupported TIFF: ${(err as Error).message}.`);
  }
  const head = ifds[0];
  if (!head) throw bad(`${name} is a TIFF with no image in it.`);
  const samples = head.samplesPerPixel;
  const bitsPerSample = head.bitsPerSample;
  if (bitsPerSample !== 8 && bitsPerSample !== 16) throw bad(`${name} has ${bitsPerSample}-bit samples; only 8- and 16-bit TIFF scans are supported.`);
  checkSize(head.height, head.width, Math.max(1, samples) * (bitsPerSample / 8), `TIFF ${name}`);
  let page;
  try {
    page = decodeTiff(bytes, { pages: [0] })[0]!;
  } catch (err) {
    throw bad(`${name} is a damaged or unsupported TIFF: ${(err as Error).message}.`);
  }
  const { width: columns, height: rows } = page;
  const n = rows * columns;
  const data = page.data;
  if (data instanceof Float32Array || data instanceof Float64Array || page.sampleFormat === 3) throw bad(`${name} holds floating-point samples, which is not a scanned film.`);
  if (data.length < n * samples) throw bad(`${name} is a truncated TIFF: it holds ${data.length} samples for ${n} pixels.`);
  const bits: 8 | 16 = data instanceof Uint16Array ? 16 : 8;
  const photometric = page.type; // 0 WhiteIsZero, 1 BlackIsZero, 2 RGB, 3 palette (TIFF 6.0 §3-5)
  if ((photometric === 0 || photometric === 1) && samples >= 1) {
    const out = bits === 16 ? new Uint16Array(n) : new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = data[i * samples]!;
    // The tiff decoder has already turned WhiteIsZero into black-is-zero values (max - v), so both
    // arrive here as MONOCHROME2 and look the same as the scan.
    return { kind: 'native', rows, columns, photometric: 'MONOCHROME2', bits, pixels: out };
  }
  if (photometric === 2 && samples >= 3) {
    const rgba = bits === 16 ? new Uint16Array(n * 4) : new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      rgba[i * 4] = data[i * samples]!;
      rgba[i * 4 + 1] = data[i * samples + 1]!;
      rgba[i * 4 + 2] = data[i * samples + 2]!;
    }
    return fromRgba(rgba, rows, columns, bits, true);
  }
  if (photometric === 3 && page.palette) {
    const palette = page.palette;
    const rgba = new Uint16Array(n * 4);
    for (let i = 0; i < n; i++) {
      const entry = palette[data[i]!] ?? [0, 0, 0];
      rgba[i * 4] = entry[0];
      rgba[i * 4 + 1] = entry[1];
      rgba[i * 4 + 2] = entry[2];
    }
    return fromRgba(rgba, rows, columns, 16, true);
  }
  throw bad(`${name} uses TIFF photometric interpretation ${photometric} with ${samples} sample(s); save the scan as grey or RGB.`);
}

// ---------------------------------------------------------------------------------------------

/** Reads a scanned image file; AppError INVALID_INPUT with the reason when it cannot be used. */
export function readScannedImage(filePath: string, name = filePath): ScannedImage {
  let size: number;
  try {
    size = fs.statSync(filePath).size;
  } catch (err) {
    throw new AppError('NOT_FOUND', `${name} cannot be read: ${(err as Error).message}`);
  }
  if (size === 0) throw bad(`${name} is empty (0 bytes).`);
  if (size > MAX_SCAN_FILE_BYTES) throw bad(`${name} is ${(size / 2 ** 30).toFixed(1)} GB, too large for a scanned film.`);
  const bytes = new Uint8Array(fs.readFileSync(filePath));
  return readScannedBytes(bytes, name);
}

export function readScannedBytes(bytes: Uint8Array, name: string): ScannedImage {
  const format = detectScanFormat(bytes);
  if (format === 'png') return readPng(bytes, name);
  if (format === 'jpeg') return readJpeg(bytes, name);
  if (format === 'tiff') return readTiff(bytes, name);
  throw bad(`${name} is not a ${SUPPORTED_SCAN_FORMATS} image. Scanned films can be imported from ${SUPPORTED_SCAN_FORMATS} files; DICOM files go through "Import files".`);
}

const dicomDate = (iso: string) => iso.replaceAll('-', '');

/** The Secondary Capture dataset for a scanned film (PS3.3 A.8.1: SC Equipment with ConversionType DF). */
export function scannedFilmDataset(image: ScannedImage, form: ScannedFilmForm, sourceName: string, now = new Date()): { elements: DicomElement[]; transferSyntaxUid?: string } {
  const pad = (n: number) => String(n).padStart(2, '0');
  const today = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const sopInstanceUid = newUid();
  const samples = image.kind === 'jpeg' ? image.samples : image.photometric === 'RGB' ? 3 : 1;
  const bits = image.kind === 'jpeg' ? (image.precision > 8 ? 16 : 8) : image.bits;
  const stored = image.kind === 'jpeg' ? image.precision : image.bits;
  const elements: DicomElement[] = [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
    { tag: 0x00080008, vr: 'CS', value: ['DERIVED', 'SECONDARY'] },
    { tag: 0x00080016, vr: 'UI', value: SECONDARY_CAPTURE_SOP_CLASS },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: dicomDate(form.studyDate) },
    { tag: 0x00080023, vr: 'DA', value: today },
    { tag: 0x00080030, vr: 'TM', value: '' },
    { tag: 0x00080033, vr: 'TM', value: time },
    { tag: 0x00080050, vr: 'SH', value: '' },
    { tag: 0x00080060, vr: 'CS', value: 'OT' },
    { tag: 0x00080064, vr: 'CS', value: 'DF' }, // ConversionType: digitized film
    { tag: 0x00080070, vr: 'LO', value: '' },
    { tag: 0x00080090, vr: 'PN', value: '' },
    { tag: 0x0008103e, vr: 'LO', value: 'Scanned film' },
    { tag: 0x00082111, vr: 'ST', value: `Scanned film imported from ${path.basename(sourceName).slice(-200)}; uncalibrated (no pixel spacing).` },
    { tag: 0x00100010, vr: 'PN', value: form.patient.name },
    { tag: 0x00100020, vr: 'LO', value: form.patient.patientId },
    { tag: 0x00100030, vr: 'DA', value: form.patient.birthDate ? dicomDate(form.patient.birthDate) : '' },
    { tag: 0x00100040, vr: 'CS', value: form.patient.sex ?? '' },
    { tag: 0x00181012, vr: 'DA', value: today }, // DateOfSecondaryCapture
    { tag: 0x00181014, vr: 'TM', value: time },
    { tag: 0x00181016, vr: 'LO', value: 'Osteoplan' }, // SecondaryCaptureDeviceManufacturer
    { tag: 0x0020000d, vr: 'UI', value: newUid() },
    { tag: 0x0020000e, vr: 'UI', value: newUid() },
    { tag: 0x00200010, vr: 'SH', value: '' },
    { tag: 0x00200011, vr: 'IS', value: 1 },
    { tag: 0x00200013, vr: 'IS', value: 1 },
    { tag: 0x00200020, vr: 'CS', value: '' },
    { tag: 0x00280002, vr: 'US', value: samples },
    { tag: 0x00280004, vr: 'CS', value: image.photometric },
    { tag: 0x00280010, vr: 'US', value: image.rows },
    { tag: 0x00280011, vr: 'US', value: image.columns },
    { tag: 0x00280100, vr: 'US', value: bits },
    { tag: 0x00280101, vr: 'US', value: stored },
    { tag: 0x00280102, vr: 'US', value: stored - 1 },
    { tag: 0x00280103, vr: 'US', value: 0 },
  ];
  if (form.studyDescription) elements.push({ tag: 0x00081030, vr: 'LO', value: form.studyDescription });
  // Laterality (0020,0060) allows only R or L; both legs go in Image Laterality (0020,0062) as B.
  if (form.laterality === 'L' || form.laterality === 'R') elements.push({ tag: 0x00200060, vr: 'CS', value: form.laterality });
  if (form.laterality) elements.push({ tag: 0x00200062, vr: 'CS', value: form.laterality });
  if (samples === 3) elements.push({ tag: 0x00280006, vr: 'US', value: 0 });
  if (image.kind === 'jpeg') {
    elements.push({ tag: 0x00282110, vr: 'CS', value: image.transferSyntaxUid === '1.2.840.10008.1.2.4.57' ? '00' : '01' });
    if (image.transferSyntaxUid !== '1.2.840.10008.1.2.4.57') elements.push({ tag: 0x00282114, vr: 'CS', value: 'ISO_10918_1' });
    elements.push({ tag: 0x7fe00010, vr: 'OB', value: [image.bytes] });
    return { elements, transferSyntaxUid: image.transferSyntaxUid };
  }
  elements.push({ tag: 0x7fe00010, vr: image.bits === 16 ? 'OW' : 'OB', value: image.pixels instanceof Uint16Array ? image.pixels : image.pixels });
  return { elements };
}

/** The Part-10 bytes of a scanned film; throws INVALID_INPUT when the image or the form cannot be used. */
export function buildScannedFilmDicom(filePath: string, form: ScannedFilmForm, sourceName = filePath): Buffer {
  const image = readScannedImage(filePath, sourceName);
  const { elements, transferSyntaxUid } = scannedFilmDataset(image, form, sourceName);
  return writeDicomFile(elements, transferSyntaxUid ? { transferSyntaxUid } : {});
}
