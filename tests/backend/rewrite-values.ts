// Distinct test instances from one real film, without a DICOM writer (no __dirname: the benchmark
// bundles this file as ESM).
import dicomParser from 'dicom-parser';

/**
 * Returns a copy of a Part-10 file with some top-level values replaced in place (same element
 * length: shorter values are padded), so tests can make distinct instances without a DICOM writer.
 * Keys are dicom-parser tags (x0020000d); values are written as Latin-1.
 */
export function rewriteValues(bytes: Uint8Array, values: Record<string, string>): Buffer {
  const out = Buffer.from(bytes);
  const dataSet = dicomParser.parseDicom(out, { untilTag: 'x7fe00010' });
  for (const [tag, value] of Object.entries(values)) {
    const element = dataSet.elements[tag];
    if (!element) throw new Error(`rewriteValues: ${tag} is not in the file`);
    const encoded = Buffer.from(value, 'latin1');
    if (encoded.length > element.length) throw new Error(`rewriteValues: "${value}" does not fit the ${element.length} bytes of ${tag}`);
    const isUid = element.vr === 'UI' || /^x(0002000[23]|0008001[68]|0020000[de])$/.test(tag);
    out.fill(isUid ? 0 : 0x20, element.dataOffset, element.dataOffset + element.length);
    encoded.copy(out, element.dataOffset);
  }
  return out;
}

/** A UID of exactly `length` characters, unique per call (2.25 root + random decimal digits). */
export function uidOfLength(length: number): string {
  let uid = '2.25.';
  while (uid.length < length) uid += String(Math.floor(Math.random() * 10) || 1);
  return uid.slice(0, length);
}
