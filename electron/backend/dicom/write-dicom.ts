// A small DICOM Part-10 writer: enough to produce our own test films (the long-leg phantom) and
// fixtures that go through the normal import, checked against dcmtk's dcmdump and dicom-parser.
// Part 5 §7.1 (data element encoding), §7.5 (sequences), §A.4 (encapsulation); Part 10 §7.1
// (preamble, "DICM", File Meta Information in Explicit VR Little Endian).
import { randomBytes } from 'node:crypto';
import { endianness } from 'node:os';
import { AppError } from '../../../shared/ipc/result';

export type DicomValue =
  | string
  | string[]
  | number
  | number[]
  | Uint8Array
  | Uint16Array
  | Int16Array
  /** SQ items: each item is a list of elements. */
  | DicomElement[][]
  /** Encapsulated PixelData only: one compressed fragment per frame (Part 5 §A.4). */
  | Uint8Array[];

export interface DicomElement {
  /** 0xGGGGEEEE */
  tag: number;
  vr: string;
  value: DicomValue;
}

export interface WriteDicomOptions {
  /** Default Explicit VR Little Endian. Implicit VR LE and encapsulated (compressed) syntaxes are also accepted. */
  transferSyntaxUid?: string;
}

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';
/** Our own root under the UUID-derived arc (Part 5 §B.2): the class UID names the writer, not an organisation. */
export const IMPLEMENTATION_CLASS_UID = '2.25.207414925183616915093961577651744613147';
export const IMPLEMENTATION_VERSION_NAME = 'OSTEOPLAN_010';

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UR', 'UT', 'UI']);
const BINARY_NUMBER_VRS: Record<string, { size: number; write: (b: Buffer, v: number, o: number) => void }> = {
  US: { size: 2, write: (b, v, o) => b.writeUInt16LE(v, o) },
  SS: { size: 2, write: (b, v, o) => b.writeInt16LE(v, o) },
  UL: { size: 4, write: (b, v, o) => b.writeUInt32LE(v, o) },
  SL: { size: 4, write: (b, v, o) => b.writeInt32LE(v, o) },
  FL: { size: 4, write: (b, v, o) => b.writeFloatLE(v, o) },
  FD: { size: 8, write: (b, v, o) => b.writeDoubleLE(v, o) },
  AT: {
    size: 4,
    write: (b, v, o) => {
      b.writeUInt16LE(Math.floor(v / 0x10000) & 0xffff, o);
      b.writeUInt16LE(v & 0xffff, o + 2);
    },
  },
};
const BULK_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'OV', 'UN']);
/** VRs whose explicit encoding has 2 reserved bytes and a 4-byte length (Part 5 Table 7.1-1). */
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UR', 'UT', 'UN', 'UV']);
/** Max characters per value for the length-limited string VRs (Part 5 Table 6.2-1). */
const MAX_CHARS: Record<string, number> = { AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, IS: 12, LO: 64, SH: 16, TM: 14, DT: 26, UI: 64, PN: 64 * 5 };

const PIXEL_DATA = 0x7fe00010;
const UNDEFINED_LENGTH = 0xffffffff;
const HOST_IS_LE = endianness() === 'LE';

function tagName(tag: number): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
  return `(${hex(Math.floor(tag / 0x10000))},${hex(tag & 0xffff)})`;
}

function invalid(tag: number, message: string): never {
  throw new AppError('INVALID_INPUT', `DICOM element ${tagName(tag)}: ${message}`);
}

/** A DS value in at most 16 characters (Part 5 §6.2): full precision when it fits, else rounded. */
export function formatDecimalString(n: number): string {
  if (!Number.isFinite(n)) throw new AppError('INVALID_INPUT', `A DS value must be finite, got ${n}.`);
  let s = String(n);
  if (s.length <= 16) return s;
  for (let digits = 15; digits >= 1; digits--) {
    s = Number(n.toPrecision(digits)).toString();
    if (s.length <= 16) return s;
  }
  return s;
}

/** Picks how text is turned into bytes from SpecificCharacterSet (0008,0005); default repertoire is ASCII. */
type TextEncoding = 'ascii' | 'latin1' | 'utf8';

