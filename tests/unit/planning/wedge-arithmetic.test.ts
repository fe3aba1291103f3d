import { describe, expect, it } from 'vitest';
import { gapChordMm, gapTangentMm, lmlrCorrectionDeg, micicoiReductionDeg } from '../../../shared/planning/wedge-arithmetic';

const rad = (d: number) => (d * Math.PI) / 180;

describe('clinical-spec §5 arithmetic checks from the literature', () => {
  it('closing wedge 12° over 56 mm → 56·tan 12° = 11.90 mm; over 75.2 mm → 15.98 mm', () => {
    expect(gapTangentMm(56, 12)).toBeCloseTo(56 * Math.tan(rad(12)), 9);
    expect(gapTangentMm(56, 12).toFixed(2)).toBe('11.90');
    expect(gapTangentMm(75.2, 12)).toBeCloseTo(75.2 * Math.tan(rad(12)), 9);
    expect(gapTangentMm(75.2, 12).toFixed(2)).toBe('15.98');
  });

  it('the exact opening chord is 2·L·sin(α/2)', () => {
    expect(gapChordMm(60, 10)).toBeCloseTo(2 * 60 * Math.sin(rad(5)), 12);
    // The chord is always shorter than L·tan α.
    expect(gapChordMm(60, 10)).toBeLessThan(gapTangentMm(60, 10));
  });

  it('"1 mm = 1°" holds only near L = 57 mm', () => {
    const L57 = 1 / Math.tan(rad(1));
    expect(L57).toBeCloseTo(57.29, 2);
    expect(gapTangentMm(L57, 1)).toBeCloseTo(1, 12);
    expect(gapChordMm(L57, 1)).toBeCloseTo(1, 3);
    // At a typical 75 mm osteotomy a 10° wedge opens about 13 mm, not 10.
    expect(gapChordMm(75, 10)).toBeCloseTo(150 * Math.sin(rad(5)), 12);
    expect(gapChordMm(75, 10)).toBeGreaterThan(13);
  });

  it('Micicoi with JLCA 6° → reduce 2.0°; nothing at or below 2°', () => {
    expect(micicoiReductionDeg(6)).toBeCloseTo(2.0, 12);
    expect(micicoiReductionDeg(2)).toBe(0);
    expect(micicoiReductionDeg(-1)).toBe(0);
  });

  it('LMLR with target 10°, ΔJLCA 3° → 9.0° (simple) / 8.741° (regression)', () => {
    expect(lmlrCorrectionDeg(10, 3, 'simple')).toBeCloseTo(9.0, 12);
    expect(lmlrCorrectionDeg(10, 3, 'regression')).toBeCloseTo(0.596 + 0.891 * 10 - 0.255 * 3, 12);
    expect(lmlrCorrectionDeg(10, 3, 'regression').toFixed(3)).toBe('8.741');
  });

  it('refuses nonsense input instead of returning NaN', () => {
    expect(() => gapChordMm(0, 10)).toThrow(/osteotomy length/);
    expect(() => gapChordMm(50, Number.NaN)).toThrow(/wedge angle/);
    expect(() => gapTangentMm(50, 90)).toThrow(/wedge angle/);
    expect(() => lmlrCorrectionDeg(10, -1, 'simple')).toThrow(/ΔJLCA/);
  });
});
