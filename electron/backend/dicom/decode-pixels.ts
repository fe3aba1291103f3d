// Node-side pixel decoding (issue 7): the stored values of one frame as native little-endian
// bytes, before Modality/VOI LUTs and before MONOCHROME1 inversion, exactly what gdcm's
// `gdcmconv --raw` + `gdcmraw` give (the Pixel md5 column of ../shared/data/MANIFEST.md).
// It powers `osteoplan inspect` and the fuzz check; the viewer decodes in the page.
//
// Codecs: native (explicit/implicit LE, explicit BE, deflated) and RLE here; JPEG lossless with
// jpeg-lossless-decoder-js; JPEG baseline/extended 8-bit with libjpeg-turbo, JPEG-LS with CharLS and
// JPEG 2000 with OpenJPEG (the WebAssembly builds the viewer uses); 12-bit JPEG extended with the
// viewer's JpegImage (below). Anything else (retired progressive/spectral JPEG, JPEG XL, HTJ2K ...)
// is refused with UNSUPPORTED_TRANSFER_SYNTAX naming the syntax.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { Decoder as LosslessJpegDecoder } from 'jpeg-lossless-decoder-js';
import type { DicomHeader } from '../../../shared/dicom/header';
import { fixJpeg12LevelShift } from '../../../shared/dicom/jpeg12-level-shift';
import { AppError } from '../../../shared/ipc/result';
import { declaredPixelBytes, inspectDicom, type DicomFileInfo } from './read-header';
import { TS, transferSyntaxName } from '../../../shared/dicom/transfer-syntax';

export interface DecodedFrame {
  frame: number;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  /** Stored values, native little endian, bitsAllocated per sample, colour samples interleaved. */
  bytes: Uint8Array;
}

const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
const JPEG_EXTENDED = '1.2.840.10008.1.2.4.51';
const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.57';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';
const JPEG_LS = '1.2.840.10008.1.2.4.80';
const JPEG_LS_NEAR = '1.2.840.10008.1.2.4.81';
const J2K_LOSSLESS = '1.2.840.10008.1.2.4.90';
const J2K = '1.2.840.10008.1.2.4.91';
const RLE = '1.2.840.10008.1.2.5';
const ENCAPSULATED_UNCOMPRESSED = '1.2.840.10008.1.2.1.98';

/** Transfer syntaxes decodePixels handles (a JPEG of another precision than 8 or 12 bits is refused when it meets one). */
export const DECODABLE_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TS.implicitLittle,
  TS.explicitLittle,
  TS.deflatedExplicitLittle,
  TS.explicitBig,
  ENCAPSULATED_UNCOMPRESSED,
  JPEG_BASELINE,
  JPEG_EXTENDED,
  JPEG_LOSSLESS,
  JPEG_LOSSLESS_SV1,
  JPEG_LS,
  JPEG_LS_NEAR,
  J2K_LOSSLESS,
  J2K,
  RLE,
]);

const unsupported = (uid: string, detail = '') =>
  new AppError('UNSUPPORTED_TRANSFER_SYNTAX', `The pixels are encoded as ${transferSyntaxName(uid)} (${uid})${detail}, which Osteoplan cannot decode.`);
const damaged = (reason: string) => new AppError('DICOM_UNREADABLE', `The pixel data cannot be decoded: ${reason}.`);

// ---------------------------------------------------------------------------------------------
// Reading the file

export interface PixelFile {
  info: DicomFileInfo;
  /** The bytes pixelData.offset points into (the file, or the inflated dataset). */
  bytes: Uint8Array;
}

export function openPixelFile(input: string | Uint8Array): PixelFile {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    try {
      bytes = new Uint8Array(fs.readFileSync(input));
    } catch (err) {
      throw new AppError('DICOM_UNREADABLE', `Cannot read the file: ${(err as Error).message}`);
    }
  } else bytes = input;
  const info = inspectDicom(bytes);
  return { info, bytes: info.inflatedDataset ?? bytes };
}