function textEncodingOf(elements: DicomElement[], inherited: TextEncoding): TextEncoding {
  const charset = elements.find((e) => e.tag === 0x00080005);
  if (!charset) return inherited;
  const terms = (Array.isArray(charset.value) ? charset.value : [charset.value]).map((v) => String(v).trim());
  if (terms.includes('ISO_IR 192')) return 'utf8';
  if (terms.includes('ISO_IR 100')) return 'latin1';
  return 'ascii';
}

function encodeText(el: DicomElement, encoding: TextEncoding): Buffer {
  const { tag, vr, value } = el;
  let parts: string[];
  if (typeof value === 'string') parts = [value];
  else if (typeof value === 'number') parts = [value as number].map((n) => numberToText(tag, vr, n));
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) parts = value as string[];
  else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) parts = (value as number[]).map((n) => numberToText(tag, vr, n));
  else invalid(tag, `VR ${vr} needs a string or number value.`);
  const max = MAX_CHARS[vr];
  for (const p of parts) {
    if (p.includes('\\') && parts.length > 1) invalid(tag, `a value of a multi-valued ${vr} contains a backslash.`);
    if (max !== undefined && !p.includes('\\') && p.length > max) invalid(tag, `${vr} value "${p}" is longer than ${max} characters.`);
    if (vr === 'UI' && p !== '' && !/^[0-9]+(\.[0-9]+)*$/.test(p)) invalid(tag, `"${p}" is not a valid UID (digits and dots only).`);
    if (encoding === 'ascii' && hasNonAscii(p)) {
      invalid(tag, `"${p}" has non-ASCII characters; set SpecificCharacterSet (0008,0005) to ISO_IR 192 to write UTF-8.`);
    }
  }
  const bytes = Buffer.from(parts.join('\\'), encoding === 'utf8' ? 'utf8' : 'latin1');
  if (bytes.length % 2 === 0) return bytes;
  // UI pads with NUL, every other text VR with a space (Part 5 §6.2).
  return Buffer.concat([bytes, Buffer.from([vr === 'UI' ? 0x00 : 0x20])]);
}

/** Printable ASCII plus the control characters text VRs allow (CR, LF, TAB, FF, ESC). */
function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7e || (c < 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09 && c !== 0x0c && c !== 0x1b)) return true;
  }
  return false;
}

function numberToText(tag: number, vr: string, n: number): string {
  if (!Number.isFinite(n)) invalid(tag, `${vr} value must be finite, got ${n}.`);
  if (vr === 'DS') return formatDecimalString(n);
  if (vr === 'IS') {
    if (!Number.isInteger(n)) invalid(tag, `IS value must be an integer, got ${n}.`);
    return String(n);
  }
  invalid(tag, `VR ${vr} takes strings, not numbers.`);
}

function encodeBinaryNumbers(el: DicomElement): Buffer {
  const { tag, vr, value } = el;
  const spec = BINARY_NUMBER_VRS[vr]!;
  let nums: ArrayLike<number>;
  if (typeof value === 'number') nums = [value];
  else if (value instanceof Uint16Array || value instanceof Int16Array || value instanceof Uint8Array) nums = value;
  else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) nums = value as number[];
  else invalid(tag, `VR ${vr} needs a number or number[] value.`);
  const out = Buffer.alloc(nums.length * spec.size);
  for (let i = 0; i < nums.length; i++) {
    const n = nums[i]!;
    if (!Number.isFinite(n)) invalid(tag, `${vr} value must be finite, got ${n}.`);
    try {
      spec.write(out, n, i * spec.size);
    } catch {
      invalid(tag, `${n} does not fit in ${vr}.`);
    }
  }
  return out;
}

function typedArrayBytesLE(arr: Uint16Array | Int16Array): Buffer {
  if (HOST_IS_LE) return Buffer.from(arr.buffer, arr.byteOffset, arr.byteLength);
  const out = Buffer.alloc(arr.byteLength);
  for (let i = 0; i < arr.length; i++) out.writeUInt16LE(arr[i]! & 0xffff, i * 2);
  return out;
}

function encodeBulk(el: DicomElement): Buffer {
  const { tag, vr, value } = el;
  let bytes: Buffer;
  if (value instanceof Uint16Array || value instanceof Int16Array) bytes = typedArrayBytesLE(value);
  else if (value instanceof Uint8Array) bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    const nums = value as number[];
    if (vr === 'OW') bytes = typedArrayBytesLE(Uint16Array.from(nums));
    else if (vr === 'OB' || vr === 'UN') bytes = Buffer.from(Uint8Array.from(nums));
    else invalid(tag, `give ${vr} values as a typed array.`);
  } else invalid(tag, `VR ${vr} needs a Uint8Array, Uint16Array, Int16Array or number[] value.`);
  if (bytes.length % 2 === 0) return bytes;
  return Buffer.concat([bytes, Buffer.alloc(1)]);
}

