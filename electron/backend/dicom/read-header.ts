// Reads the header of one DICOM file with dicom-parser, stopping before the pixel data
// (untilTag x7fe00010), and checks that the pixel data the header promises is really in the file.
//
// dicom-parser alone only reads Part-10 files with a preamble. This module drives its element
// readers itself so it can also read: a file meta group without the 128-byte preamble, a raw
// dataset with no meta at all (encoding sniffed from the first element, never from a "DICM"
// found somewhere in the data), a meta group that lacks its Transfer Syntax UID, deflated
// datasets (inflated with a size cap) and explicit VR big endian.
//
// Every refusal is an AppError('DICOM_UNREADABLE') whose message says why in words the surgeon
// can act on. Decisions documented here:
// - A file with no Modality (0008,0060) is kept: `modality` is null, exactly as stored. The bytes in
//   the store are never rewritten, so the renderer must not hand such a file to
//   cornerstone-wado-image-loader without supplying a modality (it hangs otherwise; architecture §7).
// - Pixel data that is larger than 2^31 bytes by its own Rows × Columns × frames is refused before
//   anything is allocated; pixel data shorter than the header declares (truncated file, or native
//   pixel data that is really compressed) is refused, never imported as if it were whole.
import fs from 'node:fs';
import zlib from 'node:zlib';
import dicomParser from 'dicom-parser';
import type { ByteArrayParser, DataSet, Element } from 'dicom-parser';
import { AppError } from '../../../shared/ipc/result';
import type { DicomHeader } from '../../../shared/dicom/header';
import { TS, isNativeTransferSyntax, transferSyntaxName } from '../../../shared/dicom/transfer-syntax';

/** Above this a single image is not a radiograph this app can hold in memory (issue: "absurd"). */
export const MAX_PIXEL_DATA_BYTES = 2 ** 31;
/** Headers are read from growing prefixes of the file; past this there is no image header. */
export const MAX_HEADER_BYTES = 256 * 1024 * 1024;
const PREFIX_STEPS = [64 * 1024, 1024 * 1024, 16 * 1024 * 1024];
/** A deflated dataset is inflated in memory; cap it so a zip bomb cannot exhaust it. */
const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;
/** DICOMDIR's Media Storage SOP Class: a media directory, never an image. */
export const MEDIA_DIRECTORY_SOP_CLASS = '1.2.840.10008.1.3.10';

const PIXEL_DATA = 'x7fe00010';
const ITEM = 'xfffee000';
const SEQUENCE_DELIMITER = 'xfffee0dd';

/** Random access to the bytes of one file (or of an in-memory copy). */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Uint8Array;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)) };
}

/** A source over an open file descriptor; reads are synchronous and bounded by the caller. */
export function fileSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(position, length) {
      const n = Math.max(0, Math.min(length, size - position));
      const out = Buffer.allocUnsafe(n);
      let done = 0;
      while (done < n) {
        const got = fs.readSync(fd, out, done, n - done, position + done);
        if (got === 0) break; // the file shrank under us: the caller sees a short read
        done += got;
      }
      return done === n ? out : out.subarray(0, done);
    },
  };
}

export interface PixelDataLayout {
  /** Offset of the Pixel Data value, in the file (or in the inflated dataset when deflated). */
  offset: number;
  /** Byte length of native pixel data; null when encapsulated (undefined length). */
  length: number | null;
  encapsulated: boolean;
  /** Encapsulated only: number of items after the Basic Offset Table. */
  fragments: number;
}

export interface DicomFileInfo {
  header: DicomHeader;
  pixelData: PixelDataLayout;
  /** Media Storage SOP Class from the file meta, when present. */
  mediaStorageSopClassUid: string | null;
  /** True when there was no Part-10 preamble and/or meta group and the encoding was inferred. */
  inferredTransferSyntax: boolean;
  /** Deflated files only: the inflated dataset, which pixelData.offset points into. */
  inflatedDataset: Uint8Array | null;
}

