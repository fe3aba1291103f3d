import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { newUid, writeDicomFile, type DicomElement } from '../../electron/backend/dicom/write-dicom';
import { dcmdump, dcmdumpClean, expectDumpLines } from './dcmdump';

const TMP = join(__dirname, '..', '.tmp', 'write-dicom');
mkdirSync(TMP, { recursive: true });

const SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';

function sampleDataset(sopInstanceUid: string): DicomElement[] {
  const pixels = new Uint16Array(4 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = i * 300 + 7;
  // Deliberately out of tag order: the writer must sort.
  return [
    { tag: 0x7fe00010, vr: 'OW', value: pixels },
    { tag: 0x00100010, vr: 'PN', value: 'DOE^JOHN' },
    { tag: 0x00080016, vr: 'UI', value: SOP_CLASS },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x00100020, vr: 'LO', value: 'ODD' }, // odd length -> space padding
    { tag: 0x00181164, vr: 'DS', value: [0.15, 0.148] },
    { tag: 0x00181114, vr: 'DS', value: 1.1 },
    { tag: 0x00200020, vr: 'CS', value: ['L', 'F'] },
    { tag: 0x00280010, vr: 'US', value: 3 },
    { tag: 0x00280011, vr: 'US', value: 4 },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00281050, vr: 'DS', value: 2048 },
    { tag: 0x00200013, vr: 'IS', value: 1 },
    { tag: 0x00189219, vr: 'FD', value: Math.PI }, // arbitrary FD (Tag Angle Second Axis)
    { tag: 0x00321060, vr: 'LO', value: 'Long-leg standing AP' },
    { tag: 0x00204000, vr: 'LT', value: 'Text with a \\ backslash is one value in LT' },
    {
      tag: 0x00082218, // Anatomic Region Sequence: one item with a code
      vr: 'SQ',
      value: [
        [
          { tag: 0x00080104, vr: 'LO', value: 'Lower limb' },
          { tag: 0x00080100, vr: 'SH', value: 'T-D9000' },
          { tag: 0x00080102, vr: 'SH', value: 'SRT' },
        ],
      ],
    },
  ];
}