/** Decodes one frame (0-based) of a DICOM file given as a path, bytes, or an already opened file. */
export async function decodePixels(input: string | Uint8Array | PixelFile, frame = 0): Promise<DecodedFrame> {
  const file = typeof input === 'string' || input instanceof Uint8Array ? openPixelFile(input) : input;
  const h = file.info.header;
  if (!Number.isInteger(frame) || frame < 0 || frame >= h.numberOfFrames) {
    throw new AppError('INVALID_INPUT', `Frame ${frame} does not exist: the image has ${h.numberOfFrames} frame(s).`);
  }
  const ts = h.transferSyntaxUid;
  if (!DECODABLE_TRANSFER_SYNTAXES.has(ts)) throw unsupported(ts);
  const bytes = file.info.pixelData.encapsulated ? await decodeEncapsulated(file, frame) : nativeFrame(file, frame);
  return { frame, rows: h.rows, columns: h.columns, samplesPerPixel: h.samplesPerPixel, bitsAllocated: h.bitsAllocated, bytes };
}

/** md5 of every frame's stored values in order (the MANIFEST "Pixel md5"). */
export async function pixelMd5(input: string | Uint8Array | PixelFile): Promise<{ md5: string; frames: number }> {
  const file = typeof input === 'string' || input instanceof Uint8Array ? openPixelFile(input) : input;
  const hash = createHash('md5');
  const frames = file.info.header.numberOfFrames;
  if (!file.info.pixelData.encapsulated) {
    // Native frames of 1-bit data need not end on a byte: hash the whole value, as gdcmraw writes it.
    const all = nativeAll(file);
    hash.update(all);
    // An odd-length value (a writer's bug) is read with its missing pad byte, as gdcm and dcmtk do.
    if (all.length % 2 === 1) hash.update(Uint8Array.of(0));
    return { md5: hash.digest('hex'), frames };
  }
  for (let f = 0; f < frames; f++) hash.update((await decodePixels(file, f)).bytes);
  return { md5: hash.digest('hex'), frames };
}

// ---------------------------------------------------------------------------------------------
// Native pixel data

/** The whole native Pixel Data value, padding included, as gdcmraw writes it. */
function nativeAll(file: PixelFile): Uint8Array {
  const h = file.info.header;
  const { offset, length } = file.info.pixelData;
  const raw = file.bytes.subarray(offset, offset + (length ?? declaredPixelBytes(h)));
  return h.transferSyntaxUid === TS.explicitBig ? swapToLittle(raw, h.bitsAllocated) : raw;
}

function nativeFrame(file: PixelFile, frame: number): Uint8Array {
  const h = file.info.header;
  const frameBits = h.rows * h.columns * samplesPerFrame(h) * h.bitsAllocated;
  if (frameBits % 8 !== 0) {
    if (h.numberOfFrames === 1) return nativeAll(file);
    throw new AppError('UNSUPPORTED_TRANSFER_SYNTAX', 'Frames of 1-bit pixels that do not end on a byte cannot be split.');
  }
  const frameBytes = frameBits / 8;
  const start = file.info.pixelData.offset + frame * frameBytes;
  const raw = file.bytes.subarray(start, start + frameBytes);
  if (raw.length < frameBytes) throw damaged(`frame ${frame} is truncated`);
  return h.transferSyntaxUid === TS.explicitBig ? swapToLittle(raw, h.bitsAllocated) : raw;
}

function samplesPerFrame(h: DicomHeader): number {
  return /^YBR_(FULL|PARTIAL)_422$/.test(h.photometricInterpretation) ? 2 : Math.max(1, h.samplesPerPixel);
}