interface Encoder {
  explicit: boolean;
  encapsulated: boolean;
}

function header(tag: number, vr: string, length: number, enc: Encoder): Buffer {
  const group = Math.floor(tag / 0x10000);
  const element = tag & 0xffff;
  if (!enc.explicit) {
    const b = Buffer.alloc(8);
    b.writeUInt16LE(group, 0);
    b.writeUInt16LE(element, 2);
    b.writeUInt32LE(length, 4);
    return b;
  }
  // PS3.5 §7.1.2: the long-length VRs carry two reserved bytes and a 32-bit length, the others a 16-bit one.
  const longLength = LONG_LENGTH_VRS.has(vr);
  if (!longLength && length > 0xffff) invalid(tag, `${vr} value is ${length} bytes, more than the 65534 a short-length VR can hold.`);
  const b = Buffer.alloc(longLength ? 12 : 8);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  b.write(vr, 4, 'latin1');
  if (longLength) b.writeUInt32LE(length, 8);
  else b.writeUInt16LE(length, 6);
  return b;
}

function itemTag(element: number, length: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(0xfffe, 0);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(length, 4);
  return b;
}

function encodeEncapsulatedPixelData(el: DicomElement, enc: Encoder): Buffer[] {
  const fragments = el.value as Uint8Array[];
  // Empty Basic Offset Table: allowed for any frame count and what most encoders write (Part 5 §A.4).
  const out: Buffer[] = [header(el.tag, 'OB', UNDEFINED_LENGTH, enc), itemTag(0xe000, 0)];
  for (const f of fragments) {
    const padded = f.length % 2 === 0 ? Buffer.from(f.buffer, f.byteOffset, f.byteLength) : Buffer.concat([Buffer.from(f), Buffer.alloc(1)]);
    out.push(itemTag(0xe000, padded.length), padded);
  }
  out.push(itemTag(0xe0dd, 0));
  return out;
}

function isFragmentList(value: DicomValue): value is Uint8Array[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => v instanceof Uint8Array);
}

function isItemList(value: DicomValue): value is DicomElement[][] {
  return Array.isArray(value) && value.every((item) => Array.isArray(item));
}

/** Encodes a dataset (sorted by tag) into buffers; sequences and items get defined lengths. */
function encodeDataset(elements: DicomElement[], enc: Encoder, textEncoding: TextEncoding): Buffer[] {
  const sorted = [...elements].sort((a, b) => a.tag - b.tag);
  const encoding = textEncodingOf(sorted, textEncoding);
  const out: Buffer[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const el = sorted[i]!;
    if (!Number.isInteger(el.tag) || el.tag < 0 || el.tag > 0xffffffff) invalid(el.tag, 'tag must be a 32-bit integer 0xGGGGEEEE.');
    if (i > 0 && sorted[i - 1]!.tag === el.tag) invalid(el.tag, 'appears twice in the dataset.');
    const vr = el.vr.toUpperCase();
    if (vr === 'SQ') {
      if (!isItemList(el.value)) invalid(el.tag, 'SQ needs a list of items (DicomElement[][]).');
      const body: Buffer[] = [];
      for (const item of el.value) {
        const itemBody = encodeDataset(item, enc, encoding);
        body.push(itemTag(0xe000, byteLength(itemBody)), ...itemBody);
      }
      out.push(header(el.tag, vr, byteLength(body), enc), ...body);
      continue;
    }
    if (el.tag === PIXEL_DATA && isFragmentList(el.value)) {
      if (!enc.encapsulated) invalid(el.tag, 'fragments (Uint8Array[]) need an encapsulated (compressed) transfer syntax.');
      out.push(...encodeEncapsulatedPixelData(el, enc));
      continue;
    }
    let bytes: Buffer;
    if (TEXT_VRS.has(vr)) bytes = encodeText({ ...el, vr }, encoding);
    else if (vr in BINARY_NUMBER_VRS) bytes = encodeBinaryNumbers({ ...el, vr });
    else if (BULK_VRS.has(vr)) bytes = encodeBulk({ ...el, vr });
    else invalid(el.tag, `unknown or unsupported VR "${el.vr}".`);
    out.push(header(el.tag, vr, bytes.length, enc), bytes);
  }
  return out;
}