describe('writeDicomFile', () => {
  const uid = newUid();
  const file = writeDicomFile(sampleDataset(uid));
  const path = join(TMP, 'sample.dcm');
  writeFileSync(path, file);

  it('writes a Part-10 preamble and the DICM magic', () => {
    expect(file.subarray(0, 128).every((b) => b === 0)).toBe(true);
    expect(file.subarray(128, 132).toString('latin1')).toBe('DICM');
  });

  it('dcmdump reads it without warnings and prints the values we wrote', () => {
    // +L: print long values in full
    expectDumpLines(dcmdumpClean(path, '+L'), [
      /\(0002,0002\) UI =DigitalXRayImageStorageForPresentation/,
      `(0002,0003) UI [${uid}]`,
      /\(0002,0010\) UI =LittleEndianExplicit/,
      '(0002,0013) SH [OSTEOPLAN_010]',
      '(0010,0010) PN [DOE^JOHN]',
      '(0010,0020) LO [ODD]',
      '(0018,1164) DS [0.15\\0.148]',
      '(0018,1114) DS [1.1]',
      '(0020,0020) CS [L\\F]',
      '(0028,0010) US 3',
      '(0028,0011) US 4',
      '(0028,0101) US 12',
      '(0018,9219) FD 3.1415926535897931',
      '(0008,0104) LO [Lower limb]',
      '(0020,4000) LT [Text with a \\ backslash is one value in LT]',
      /\(7fe0,0010\) OW 0007\\0133\\025f/,
    ]);
  });

  it('writes the meta group length dcmtk agrees with', () => {
    // dcmdump prints the stored group length; +L prints long values. The length must equal the bytes after it.
    const r = dcmdump(path);
    const stored = Number(/\(0002,0000\) UL (\d+)/.exec(r.stdout)?.[1]);
    // Meta group runs from offset 132 + 12 (the group-length element itself) to the first non-0002 tag.
    let offset = 132 + 12;
    while (file.readUInt16LE(offset) === 0x0002) {
      const vr = file.toString('latin1', offset + 4, offset + 6);
      const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
      const len = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6);
      offset += (long ? 12 : 8) + len;
    }
    expect(stored).toBe(offset - 132 - 12);
    expect(stored % 2).toBe(0);
  });

  it('sorts the dataset by tag', () => {
    const tags = [...dcmdump(path).stdout.matchAll(/^\((\w{4}),(\w{4})\)/gm)].map((m) => parseInt(m[1]! + m[2]!, 16));
    // Skip the item/sequence delimiters dcmdump prints for re-encoding (group FFFE).
    const dataset = tags.filter((t) => t >= 0x00080000 && t < 0xfffe0000);
    expect(dataset).toEqual([...dataset].sort((a, b) => a - b));
    expect(dataset.length).toBeGreaterThan(15);
  });

  it('round-trips through dicom-parser', () => {
    const ds = dicomParser.parseDicom(new Uint8Array(file));
    expect(ds.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(ds.string('x00080018')).toBe(uid);
    expect(ds.string('x00100020')).toBe('ODD');
    expect(ds.floatString('x00181164', 0)).toBe(0.15);
    expect(ds.floatString('x00181164', 1)).toBe(0.148);
    expect(ds.uint16('x00280010')).toBe(3);
    expect(ds.double('x00189219')).toBe(Math.PI);
    expect(ds.elements.x00082218?.items?.[0]?.dataSet?.string('x00080100')).toBe('T-D9000');
    const px = ds.elements.x7fe00010!;
    expect(px.length).toBe(24);
    const view = new Uint16Array(file.buffer.slice(file.byteOffset + px.dataOffset, file.byteOffset + px.dataOffset + px.length));
    expect(Array.from(view)).toEqual(Array.from({ length: 12 }, (_, i) => i * 300 + 7));
  });

  it('pads odd values: UI with NUL, text with space, OB with NUL', () => {
    const el = writeDicomFile([
      { tag: 0x00080016, vr: 'UI', value: '1.2.3' },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3.4' },
      { tag: 0x00091010, vr: 'OB', value: new Uint8Array([1, 2, 3]) },
    ]);
    const ds = dicomParser.parseDicom(new Uint8Array(el));
    const ui = ds.elements.x00080016!;
    expect(ui.length).toBe(6);
    expect(el[ui.dataOffset + 5]).toBe(0x00);
    const ob = ds.elements.x00091010!;
    expect(ob.length).toBe(4);
    expect(Array.from(el.subarray(ob.dataOffset, ob.dataOffset + 4))).toEqual([1, 2, 3, 0]);
    const withLo = writeDicomFile([
      { tag: 0x00080016, vr: 'UI', value: '1.2' },
      { tag: 0x00080018, vr: 'UI', value: '1.2' },
      { tag: 0x00100020, vr: 'LO', value: 'ABC' },
    ]);
    const lo2 = dicomParser.parseDicom(new Uint8Array(withLo)).elements.x00100020!;
    expect(withLo[lo2.dataOffset + 3]).toBe(0x20);
  });

  it('writes UTF-8 text when SpecificCharacterSet is ISO_IR 192, and refuses non-ASCII otherwise', () => {
    const base: DicomElement[] = [
      { tag: 0x00080016, vr: 'UI', value: SOP_CLASS },
      { tag: 0x00080018, vr: 'UI', value: newUid() },
      { tag: 0x00100010, vr: 'PN', value: 'Müller^Zoë' },
    ];
    expect(() => writeDicomFile(base)).toThrow(/non-ASCII.*ISO_IR 192/);
    const buf = writeDicomFile([...base, { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' }]);
    const p = join(TMP, 'utf8.dcm');
    writeFileSync(p, buf);
    expect(dcmdumpClean(p, '+U8')).toContain('(0010,0010) PN [Müller^Zoë]');
  });

  it('writes Implicit VR Little Endian when asked', () => {
    const buf = writeDicomFile(sampleDataset(newUid()), { transferSyntaxUid: '1.2.840.10008.1.2' });
    const p = join(TMP, 'implicit.dcm');
    writeFileSync(p, buf);
    expectDumpLines(dcmdumpClean(p), [/\(0002,0010\) UI =LittleEndianImplicit/, '(0018,1164) DS [0.15\\0.148]', '(0008,0104) LO [Lower limb]']);
  });

  it('writes encapsulated pixel data that dcmtk can decode', () => {
    // Compress our own uncompressed file with dcmtk's RLE encoder, extract its fragment, re-wrap it.
    const src = join(TMP, 'for-rle.dcm');
    const rle = join(TMP, 'rle.dcm');
    writeFileSync(src, file);
    execFileSync('dcmcrle', [src, rle]);
    const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(rle)));
    const frag = ds.elements.x7fe00010!.fragments![0]!;
    const rleBytes = readFileSync(rle);
    const fragment = new Uint8Array(rleBytes.subarray(frag.position, frag.position + frag.length));
    const rewrapped = sampleDataset(newUid()).map((e) => (e.tag === 0x7fe00010 ? { tag: e.tag, vr: 'OB', value: [fragment] } : e));
    const out = join(TMP, 'rewrapped-rle.dcm');
    writeFileSync(out, writeDicomFile(rewrapped, { transferSyntaxUid: '1.2.840.10008.1.2.5' }));
    dcmdumpClean(out); // dcmtk reads the re-wrapped file without a warning
    const back = join(TMP, 'rewrapped-decoded.dcm');
    execFileSync('dcmdrle', [out, back]);
    const dec = dicomParser.parseDicom(new Uint8Array(readFileSync(back)));
    const px = dec.elements.x7fe00010!;
    const bytes = readFileSync(back).subarray(px.dataOffset, px.dataOffset + px.length);
    expect(Array.from(new Uint16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)))).toEqual(
      Array.from({ length: 12 }, (_, i) => i * 300 + 7),
    );
  });

  it('rejects bad input with clear messages', () => {
    const uidEls: DicomElement[] = [
      { tag: 0x00080016, vr: 'UI', value: SOP_CLASS },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3' },
    ];
    expect(() => writeDicomFile([uidEls[0]!])).toThrow(/SOPInstanceUID \(0008,0018\)/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x00100010, vr: 'PN', value: 'A' }, { tag: 0x00100010, vr: 'PN', value: 'B' }])).toThrow(
      /\(0010,0010\).*twice/,
    );
    expect(() => writeDicomFile([...uidEls, { tag: 0x00100010, vr: 'XX', value: 'A' }])).toThrow(/unsupported VR "XX"/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x00020010, vr: 'UI', value: '1.2' }])).toThrow(/group 0002/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x00181164, vr: 'DS', value: Number.NaN }])).toThrow(/finite/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x00100020, vr: 'LO', value: 'x'.repeat(65) }])).toThrow(/longer than 64/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x0020000d, vr: 'UI', value: '1.2.abc' }])).toThrow(/not a valid UID/);
    expect(() => writeDicomFile([...uidEls, { tag: 0x00280010, vr: 'US', value: 70000 }])).toThrow(/does not fit in US/);
    expect(() => writeDicomFile(uidEls, { transferSyntaxUid: '1.2.840.10008.1.2.2' })).toThrow(/Cannot write transfer syntax/);
  });

  it('formats DS values in at most 16 characters', () => {
    const buf = writeDicomFile([
      { tag: 0x00080016, vr: 'UI', value: SOP_CLASS },
      { tag: 0x00080018, vr: 'UI', value: '1.2.3' },
      { tag: 0x00181164, vr: 'DS', value: [1 / 3, 123456789.12345679] },
    ]);
    const ds = dicomParser.parseDicom(new Uint8Array(buf));
    const parts = ds.string('x00181164')!.split('\\');
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(16);
    expect(Number(parts[0])).toBeCloseTo(1 / 3, 12);
    expect(Number(parts[1])).toBeCloseTo(123456789.12345679, 5);
  });
});

describe('newUid', () => {
  it('is 2.25.<decimal of a 128-bit value>, at most 64 characters, and unique', () => {
    const uids = Array.from({ length: 200 }, () => newUid());
    for (const u of uids) {
      expect(u).toMatch(/^2\.25\.(0|[1-9][0-9]*)$/);
      expect(u.length).toBeLessThanOrEqual(64);
      expect(BigInt(u.slice(5)) < 2n ** 128n).toBe(true);
    }
    expect(new Set(uids).size).toBe(uids.length);
  });
});
