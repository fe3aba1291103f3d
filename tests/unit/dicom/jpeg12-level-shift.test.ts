import { describe, expect, it } from 'vitest';
import { fixJpeg12LevelShift } from '../../../shared/dicom/jpeg12-level-shift';

// The expression as it stands in cornerstone-wado-image-loader 4.13's minified JpegImage.
const ORIGINAL = 'U<=-2056/A.bitConversion?0:U>=2024/A.bitConversion?255/A.bitConversion:U+2056/A.bitConversion>>4';
const evaluate = (expr: string, v: number, precision: number) =>
  new Function('U', 'A', `return ${expr}`)(v, { bitConversion: 255 / (2 ** precision - 1) }) as number;

describe('12-bit JPEG level shift (shared/dicom/jpeg12-level-shift.ts)', () => {
  const { code, sites } = fixJpeg12LevelShift(`x=${ORIGINAL};`);
  const fixed = code.slice(2, -1);

  it('finds the one site and writes code a single-quoted string can hold', () => {
    expect(sites).toBe(1);
    expect(fixed).not.toMatch(/['\n]/);
    expect(fixJpeg12LevelShift('nothing to see').sites).toBe(0);
  });

  it('is the original for 8-bit samples', () => {
    for (let v = -2100; v <= 2100; v += 7) expect(evaluate(fixed, v, 8)).toBe(evaluate(ORIGINAL, v, 8));
  });

  it('centres 12-bit samples on 2048 (the original was 15 too high) and clamps to 0…4095', () => {
    // IDCT output v is 16 × (sample − 2048) in pdf.js's fixed point; +8 rounds.
    for (const sample of [0, 1, 100, 2047, 2048, 3000, 4094, 4095]) {
      const v = (sample - 2048) * 16;
      expect(evaluate(fixed, v, 12)).toBe(sample);
      if (sample > 100 && sample < 3000) expect(evaluate(ORIGINAL, v, 12)).toBe(sample + 15);
    }
    expect(evaluate(fixed, -40000, 12)).toBe(0);
    expect(evaluate(fixed, 40000, 12)).toBe(4095);
  });
});