function byteLength(buffers: Buffer[]): number {
  let n = 0;
  for (const b of buffers) n += b.length;
  return n;
}

function stringValue(elements: DicomElement[], tag: number): string | null {
  const el = elements.find((e) => e.tag === tag);
  if (!el) return null;
  const v = Array.isArray(el.value) ? el.value[0] : el.value;
  return typeof v === 'string' ? v : null;
}

function encoderFor(transferSyntaxUid: string): Encoder {
  if (transferSyntaxUid === EXPLICIT_VR_LITTLE_ENDIAN) return { explicit: true, encapsulated: false };
  if (transferSyntaxUid === IMPLICIT_VR_LITTLE_ENDIAN) return { explicit: false, encapsulated: false };
  // JPEG family (1.2.840.10008.1.2.4.*) and RLE (1.2.840.10008.1.2.5): Explicit VR LE with encapsulated pixels.
  if (transferSyntaxUid.startsWith('1.2.840.10008.1.2.4.') || transferSyntaxUid === '1.2.840.10008.1.2.5') {
    return { explicit: true, encapsulated: true };
  }
  throw new AppError('UNSUPPORTED_TRANSFER_SYNTAX', `Cannot write transfer syntax ${transferSyntaxUid}: only little-endian ones (explicit, implicit, encapsulated) are supported.`);
}

/**
 * A Part-10 file: 128-byte preamble, "DICM", group 0002 meta (with its group length), then the
 * dataset sorted by tag. The meta's SOP class/instance come from (0008,0016)/(0008,0018).
 */
export function writeDicomFile(elements: DicomElement[], opts: WriteDicomOptions = {}): Buffer {
  const transferSyntaxUid = opts.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN;
  const enc = encoderFor(transferSyntaxUid);
  const metaInDataset = elements.find((e) => Math.floor(e.tag / 0x10000) === 0x0002);
  if (metaInDataset) invalid(metaInDataset.tag, 'group 0002 is the file meta; the writer builds it, leave it out of the dataset.');
  const sopClassUid = stringValue(elements, 0x00080016);
  const sopInstanceUid = stringValue(elements, 0x00080018);
  if (!sopClassUid) throw new AppError('INVALID_INPUT', 'The dataset needs SOPClassUID (0008,0016) to build the file meta.');
  if (!sopInstanceUid) throw new AppError('INVALID_INPUT', 'The dataset needs SOPInstanceUID (0008,0018) to build the file meta.');

  const metaEnc: Encoder = { explicit: true, encapsulated: false };
  const metaBody = encodeDataset(
    [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0x00, 0x01]) },
      { tag: 0x00020002, vr: 'UI', value: sopClassUid },
      { tag: 0x00020003, vr: 'UI', value: sopInstanceUid },
      { tag: 0x00020010, vr: 'UI', value: transferSyntaxUid },
      { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
      { tag: 0x00020013, vr: 'SH', value: IMPLEMENTATION_VERSION_NAME },
    ],
    metaEnc,
    'ascii',
  );
  const groupLength = encodeDataset([{ tag: 0x00020000, vr: 'UL', value: byteLength(metaBody) }], metaEnc, 'ascii');
  const dataset = encodeDataset(elements, enc, 'ascii');
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, ...groupLength, ...metaBody, ...dataset]);
}

/** A fresh UID under the UUID arc: "2.25." + the decimal of a random 128-bit value (Part 5 §B.2), ≤ 44 chars. */
export function newUid(): string {
  const hex = randomBytes(16).toString('hex');
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}

/**
 * The Image Pixel module of an unsigned MONOCHROME2 image in 16-bit words, bitsStored of them
 * significant (the phantom films and the test films; writeDicomFile sorts by tag, so it goes anywhere).
 */
export function grayscalePixels(rows: number, columns: number, bitsStored: number, pixels: Uint16Array): DicomElement[] {
  return [
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: columns },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: bitsStored },
    { tag: 0x00280102, vr: 'US', value: bitsStored - 1 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x7fe00010, vr: 'OW', value: pixels },
  ];
}