function swapToLittle(raw: Uint8Array, bitsAllocated: number): Uint8Array {
  const size = bitsAllocated / 8;
  if (size <= 1 || !Number.isInteger(size)) return raw;
  const out = new Uint8Array(raw.length);
  for (let i = 0; i + size <= raw.length; i += size) for (let k = 0; k < size; k++) out[i + k] = raw[i + size - 1 - k]!;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Encapsulated pixel data (PS3.5 §A.4): items after the Basic Offset Table, grouped into frames

interface Fragment {
  /** Offset of the item tag, relative to the first item after the Basic Offset Table. */
  relative: number;
  start: number;
  length: number;
}

function readItems(bytes: Uint8Array, start: number): { bot: number[]; fragments: Fragment[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = start;
  const items: { at: number; start: number; length: number }[] = [];
  while (p + 8 <= bytes.length) {
    const group = view.getUint16(p, true);
    const element = view.getUint16(p + 2, true);
    const length = view.getUint32(p + 4, true);
    if (group === 0xfffe && element === 0xe0dd) break;
    if (group !== 0xfffe || element !== 0xe000 || p + 8 + length > bytes.length) throw damaged('a fragment item is malformed');
    items.push({ at: p, start: p + 8, length });
    p += 8 + length;
  }
  const [table, ...rest] = items;
  if (!table || rest.length === 0) throw damaged('there is no compressed fragment');
  const bot: number[] = [];
  for (let i = 0; i + 4 <= table.length; i += 4) bot.push(view.getUint32(table.start + i, true));
  const first = rest[0]!.at;
  return { bot, fragments: rest.map((r) => ({ relative: r.at - first, start: r.start, length: r.length })) };
}

function startsFrame(bytes: Uint8Array, f: Fragment, ts: string): boolean {
  const b = (i: number) => bytes[f.start + i];
  if (ts === J2K || ts === J2K_LOSSLESS) return (b(0) === 0xff && b(1) === 0x4f) || (b(4) === 0x6a && b(5) === 0x50 && b(6) === 0x20 && b(7) === 0x20);
  return b(0) === 0xff && b(1) === 0xd8;
}

function frameFragments(file: PixelFile, frame: number): Uint8Array {
  const h = file.info.header;
  const { bot, fragments } = readItems(file.bytes, file.info.pixelData.offset);
  let chosen: Fragment[];
  if (h.numberOfFrames === 1) chosen = fragments;
  else if (fragments.length === h.numberOfFrames) chosen = [fragments[frame]!];
  else if (bot.length === h.numberOfFrames) {
    const from = bot[frame]!;
    const to = frame + 1 < bot.length ? bot[frame + 1]! : Number.POSITIVE_INFINITY;
    chosen = fragments.filter((f) => f.relative >= from && f.relative < to);
  } else {
    // No usable offset table: a frame starts at each fragment that opens a codestream.
    const groups: Fragment[][] = [];
    for (const f of fragments) {
      if (groups.length === 0 || startsFrame(file.bytes, f, h.transferSyntaxUid)) groups.push([f]);
      else groups.at(-1)!.push(f);
    }
    chosen = groups[frame] ?? [];
  }
  if (chosen.length === 0) throw damaged(`frame ${frame} has no compressed data`);
  if (chosen.length === 1) return file.bytes.subarray(chosen[0]!.start, chosen[0]!.start + chosen[0]!.length);
  const out = new Uint8Array(chosen.reduce((n, f) => n + f.length, 0));
  let p = 0;
  for (const f of chosen) {
    out.set(file.bytes.subarray(f.start, f.start + f.length), p);
    p += f.length;
  }
  return out;
}

async function decodeEncapsulated(file: PixelFile, frame: number): Promise<Uint8Array> {
  const h = file.info.header;
  const data = frameFragments(file, frame);
  const expected = h.rows * h.columns * Math.max(1, h.samplesPerPixel) * Math.ceil(h.bitsAllocated / 8);
  let out: Uint8Array;
  switch (h.transferSyntaxUid) {
    case ENCAPSULATED_UNCOMPRESSED:
      out = data;
      break;
    case RLE:
      out = decodeRle(data, h);
      break;
    case JPEG_LOSSLESS:
    case JPEG_LOSSLESS_SV1:
      out = decodeJpegLossless(data, h);
      break;
    case JPEG_BASELINE:
    case JPEG_EXTENDED: {
      const precision = jpegPrecision(data);
      if (precision === 8) out = await decodeWithCodec('jpeg', data);
      else if (precision === 12) out = decodeJpeg12(data, h.transferSyntaxUid);
      else throw unsupported(h.transferSyntaxUid, ` with ${precision}-bit samples`);
      break;
    }
    case JPEG_LS:
    case JPEG_LS_NEAR:
      out = await decodeWithCodec('charls', data);
      break;
    case J2K:
    case J2K_LOSSLESS:
      out = await decodeWithCodec('openjpeg', data);
      break;
    default:
      throw unsupported(h.transferSyntaxUid);
  }
  if (out.length < expected) throw damaged(`frame ${frame} decodes to ${out.length} bytes, ${expected} expected for ${h.rows} × ${h.columns}`);
  return out.length === expected ? out : out.subarray(0, expected);
}

// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per
// byte plane (most significant byte first), samples one after another.
function decodeRle(data: Uint8Array, h: DicomHeader): Uint8Array {
  if (data.length < 64) throw damaged('the RLE header is truncated');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const segments = view.getUint32(0, true);
  const bytesPerSample = Math.ceil(h.bitsAllocated / 8);
  const samples = Math.max(1, h.samplesPerPixel);
  if (segments !== bytesPerSample * samples || segments > 15) throw damaged(`the RLE frame has ${segments} segments, ${bytesPerSample * samples} expected`);
  const pixels = h.rows * h.columns;
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : data.length;
    if (start < 64 || start > end || end > data.length) throw damaged(`RLE segment ${s + 1} lies outside the frame`);
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample); // MSB segment first; output is little endian
    const stride = samples * bytesPerSample;
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let p = start;
    while (p < end && written < pixels) {
      const n = (data[p++]! << 24) >> 24;
      if (n >= 0) {
        for (let k = 0; k <= n && p < end && written < pixels; k++, written++, o += stride) out[o] = data[p++]!;
      } else if (n !== -128) {
        const v = data[p++] ?? 0;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = v;
      }
    }
    if (written < pixels) throw damaged(`RLE segment ${s + 1} ends after ${written} of ${pixels} pixels`);
  }
  return out;
}

