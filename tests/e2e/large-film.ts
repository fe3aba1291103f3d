// A generated 3000×9000 16-bit uncompressed film (the size of a stitched standing long-leg
// radiograph) with a known pixel pattern, so the rendered canvas can be checked value by value.
import { writeFileSync } from 'node:fs';
import { grayscalePixels, newUid, writeDicomFile, type DicomElement } from '../../electron/backend/dicom/write-dicom';

export const LARGE_COLUMNS = 3000;
export const LARGE_ROWS = 9000;

/**
 * Stored value at (x, y): a vertical ramp (0..45000, to see orientation) plus per-pixel hashed
 * noise of 14 bits, so a rendering shifted by even one pixel no longer matches.
 */
export function largeFilmValue(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 16;
  return Math.floor((y * 45000) / LARGE_ROWS) + (h & 0x3fff);
}

export function writeLargeFilm(file: string, opts: { patientId?: string; patientName?: string } = {}): void {
  const pixels = new Uint16Array(LARGE_COLUMNS * LARGE_ROWS);
  for (let y = 0; y < LARGE_ROWS; y++) {
    const row = y * LARGE_COLUMNS;
    for (let x = 0; x < LARGE_COLUMNS; x++) pixels[row + x] = largeFilmValue(x, y);
  }
  const elements: DicomElement[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' }, // Digital X-Ray Image, for presentation
    { tag: 0x00080018, vr: 'UI', value: newUid() },
    { tag: 0x00080020, vr: 'DA', value: '20240315' },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x00100010, vr: 'PN', value: opts.patientName ?? 'LONGLEG^Generated' },
    { tag: 0x00100020, vr: 'LO', value: opts.patientId ?? 'GEN-3000x9000' },
    { tag: 0x00180015, vr: 'CS', value: 'LEG' },
    { tag: 0x00181114, vr: 'DS', value: '1.0909' },
    { tag: 0x00181164, vr: 'DS', value: ['0.143', '0.143'] },
    { tag: 0x0020000d, vr: 'UI', value: newUid() },
    { tag: 0x0020000e, vr: 'UI', value: newUid() },
    { tag: 0x00200011, vr: 'IS', value: '1' },
    { tag: 0x00200013, vr: 'IS', value: '1' },
    { tag: 0x00281050, vr: 'DS', value: '32768' },
    { tag: 0x00281051, vr: 'DS', value: '65536' },
    ...grayscalePixels(LARGE_ROWS, LARGE_COLUMNS, 16, pixels),
  ];
  writeFileSync(file, writeDicomFile(elements));
}

