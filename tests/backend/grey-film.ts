// A small synthetic greyscale film for tests and benchmarks: 12 bits stored in 16, MONOCHROME2,
// explicit VR little endian, with whatever identifying elements the caller adds.
import { newUid, writeDicomFile, type DicomElement } from '../../electron/backend/dicom/write-dicom';

export function greyFilm(pixels: Uint16Array, rows: number, columns: number, elements: DicomElement[] = []): Buffer {
  const given = new Set(elements.map((e) => e.tag));
  const identity: DicomElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
    { tag: 0x00080018, vr: 'UI', value: newUid() },
    { tag: 0x0020000d, vr: 'UI', value: newUid() },
    { tag: 0x0020000e, vr: 'UI', value: newUid() },
  ];
  return writeDicomFile([
    ...identity.filter((e) => !given.has(e.tag)),
    ...elements,
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: columns },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 12 },
    { tag: 0x00280102, vr: 'US', value: 11 },
    { tag: 0x00280103, vr: 'US', value: 0 },
    { tag: 0x7fe00010, vr: 'OW', value: pixels },
  ]);
}
