// Wedge arithmetic and soft-tissue adjustments (clinical-spec §5).
import { EngineError } from '../geometry/errors';
import { toRad } from '../geometry/vec';

function checkAngle(alphaDeg: number): void {
  if (!Number.isFinite(alphaDeg) || alphaDeg < 0 || alphaDeg >= 90) {
    throw new EngineError('INVALID_INPUT', `A wedge angle must be between 0° and 90°, not ${String(alphaDeg)}.`);
  }
}

function checkLength(lengthMm: number): void {
  if (!Number.isFinite(lengthMm) || lengthMm <= 0) {
    throw new EngineError('INVALID_INPUT', `The osteotomy length must be a positive number of mm, not ${String(lengthMm)}.`);
  }
}

/** clinical-spec §5: the exact opening (or closing-wedge base) chord, 2·L·sin(α/2). */
export function gapChordMm(osteotomyLengthMm: number, wedgeAngleDeg: number): number {
  checkLength(osteotomyLengthMm);
  checkAngle(wedgeAngleDeg);
  return 2 * osteotomyLengthMm * Math.sin(toRad(wedgeAngleDeg) / 2);
}

/** clinical-spec §5: L·tan α, shown for comparison with the chord (the "1 mm = 1°" rule holds only near L = 57 mm). */
export function gapTangentMm(osteotomyLengthMm: number, wedgeAngleDeg: number): number {
  checkLength(osteotomyLengthMm);
  checkAngle(wedgeAngleDeg);
  return osteotomyLengthMm * Math.tan(toRad(wedgeAngleDeg));
}

/** clinical-spec §5 (JLCA > 2°, soft-tissue laxity): the Micicoi reduction of the correction, (JLCA − 2)/2 degrees. */
export function micicoiReductionDeg(jlcaDeg: number): number {
  if (!Number.isFinite(jlcaDeg)) throw new EngineError('INVALID_INPUT', 'JLCA must be a number of degrees.');
  return jlcaDeg > 2 ? (jlcaDeg - 2) / 2 : 0;
}

export type LmlrFormula = 'simple' | 'regression';

/**
 * clinical-spec §5 (LMLR): the correction angle adjusted for ΔJLCA. Regression form
 * 0.596 + 0.891·α − 0.255·ΔJLCA (spec check: α 10°, ΔJLCA 3° → 8.741°). The spec gives only the
 * worked value for the simple form (10°, 3° → 9.0°); α − ΔJLCA/3 is the reading used here.
 */
export function lmlrCorrectionDeg(targetCorrectionDeg: number, deltaJlcaDeg: number, formula: LmlrFormula): number {
  if (!Number.isFinite(targetCorrectionDeg) || !Number.isFinite(deltaJlcaDeg) || deltaJlcaDeg < 0) {
    throw new EngineError('INVALID_INPUT', 'LMLR needs a correction angle and a non-negative ΔJLCA in degrees.');
  }
  return formula === 'regression' ? 0.596 + 0.891 * targetCorrectionDeg - 0.255 * deltaJlcaDeg : targetCorrectionDeg - deltaJlcaDeg / 3;
}