function decodeJpegLossless(data: Uint8Array, h: DicomHeader): Uint8Array {
  const bytesPerSample = h.bitsAllocated > 8 ? 2 : 1;
  let decoded: Uint8Array | Uint16Array;
  try {
    // jpeg-lossless-decoder-js drops the last pixel when its Huffman code ends right at the end
    // marker (it peeks ahead and meets the marker): a few zero bits before EOI let it finish.
    // They come after the last code, so no decoded value changes.
    const copy = new Uint8Array(data.length + 8);
    let end = data.length;
    while (end > 2 && data[end - 1] === 0x00) end--;
    const eoi = data[end - 2] === 0xff && data[end - 1] === 0xd9 ? end - 2 : data.length;
    copy.set(data.subarray(0, eoi));
    copy.set([0xff, 0xd9], eoi + 6);
    decoded = new LosslessJpegDecoder().decode(copy.buffer, 0, eoi + 8, bytesPerSample) as Uint8Array | Uint16Array;
  } catch (err) {
    throw damaged(`JPEG lossless: ${(err as Error).message ?? String(err)}`);
  }
  const scan = losslessScanInfo(data);
  if (scan && scan.pointTransform > 0 && decoded instanceof Uint16Array) {
    // The decoder ignores the point transform (T.81 §H.1.2.1, Pt): it starts the prediction at
    // 2^(P-1) instead of 2^(P-Pt-1) and does not shift back. Undo both, modulo 2^P.
    const mask = 2 ** scan.precision - 1;
    const offset = 2 ** (scan.precision - 1) - 2 ** (scan.precision - scan.pointTransform - 1);
    for (let i = 0; i < decoded.length; i++) decoded[i] = (((decoded[i]! - offset) & mask) << scan.pointTransform) & mask;
  }
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}

/** Precision (SOF) and point transform (low nibble of the SOS Ah/Al byte) of a lossless JPEG. */
function losslessScanInfo(data: Uint8Array): { precision: number; pointTransform: number } | null {
  let precision: number | null = null;
  let scan: { precision: number; pointTransform: number } | null = null;
  walkJpegMarkers(data, (marker, p) => {
    if (marker === 0xc3 || marker === 0xc7) precision = data[p + 4]!;
    if (marker !== 0xda) return false;
    const components = data[p + 4]!;
    const alAh = data[p + 4 + 1 + components * 2 + 2];
    if (precision !== null && alAh !== undefined) scan = { precision, pointTransform: alAh & 0x0f };
    return true;
  });
  return scan;
}

/** Sample precision from the first frame header (T.81 §B.2.2). */
function jpegPrecision(data: Uint8Array): number | null {
  let precision: number | null = null;
  walkJpegMarkers(data, (marker, p) => {
    if (marker < 0xc0 || marker > 0xcf || marker === 0xc4 || marker === 0xc8 || marker === 0xcc) return false;
    precision = data[p + 4] ?? null;
    return true;
  });
  return precision;
}

/**
 * Calls `visit` with each marker segment after SOI (marker code, offset of its 0xFF) until it
 * returns true, the data stops looking like marker segments, or it ends. Fill bytes are skipped.
 */
function walkJpegMarkers(data: Uint8Array, visit: (marker: number, at: number) => boolean): void {
  let p = 2;
  while (p + 4 < data.length) {
    if (data[p] !== 0xff) return;
    const marker = data[p + 1]!;
    if (marker === 0xff) {
      p++;
      continue;
    }
    if (visit(marker, p)) return;
    p += 2 + ((data[p + 2]! << 8) | data[p + 3]!);
  }
}