const unreadable = (reason: string) => new AppError('DICOM_UNREADABLE', reason);
export const DICOMDIR_REASON = 'This is a DICOMDIR (the index of a CD/DVD), not an image: import its folder to get the images it lists.';
const notAnImageDicomdir = () => unreadable(DICOMDIR_REASON);

/** Thrown inside the prefix loop when the bytes read so far end before the header does. */
class NeedMoreBytes extends Error {}

// ---------------------------------------------------------------------------------------------
// Public entry points

/** Reads and validates the header of a DICOM file given as bytes or a path. */
export function readDicomHeader(input: Uint8Array | string): DicomHeader {
  return inspectDicom(input).header;
}

/** Like readDicomHeader, plus where the pixel data lies; used by the import. */
export function inspectDicom(input: Uint8Array | string): DicomFileInfo {
  if (typeof input !== 'string') return inspectDicomSource(bufferSource(input));
  let fd: number;
  try {
    fd = fs.openSync(input, 'r');
  } catch (err) {
    throw unreadable(`Cannot open the file: ${(err as Error).message}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    return inspectDicomSource(fileSource(fd, size));
  } finally {
    fs.closeSync(fd);
  }
}

export function inspectDicomSource(source: ByteSource): DicomFileInfo {
  if (source.size < 16) throw unreadable(`Not a DICOM file: it holds only ${source.size} bytes.`);
  const head = source.read(0, Math.min(source.size, PREFIX_STEPS[0]!));
  const layout = sniffLayout(head);

  const steps = PREFIX_STEPS.filter((n) => n < source.size);
  steps.push(source.size);
  for (const n of steps) {
    if (n > MAX_HEADER_BYTES) {
      throw unreadable(`No Pixel Data (7FE0,0010) in the first ${MAX_HEADER_BYTES / 1024 / 1024} MB: not an image, or a damaged file.`);
    }
    const bytes = n <= head.length ? head.subarray(0, n) : source.read(0, n);
    if (bytes.length < n) throw unreadable('The file changed size while it was being read.');
    try {
      return finish(parsePrefix(bytes, layout, n === source.size), source);
    } catch (err) {
      if (err instanceof NeedMoreBytes) continue;
      throw err;
    }
  }
  throw unreadable('The header ends before its own declared length: the file is truncated.');
}

// ---------------------------------------------------------------------------------------------
// Layout sniffing: where the meta group and the dataset start

interface Layout {
  /** Offset of the file meta group (group 0002), or null when there is none. */
  metaStart: number | null;
  /** Offset of the dataset when there is no meta group. */
  datasetStart: number;
  /** Encoding inferred from the first element when there is no meta. */
  sniffedSyntax: string | null;
}

const VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS',
  'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

const u16le = (b: Uint8Array, p: number) => (b[p] ?? 0) | ((b[p + 1] ?? 0) << 8);
const u16be = (b: Uint8Array, p: number) => ((b[p] ?? 0) << 8) | (b[p + 1] ?? 0);
const vrAt = (b: Uint8Array, p: number) => String.fromCharCode(b[p] ?? 0, b[p + 1] ?? 0);

function sniffLayout(head: Uint8Array): Layout {
  // Part 10: "DICM" at 128 AND a group-0002 explicit element right after it. Checking the element
  // too avoids the trap of a raw dataset that happens to hold "DICM" at byte 128.
  if (head.length >= 140 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d) {
    if (u16le(head, 132) === 0x0002 && VRS.has(vrAt(head, 136))) return { metaStart: 132, datasetStart: 132, sniffedSyntax: null };
  }
  // A meta group without the preamble.
  if (head.length >= 8 && u16le(head, 0) === 0x0002 && VRS.has(vrAt(head, 4))) return { metaStart: 0, datasetStart: 0, sniffedSyntax: null };
  // A raw dataset (ACR-NEMA style or a DIMSE payload saved to disk): first group 0000 or 0008.
  const syntax = sniffDatasetSyntax(head, 0, true);
  if (syntax) return { metaStart: null, datasetStart: 0, sniffedSyntax: syntax };
  throw unreadable("Not a DICOM file: no 'DICM' marker at byte 128 and no DICOM data element at the start.");
}

/** Infers the encoding of a dataset from its first element; null when it does not look like one. */
function sniffDatasetSyntax(b: Uint8Array, p: number, strict: boolean): string | null {
  if (p + 8 > b.length) return null;
  // Without a meta group a dataset starts with group 0008 (or 0000 in ACR-NEMA files); after a meta
  // group that lacks its transfer syntax any even, non-meta group may come first.
  const plausible = (group: number) => (strict ? group === 0x0000 || group === 0x0008 : group % 2 === 0 && group !== 0x0002 && group !== 0xfffe);
  // A headerless file must also start with a short, non-empty first value (a group length, the
  // character set, the image type ...), which a block of zeros or random bytes does not.
  const plausibleLength = (length: number) => (strict ? length > 0 && length <= 1024 : length === 0xffffffff || length < 0x10000000);
  const explicit = VRS.has(vrAt(b, p + 4));
  const groupLe = u16le(b, p);
  if (plausible(groupLe)) {
    if (explicit) return plausibleLength(u16le(b, p + 6)) || !strict ? TS.explicitLittle : null;
    const length = ((b[p + 4] ?? 0) | ((b[p + 5] ?? 0) << 8) | ((b[p + 6] ?? 0) << 16)) + (b[p + 7] ?? 0) * 2 ** 24;
    return plausibleLength(length) ? TS.implicitLittle : null;
  }
  if (explicit && plausible(u16be(b, p)) && (plausibleLength(u16be(b, p + 6)) || !strict)) return TS.explicitBig;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Parsing one prefix of the file

interface Parsed {
  dataSet: DataSet;
  transferSyntaxUid: string;
  mediaStorageSopClassUid: string | null;
  inferred: boolean;
  /** Where pixel offsets point: the file itself, or the inflated dataset. */
  pixelBytes: ByteSource | null;
}

type DataSetCtor = new (parser: ByteArrayParser, byteArray: Uint8Array, elements: Record<string, Element>) => DataSet;
const DataSetClass = (dicomParser as unknown as { DataSet: DataSetCtor }).DataSet;

function parsePrefix(bytes: Uint8Array, layout: Layout, complete: boolean): Parsed {
  const needMore = (reason: string): never => {
    if (!complete) throw new NeedMoreBytes();
    throw unreadable(reason);
  };

  let datasetStart = layout.datasetStart;
  let transferSyntaxUid = layout.sniffedSyntax;
  let mediaStorageSopClassUid: string | null = null;
  let inferred = layout.metaStart === null;

  if (layout.metaStart !== null) {
    const meta = readMetaGroup(bytes, layout.metaStart, needMore);
    datasetStart = meta.end;
    mediaStorageSopClassUid = meta.mediaStorageSopClassUid;
    transferSyntaxUid = meta.transferSyntaxUid;
    if (!transferSyntaxUid) {
      // The meta group lacks (0002,0010): infer from the dataset like a file without meta.
      transferSyntaxUid = sniffDatasetSyntax(bytes, datasetStart, false);
      inferred = true;
      if (!transferSyntaxUid) {
        if (datasetStart >= bytes.length) needMore('The file has a file meta group but no dataset after it.');
        throw unreadable('The file meta has no Transfer Syntax UID (0002,0010) and the dataset encoding cannot be recognised.');
      }
    }
  }
  if (mediaStorageSopClassUid === MEDIA_DIRECTORY_SOP_CLASS) throw notAnImageDicomdir();
  if (!transferSyntaxUid) throw unreadable('Cannot determine the transfer syntax.');

  let byteArray: Uint8Array = bytes;
  let parser = dicomParser.littleEndianByteArrayParser;
  let position = datasetStart;
  let pixelBytes: ByteSource | null = null;
  if (transferSyntaxUid === TS.deflatedExplicitLittle) {
    // Pixel offsets then refer to the inflated dataset, so inflate the whole file once.
    if (!complete) throw new NeedMoreBytes();
    byteArray = inflateDataset(bytes.subarray(datasetStart));
    position = 0;
    pixelBytes = bufferSource(byteArray);
  } else if (transferSyntaxUid === TS.explicitBig) {
    parser = dicomParser.bigEndianByteArrayParser;
  }

  // dicom-parser's ByteStream throws a bare string-like error for a start at the end.
  if (position >= byteArray.length) needMore('The file ends right after its file meta: there is no dataset (truncated file).');
  const dataSet = new DataSetClass(parser, byteArray, {});
  const stream = new dicomParser.ByteStream(parser, byteArray, position);
  const explicit = transferSyntaxUid !== TS.implicitLittle;
  try {
    if (explicit) dicomParser.parseDicomDataSetExplicit(dataSet, stream, byteArray.length, { untilTag: PIXEL_DATA });
    else dicomParser.parseDicomDataSetImplicit(dataSet, stream, byteArray.length, { untilTag: PIXEL_DATA });
  } catch (err) {
    if (err instanceof RangeError) throw unreadable('The dataset nests sequences too deeply to be read safely (damaged or hostile file).');
    if (!complete) throw new NeedMoreBytes();
    throw unreadable(`The dataset is truncated or malformed: ${describeParserError(err)}.`);
  }
  if (!dataSet.elements[PIXEL_DATA] && !complete) throw new NeedMoreBytes();
  // The implicit-VR reader stops silently when an element's length runs past the end.
  if (!dataSet.elements[PIXEL_DATA] && stream.position > byteArray.length) {
    throw unreadable('The file is truncated or malformed: a data element declares more bytes than the file holds.');
  }
  return { dataSet, transferSyntaxUid, mediaStorageSopClassUid, inferred, pixelBytes };
}

function describeParserError(err: unknown): string {
  const text = typeof err === 'string' ? err : err instanceof Error ? err.message : String(err);
  return text.replace(/^dicomParser[.:]\s*/i, '').replace(/\.$/, '');
}

function readMetaGroup(bytes: Uint8Array, start: number, needMore: (reason: string) => never) {
  const stream = new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, start);
  const elements: Record<string, Element> = {};
  // The group length (0002,0000) ends the meta where it says, so a second meta group stored in the
  // dataset (seen in the wild) cannot override the first; when it is wrong (the position passes it
  // without landing on it) it is ignored and the meta ends at the first non-0002 group.
  let declaredEnd: number | null = null;
  for (;;) {
    if (declaredEnd !== null && stream.position === declaredEnd) break;
    if (stream.position + 8 > bytes.length) {
      if (stream.position === bytes.length) break; // a meta group and nothing else
      needMore('The file meta group is truncated.');
    }
    if (u16le(bytes, stream.position) !== 0x0002) break;
    let element: Element;
    try {
      element = dicomParser.readDicomElementExplicit(stream, []);
    } catch {
      return needMore('The file meta group is malformed.');
    }
    if (element.length === 0xffffffff || element.dataOffset + element.length > bytes.length) {
      needMore(`The file meta element (${element.tag.slice(1, 5)},${element.tag.slice(5)}) runs past the end of the file.`);
    }
    if (element.tag === 'x00020000' && element.length === 4) {
      declaredEnd = stream.position + (bytes[element.dataOffset]! | (bytes[element.dataOffset + 1]! << 8) | (bytes[element.dataOffset + 2]! << 16)) + bytes[element.dataOffset + 3]! * 2 ** 24;
    } else if (declaredEnd !== null && stream.position > declaredEnd) {
      declaredEnd = null;
    }
    elements[element.tag] ??= element;
  }
  const text = (tag: string) => {
    const el = elements[tag];
    return el ? cleanAscii(bytes.subarray(el.dataOffset, el.dataOffset + el.length)) : '';
  };
  return {
    end: stream.position,
    transferSyntaxUid: text('x00020010') || null,
    mediaStorageSopClassUid: text('x00020002') || null,
  };
}

function inflateDataset(deflated: Uint8Array): Uint8Array {
  try {
    return zlib.inflateRawSync(deflated, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw unreadable(`The deflated dataset inflates to more than ${MAX_INFLATED_BYTES / 1024 / 1024} MB: refused.`);
    }
    throw unreadable(`The deflated dataset cannot be inflated: ${(err as Error).message}.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Header fields

const CHARSETS: Record<string, string> = {
  'ISO_IR 6': 'latin1',
  'ISO_IR 100': 'latin1',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

function textDecoderFor(specificCharacterSet: string): TextDecoder {
  // Only the first value matters without ISO 2022 code extensions, which fall back to Latin-1.
  const first = specificCharacterSet.split('\\')[0]!.trim();
  const label = CHARSETS[first] ?? 'latin1';
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('latin1');
  }
}

function cleanAscii(raw: Uint8Array): string {
  let s = '';
  for (const byte of raw) s += String.fromCharCode(byte);
  return s.replace(/[\0 ]+$/, '').trim();
}

class HeaderFields {
  private readonly decoder: TextDecoder;
  constructor(private readonly ds: DataSet) {
    this.decoder = textDecoderFor(this.ascii('x00080005') ?? '');
  }

  private raw(tag: string): Uint8Array | undefined {
    const el = this.ds.elements[tag];
    if (!el || el.length === 0 || el.length === 0xffffffff) return undefined;
    const bytes = this.ds.byteArray;
    if (el.dataOffset + el.length > bytes.length) return undefined;
    return bytes.subarray(el.dataOffset, el.dataOffset + el.length);
  }

  /** CS, UI, DA, TM, IS, DS: ASCII, padding removed; null when absent or empty. */
  ascii(tag: string): string | null {
    const raw = this.raw(tag);
    if (!raw) return null;
    const s = cleanAscii(raw);
    return s === '' ? null : s;
  }

  /** PN, LO, SH, ST, LT: decoded with Specific Character Set (0008,0005). */
  text(tag: string): string | null {
    const raw = this.raw(tag);
    if (!raw) return null;
    const s = this.decoder.decode(raw).replace(/[\0 ]+$/, '').trim();
    return s === '' ? null : s;
  }

  values(tag: string): string[] | null {
    const s = this.ascii(tag);
    return s === null ? null : s.split('\\').map((v) => v.trim());
  }

  /** DS / IS: every stored value kept; unparseable ones become NaN so VM errors stay visible. */
  numbers(tag: string): number[] | null {
    const values = this.values(tag);
    return values === null ? null : values.map((v) => (v === '' ? Number.NaN : Number(v)));
  }

  firstNumber(tag: string): number | null {
    const n = this.numbers(tag);
    return n && n.length > 0 && Number.isFinite(n[0]) ? n[0]! : null;
  }

  uint16(tag: string): number | null {
    const el = this.ds.elements[tag];
    if (!el || el.length < 2 || el.length === 0xffffffff) return null;
    return this.ds.uint16(tag) ?? null;
  }
}

const tagName = (group: string, element: string) => `(${group},${element})`;

function buildHeader(parsed: Parsed): DicomHeader {
  const f = new HeaderFields(parsed.dataSet);
  const require = <T>(value: T | null, what: string, tag: string): T => {
    if (value === null) throw unreadable(`Missing ${what} ${tag}.`);
    return value;
  };

  const sopClassUid = f.ascii('x00080016') ?? '';
  if (sopClassUid === MEDIA_DIRECTORY_SOP_CLASS || parsed.dataSet.elements['x00041220']) throw notAnImageDicomdir();
  const sopInstanceUid = require(f.ascii('x00080018'), 'SOP Instance UID', tagName('0008', '0018'));
  if (!parsed.dataSet.elements[PIXEL_DATA]) {
    throw unreadable('Not an image: the file has no Pixel Data (7FE0,0010) (for example a report or a structured document).');
  }
  const rows = require(f.uint16('x00280010'), 'Rows', tagName('0028', '0010'));
  const columns = require(f.uint16('x00280011'), 'Columns', tagName('0028', '0011'));
  if (rows === 0 || columns === 0) throw unreadable(`The image has ${rows} rows and ${columns} columns.`);
  const bitsAllocated = require(f.uint16('x00280100'), 'Bits Allocated', tagName('0028', '0100'));
  if (bitsAllocated !== 1 && (bitsAllocated === 0 || bitsAllocated % 8 !== 0 || bitsAllocated > 64)) {
    throw unreadable(`Bits Allocated (0028,0100) is ${bitsAllocated}, which no image uses.`);
  }
  const photometricInterpretation = require(f.ascii('x00280004'), 'Photometric Interpretation', tagName('0028', '0004'));
  const framesText = f.ascii('x00280008');
  const numberOfFrames = framesText === null ? 1 : Number(framesText);
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) throw unreadable(`Number of Frames (0028,0008) is "${framesText}", not a positive whole number.`);
  const studyInstanceUid = require(f.ascii('x0020000d'), 'Study Instance UID', tagName('0020', '000D'));
  const seriesInstanceUid = require(f.ascii('x0020000e'), 'Series Instance UID', tagName('0020', '000E'));

  const seriesNumber = f.firstNumber('x00200011');
  return {
    patientId: f.text('x00100020') ?? '',
    patientName: f.text('x00100010') ?? '',
    patientBirthDate: f.ascii('x00100030'),
    patientSex: f.ascii('x00100040'),
    studyInstanceUid,
    studyDate: f.ascii('x00080020'),
    studyTime: f.ascii('x00080030'),
    studyDescription: f.text('x00081030'),
    accessionNumber: f.text('x00080050'),
    seriesInstanceUid,
    seriesNumber: seriesNumber !== null && Number.isInteger(seriesNumber) ? seriesNumber : null,
    modality: f.ascii('x00080060'),
    bodyPartExamined: f.ascii('x00180015'),
    laterality: f.ascii('x00200060') ?? f.ascii('x00200062'),
    viewPosition: f.ascii('x00185101'),
    sopClassUid,
    sopInstanceUid,
    transferSyntaxUid: parsed.transferSyntaxUid,
    rows,
    columns,
    bitsAllocated,
    bitsStored: f.uint16('x00280101') ?? bitsAllocated,
    pixelRepresentation: f.uint16('x00280103') ?? 0,
    photometricInterpretation,
    samplesPerPixel: f.uint16('x00280002') ?? 1,
    numberOfFrames,
    pixelSpacing: f.numbers('x00280030'),
    imagerPixelSpacing: f.numbers('x00181164'),
    estimatedRadiographicMagnificationFactor: f.firstNumber('x00181114'),
    pixelSpacingCalibrationType: f.ascii('x00280a02'),
    patientOrientation: f.values('x00200020'),
    windowCenter: f.numbers('x00281050') ?? [],
    windowWidth: f.numbers('x00281051') ?? [],
    rescaleSlope: f.firstNumber('x00281053'),
    rescaleIntercept: f.firstNumber('x00281052'),
  };
}

// ---------------------------------------------------------------------------------------------
// Pixel data checks

/** Bytes the header says the frames need (uncompressed), computed without overflow risk. */
export function declaredPixelBytes(
  h: Pick<DicomHeader, 'rows' | 'columns' | 'numberOfFrames' | 'samplesPerPixel' | 'bitsAllocated' | 'photometricInterpretation'>,
): number {
  // YBR_*_422 stores two luminance samples and one pair of chroma samples per two pixels.
  const perPixel = /^YBR_(FULL|PARTIAL)_422$/.test(h.photometricInterpretation) ? 2 : Math.max(1, h.samplesPerPixel);
  const samples = h.rows * h.columns * h.numberOfFrames * perPixel;
  return h.bitsAllocated === 1 ? Math.ceil(samples / 8) : samples * (h.bitsAllocated / 8);
}

function finish(parsed: Parsed, file: ByteSource): DicomFileInfo {
  const header = buildHeader(parsed);
  const expected = declaredPixelBytes(header);
  if (expected > MAX_PIXEL_DATA_BYTES) {
    throw unreadable(
      `The header declares ${header.rows} × ${header.columns} pixels × ${header.numberOfFrames} frame(s) ` +
        `(${(expected / 2 ** 30).toFixed(1)} GB of pixel data): not a plausible image, refused.`,
    );
  }
  const source = parsed.pixelBytes ?? file;
  const element = parsed.dataSet.elements[PIXEL_DATA]!;
  const native = isNativeTransferSyntax(header.transferSyntaxUid);
  const available = source.size - element.dataOffset;
  let pixelData: PixelDataLayout;
  if (element.length !== 0xffffffff) {
    if (element.length > available) {
      throw unreadable(`The file is truncated: Pixel Data declares ${element.length} bytes but only ${Math.max(0, available)} follow.`);
    }
    if (!native) {
      throw unreadable(`Pixel Data has a fixed length although the transfer syntax (${transferSyntaxName(header.transferSyntaxUid)}) requires encapsulated fragments.`);
    }
    // Odd-length 8-bit data is padded to even; anything shorter than the frames is not whole.
    if (element.length < expected) {
      throw unreadable(
        `Pixel Data holds ${element.length} bytes but ${header.rows} × ${header.columns} × ${header.numberOfFrames} frame(s) ` +
          `at ${header.bitsAllocated} bits need ${expected}: the pixel data is incomplete or not what the header says.`,
      );
    }
    pixelData = { offset: element.dataOffset, length: element.length, encapsulated: false, fragments: 0 };
  } else {
    if (native) throw unreadable('Pixel Data has an undefined length, which an uncompressed transfer syntax does not allow.');
    const fragments = walkFragments(source, element.dataOffset);
    pixelData = { offset: element.dataOffset, length: null, encapsulated: true, fragments };
  }
  const inflatedDataset = parsed.pixelBytes ? parsed.pixelBytes.read(0, parsed.pixelBytes.size) : null;
  return { header, pixelData, mediaStorageSopClassUid: parsed.mediaStorageSopClassUid, inferredTransferSyntax: parsed.inferred, inflatedDataset };
}

/**
 * Follows the item headers of encapsulated pixel data to the Sequence Delimitation Item using
 * their lengths (never scanning for tag bytes, which can occur inside a codestream). Returns the
 * number of fragments after the Basic Offset Table.
 */
function walkFragments(source: ByteSource, start: number): number {
  let position = start;
  let items = 0;
  for (;;) {
    const head = source.read(position, 8);
    if (head.length < 8) {
      throw unreadable(`The file is truncated: its compressed pixel data ends after ${Math.max(0, items - 1)} fragment(s) without the closing delimiter.`);
    }
    const tag = `x${u16le(head, 0).toString(16).padStart(4, '0')}${u16le(head, 2).toString(16).padStart(4, '0')}`;
    const length = (head[4]! | (head[5]! << 8) | (head[6]! << 16)) + head[7]! * 2 ** 24;
    if (tag === SEQUENCE_DELIMITER) break;
    if (tag !== ITEM || length === 0xffffffff) {
      throw unreadable(`The compressed pixel data is malformed: found ${tag.slice(1, 5)},${tag.slice(5)} where a fragment item was expected.`);
    }
    if (position + 8 + length > source.size) {
      throw unreadable(`The file is truncated: a compressed pixel data fragment declares ${length} bytes but only ${source.size - position - 8} remain.`);
    }
    position += 8 + length;
    items += 1;
  }
  if (items < 2) throw unreadable('The compressed pixel data holds no image fragment.');
  return items - 1;
}
