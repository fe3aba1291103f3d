// A small synthetic greyscale film for tests and benchmarks: 12 bits stored in 16, MONOCHROME2,
// explicit VR little endian, with whatever identifying elements the caller adds.
import { grayscalePixels, newUid, writeDicomFile, type DicomElement } from '../../electron/backend/dicom/write-dicom';

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
    ...grayscalePixels(rows, columns, 12, pixels),
  ]);
}