// ---------------------------------------------------------------------------------------------
// 12-bit DCT JPEG (process 4): pdf.js's JpegImage as cornerstone-wado-image-loader ships it (the
// decoder its viewer runs for these files). The package exposes it only as a webpack chunk of its
// dynamic-import build, evaluated here once with a stand-in for the worker's `self`, where the
// chunk registers its module; its level shift is corrected first (shared/dicom/jpeg12-level-shift.ts).

interface JpegImageInstance {
  width: number;
  height: number;
  components: unknown[];
  colorTransform?: boolean;
  parse(data: Uint8Array): void;
  getData16(width: number, height: number): Uint16Array;
}
type JpegImageClass = new () => JpegImageInstance;
type WebpackChunk = [unknown, Record<string, (module: { exports: unknown }, exports: unknown) => void>];

const JPEG_IMAGE_CHUNK = 'cornerstone-wado-image-loader/dist/dynamic-import/888.min.worker.js';
let jpegImageClass: JpegImageClass | undefined;

function jpegImage(): JpegImageClass {
  if (jpegImageClass) return jpegImageClass;
  const file = nodeRequire().resolve(JPEG_IMAGE_CHUNK);
  const moved = () => new AppError('INTERNAL', `${JPEG_IMAGE_CHUNK} is not the JpegImage chunk of cornerstone-wado-image-loader 4.13: update the 12-bit JPEG decoder.`);
  const { code: source, sites } = fixJpeg12LevelShift(fs.readFileSync(file, 'utf8'));
  if (sites !== 1) throw moved();
  const register = new vm.Script(`(function (self) {\n${source}\n})`, { filename: file }).runInThisContext() as (self: object) => void;
  const self: { webpackChunk_name_?: WebpackChunk[] } = {};
  register(self);
  for (const [, modules] of self.webpackChunk_name_ ?? []) {
    for (const factory of Object.values(modules)) {
      const module = { exports: {} as { JpegImage?: JpegImageClass } };
      factory(module, module.exports);
      if (typeof module.exports.JpegImage === 'function') return (jpegImageClass = module.exports.JpegImage);
    }
  }
  throw moved();
}

function decodeJpeg12(data: Uint8Array, transferSyntaxUid: string): Uint8Array {
  const Decoder = jpegImage();
  const jpeg = new Decoder();
  try {
    jpeg.parse(data);
  } catch (err) {
    throw damaged(`JPEG 12-bit: ${typeof err === 'string' ? err : ((err as Error)?.message ?? String(err))}`);
  }
  // JpegImage gives 16-bit samples for one component only; colour at 12 bits is rare in DICOM.
  if (jpeg.components.length !== 1) throw unsupported(transferSyntaxUid, ` with 12-bit samples in ${jpeg.components.length} colour components`);
  const samples = jpeg.getData16(jpeg.width, jpeg.height);
  // Native little endian is what DecodedFrame promises: every platform Osteoplan runs on is.
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

// ---------------------------------------------------------------------------------------------
// WebAssembly codecs, loaded once on first use from node_modules (never bundled: the emscripten
// loader finds its .wasm beside its own script).

type CodecName = 'jpeg' | 'charls' | 'openjpeg';
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  delete(): void;
}
type CodecModule = Record<string, new () => WasmDecoder>;

const CODECS: Record<CodecName, { module: string; decoder: string }> = {
  jpeg: { module: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  charls: { module: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  openjpeg: { module: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
};
const loaded = new Map<CodecName, Promise<CodecModule>>();

function nodeRequire(): NodeJS.Require {
  // ES modules (tests, the CLI bundle) make a require from their own URL; an ES bundle's `require`
  // is esbuild's throwing shim. A CommonJS bundle has no import.meta.url but a real require.
  const url = (import.meta as { url?: string }).url;
  return typeof url === 'string' ? createRequire(url) : require;
}

function codec(name: CodecName): Promise<CodecModule> {
  let module = loaded.get(name);
  if (!module) {
    const factory = nodeRequire()(CODECS[name].module) as (options?: object) => Promise<CodecModule>;
    module = factory({ print: () => undefined, printErr: () => undefined });
    loaded.set(name, module);
  }
  return module;
}

async function decodeWithCodec(name: CodecName, data: Uint8Array): Promise<Uint8Array> {
  const lib = await codec(name);
  const decoder = new lib[CODECS[name].decoder]!();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    return decoder.getDecodedBuffer().slice();
  } catch (err) {
    const reason = typeof err === 'number' ? `the ${name} decoder stopped (code ${err})` : ((err as Error)?.message ?? String(err));
    throw damaged(reason);
  } finally {
    decoder.delete();
  }
}
