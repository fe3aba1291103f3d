// The measurement engine (clinical-spec §3): every measure is a pure function of the stored
// landmark set and the calibration, computed in the leg frame (mm, x lateral, y proximal).
// A half-placed set still yields what it can; each unavailable measure names what is missing.
import type { Calibration, CalibrationType } from '../schemas/calibration';
import type { LandmarkSet } from '../schemas/landmark-set';
import { EngineError, isEngineError, type EngineErrorCode } from '../geometry/errors';
import { createLegFrame, legToPixel, type LegFrame, type Side } from '../geometry/frame';
import {
  angleBetweenDeg,
  distance,
  lerp,
  lineIntersectionParam,
  signedAngleDeg,
  signedDistanceToLine,
  sub,
  type Vec2,
} from '../geometry/vec';
import { landmarkLabel } from '../landmarks/catalogue';
import type { LandmarkId } from '../landmarks/ids';
import { resolveLandmarks, type KeyPointId, type ResolvedLandmarks } from '../landmarks/resolve';
import {
  CPAK_LIMITS,
  IDENTITY_TOLERANCE_DEG,
  MALALIGNMENT_LIMITS,
  MEASURE_DEFINITIONS,
  MEASURE_IDS,
  type MeasureId,
  type MeasureUnit,
  type NormalRange,
} from './definitions';
import { fixed1, formatHka, ROMAN } from './format';

export const ALGORITHM_VERSION = 1;

export type MeasureStatus = 'normal' | 'low' | 'high' | 'info' | 'unavailable';
export type MeasureDirection =
  | 'varus'
  | 'valgus'
  | 'neutral'
  | 'medial'
  | 'lateral'
  | 'apex-distal'
  | 'apex-proximal'
  | 'left-longer'
  | 'right-longer'
  | 'equal';

export interface Measurement {
  id: MeasureId | 'legLengthDifference';
  label: string;
  /** Full precision; null when unavailable (never NaN). */
  value: number | null;
  unit: MeasureUnit;
  display: string;
  normal: NormalRange | null;
  /** 'info' = a value without a normal range (WBL %, lengths, CPAK type). */
  status: MeasureStatus;
  /** Landmark ids still to place for this measure. */
  missing: string[];
  requiresCalibration: boolean;
  /** Why it is unavailable, in words; null when available. */
  reason: string | null;
  errorCode: EngineErrorCode | null;
  direction: MeasureDirection | null;
  /** For mm values: which calibration they rest on (clinical-spec §4: always shown). */
  calibrationType: CalibrationType | null;
}

export type KeyPointResult =
  | { available: true; pixel: Vec2; derivation: string }
  | { available: false; pixel: null; missing: string[]; reason: string };

export interface FemoralHeadCircleResult {
  centre: Vec2;
  /** Semi-axes in pixels: a circle in mm is an ellipse in pixels when pixels are not square. */
  radiusXPx: number;
  radiusYPx: number;
  /** null when uncalibrated. */
  radiusMm: number | null;
  rmsResidualMm: number | null;
}

export interface IdentityCheck {
  status: 'ok' | 'violated' | 'unavailable';
  /** HKA − (MPTA − mLDFA − JLCA), degrees. */
  residualDeg: number | null;
  message: string;
}

export type MalalignmentOrigin = 'femoral' | 'tibial' | 'joint';

export interface MalalignmentVerdict {
  status: 'normal' | 'malalignment' | 'unavailable';
  origins: MalalignmentOrigin[];
  verdict: string;
}

export interface LegAlignment {
  algorithmVersion: number;
  side: Side;
  calibration: Calibration;
  measurements: Record<MeasureId, Measurement>;
  keyPoints: Record<KeyPointId, KeyPointResult>;
  femoralHeadCircle: FemoralHeadCircleResult | null;
  /** Where line H–A crosses the plateau line, in pixels (for the overlay). */
  wblPoint: Vec2 | null;
  identityCheck: IdentityCheck;
  malalignment: MalalignmentVerdict;
  warnings: string[];
}

/**
 * clinical-spec §1, §4: the leg frame for a set and calibration. Uncalibrated images use 1 unit
 * per pixel on both axes: angles and WBL % stay valid, mm values are withheld.
 */
export function legFrameFor(set: Pick<LandmarkSet, 'side' | 'imageFlipped'>, calibration: Calibration): LegFrame {
  if (calibration.type === 'uncalibrated') return createLegFrame(set.side, set.imageFlipped, 1, 1);
  if (calibration.rowSpacingMm === null || calibration.columnSpacingMm === null) {
    throw new EngineError('INVALID_SPACING', `A ${calibration.type} calibration needs both spacings; got none.`);
  }
  return createLegFrame(set.side, set.imageFlipped, calibration.rowSpacingMm, calibration.columnSpacingMm);
}

type PointKey = LandmarkId | KeyPointId;

/** Gathers the points a measure needs, reporting every missing one at once. */
function need<K extends PointKey>(r: ResolvedLandmarks, keys: readonly K[]): Record<K, Vec2> {
  const out = {} as Record<K, Vec2>;
  const missing: string[] = [];
  let failure: EngineError | null = null;
  for (const key of keys) {
    if (key === 'femoralHeadCentre' || key === 'kneeCentre' || key === 'ankleCentre') {
      const res = r[key as KeyPointId];
      if (res.ok) out[key] = res.point;
      else if (res.error.code === 'MISSING_LANDMARK') missing.push(...res.error.missing.filter((m) => !missing.includes(m)));
      else failure ??= res.error;
    } else {
      const p = r.points[key as LandmarkId];
      if (p) out[key] = p;
      else if (!missing.includes(key)) missing.push(key);
    }
  }
  if (missing.length) {
    throw new EngineError('MISSING_LANDMARK', `Place ${missing.map(landmarkLabel).join(', ')}.`, missing);
  }
  if (failure) throw failure;
  return out;
}

function statusFor(value: number, normal: NormalRange | null): MeasureStatus {
  if (!normal) return 'info';
  if (value < normal.low) return 'low';
  if (value > normal.high) return 'high';
  return 'normal';
}

interface Computed {
  value: number;
  display?: string;
  direction?: MeasureDirection | null;
}

function unavailable(id: MeasureId, err: unknown, calibration: Calibration): Measurement {
  const d = MEASURE_DEFINITIONS[id];
  const engineErr = isEngineError(err) ? err : new EngineError('DEGENERATE_GEOMETRY', String((err as Error)?.message ?? err));
  return {
    id,
    label: d.label,
    value: null,
    unit: d.unit,
    display: engineErr.code === 'MISSING_LANDMARK' ? '—' : engineErr.code === 'CALIBRATION_REQUIRED' ? 'needs calibration' : 'cannot compute',
    normal: d.normal,
    status: 'unavailable',
    missing: [...engineErr.missing],
    requiresCalibration: d.requiresCalibration,
    reason: engineErr.message,
    errorCode: engineErr.code,
    direction: null,
    calibrationType: d.unit === 'mm' ? calibration.type : null,
  };
}

function measure(id: MeasureId, calibration: Calibration, compute: () => Computed): Measurement {
  const d = MEASURE_DEFINITIONS[id];
  try {
    const c = compute();
    if (!Number.isFinite(c.value)) {
      throw new EngineError('DEGENERATE_GEOMETRY', `${d.label} cannot be computed from these points (coincident or parallel lines).`);
    }
    const defaultDisplay =
      d.unit === 'deg' ? `${fixed1(c.value)}°` : d.unit === '%' ? `${fixed1(c.value)} %` : d.unit === 'mm' ? `${fixed1(c.value)} mm` : String(c.value);
    let display = c.display ?? defaultDisplay;
    if (d.unit === 'mm') display += ` (${calibration.type})`;
    return {
      id,
      label: d.label,
      value: c.value,
      unit: d.unit,
      display,
      normal: d.normal,
      status: statusFor(c.value, d.normal),
      missing: [],
      requiresCalibration: d.requiresCalibration,
      reason: null,
      errorCode: null,
      direction: c.direction ?? null,
      calibrationType: d.unit === 'mm' ? calibration.type : null,
    };
  } catch (err) {
    if (!isEngineError(err)) throw err;
    return unavailable(id, err, calibration);
  }
}

function requireCalibration(calibration: Calibration, label: string): void {
  if (calibration.type === 'uncalibrated') {
    throw new EngineError('CALIBRATION_REQUIRED', `${label} is in mm: calibrate the image (marker line or sphere) to see it.`);
  }
}

/** Classification ignores floating-point noise: a value 1e-13 off a band edge counts as on it. */
const band = (v: number) => Math.round(v * 1e9) / 1e9;

/** clinical-spec §3 CPAK: the aHKA band. */
export function cpakAhkaBand(ahkaDeg: number): 'varus' | 'neutral' | 'valgus' {
  const v = band(ahkaDeg);
  if (v < CPAK_LIMITS.ahkaNeutral.low) return 'varus';
  if (v > CPAK_LIMITS.ahkaNeutral.high) return 'valgus';
  return 'neutral';
}

/** clinical-spec §3 CPAK: the JLO band (apex distal < 177, neutral 177–183, apex proximal > 183). */
export function cpakJloBand(jloDeg: number): 'apex-distal' | 'neutral' | 'apex-proximal' {
  const v = band(jloDeg);
  if (v < CPAK_LIMITS.jloNeutral.low) return 'apex-distal';
  if (v > CPAK_LIMITS.jloNeutral.high) return 'apex-proximal';
  return 'neutral';
}

/** clinical-spec §3: CPAK type 1–9 from aHKA and JLO (rows apex distal I–III, neutral IV–VI, apex proximal VII–IX). */
export function cpakType(ahkaDeg: number, jloDeg: number): number {
  const col = { varus: 0, neutral: 1, valgus: 2 }[cpakAhkaBand(ahkaDeg)];
  const row = { 'apex-distal': 0, neutral: 1, 'apex-proximal': 2 }[cpakJloBand(jloDeg)];
  return row * 3 + col + 1;
}

/**
 * clinical-spec §3: every measurement for one leg from (landmark set, calibration). Throws only
 * for an invalid calibration or side (INVALID_SPACING / INVALID_INPUT); missing or degenerate
 * landmarks give `unavailable` results instead.
 */
export function computeLegAlignment(set: LandmarkSet, calibration: Calibration): LegAlignment {
  const frame = legFrameFor(set, calibration);
  return alignmentFromResolved(set, calibration, resolveLandmarks(set, frame));
}

/** clinical-spec §3: the measurements from already-resolved landmarks (the planner resolves once and reuses it). */
export function alignmentFromResolved(set: LandmarkSet, calibration: Calibration, r: ResolvedLandmarks): LegAlignment {
  const frame = r.frame;
  const m = {} as Record<MeasureId, Measurement>;
  const cal = calibration;
  const calibrated = calibration.type !== 'uncalibrated';

  m.hka = measure('hka', cal, () => {
    const p = need(r, ['femoralHeadCentre', 'kneeCentre', 'ankleCentre']);
    // Turn from the femoral axis (H→K) onto the tibial axis (K→A): negative = varus (§3).
    const value = signedAngleDeg(sub(p.kneeCentre, p.femoralHeadCentre), sub(p.ankleCentre, p.kneeCentre), 'HKA');
    return { value, display: formatHka(value), direction: value < 0 ? 'varus' : value > 0 ? 'valgus' : 'neutral' };
  });

  m.mad = measure('mad', cal, () => {
    const p = need(r, ['femoralHeadCentre', 'kneeCentre', 'ankleCentre']);
    // Medial-positive: the knee lies lateral of line H–A when the line passes medial to it.
    const value = signedDistanceToLine(p.kneeCentre, p.femoralHeadCentre, p.ankleCentre, 'mechanical axis H–A');
    const direction: MeasureDirection = value > 0 ? 'medial' : value < 0 ? 'lateral' : 'neutral';
    requireCalibration(cal, 'MAD');
    return { value, direction, display: `${fixed1(Math.abs(value))} mm${direction === 'neutral' ? '' : ` ${direction}`}` };
  });

  let wblPoint: Vec2 | null = null;
  m.wbl = measure('wbl', cal, () => {
    const p = need(r, ['femoralHeadCentre', 'ankleCentre', 'tibialPlateauMedial', 'tibialPlateauLateral']);
    const t = lineIntersectionParam(p.tibialPlateauMedial, p.tibialPlateauLateral, p.femoralHeadCentre, p.ankleCentre, 'WBL crossing');
    wblPoint = legToPixel(frame, lerp(p.tibialPlateauMedial, p.tibialPlateauLateral, t));
    return { value: t * 100 };
  });

  m.mlpfa = measure('mlpfa', cal, () => {
    const p = need(r, ['femoralHeadCentre', 'kneeCentre', 'greaterTrochanterTip']);
    return { value: angleBetweenDeg(sub(p.kneeCentre, p.femoralHeadCentre), sub(p.greaterTrochanterTip, p.femoralHeadCentre), 'mLPFA') };
  });

  m.mldfa = measure('mldfa', cal, () => {
    const p = need(r, ['femoralHeadCentre', 'kneeCentre', 'femoralCondyleMedial', 'femoralCondyleLateral']);
    return { value: angleBetweenDeg(sub(p.femoralHeadCentre, p.kneeCentre), sub(p.femoralCondyleLateral, p.femoralCondyleMedial), 'mLDFA') };
  });

  m.mpta = measure('mpta', cal, () => {
    const p = need(r, ['kneeCentre', 'ankleCentre', 'tibialPlateauMedial', 'tibialPlateauLateral']);
    return { value: angleBetweenDeg(sub(p.ankleCentre, p.kneeCentre), sub(p.tibialPlateauMedial, p.tibialPlateauLateral), 'MPTA') };
  });

  m.ldta = measure('ldta', cal, () => {
    const p = need(r, ['kneeCentre', 'ankleCentre', 'plafondMedial', 'plafondLateral']);
    return { value: angleBetweenDeg(sub(p.kneeCentre, p.ankleCentre), sub(p.plafondLateral, p.plafondMedial), 'LDTA') };
  });

  m.jlca = measure('jlca', cal, () => {
    const p = need(r, ['femoralCondyleMedial', 'femoralCondyleLateral', 'tibialPlateauMedial', 'tibialPlateauLateral']);
    // Positive when the condylar line turns counter-clockwise from the plateau line, i.e. the gap opens laterally.
    return {
      value: signedAngleDeg(sub(p.tibialPlateauLateral, p.tibialPlateauMedial), sub(p.femoralCondyleLateral, p.femoralCondyleMedial), 'JLCA'),
    };
  });

  m.aldfa = measure('aldfa', cal, () => {
    const p = need(r, ['femoralShaftProximal', 'femoralShaftDistal', 'femoralCondyleMedial', 'femoralCondyleLateral']);
    return { value: angleBetweenDeg(sub(p.femoralShaftProximal, p.femoralShaftDistal), sub(p.femoralCondyleLateral, p.femoralCondyleMedial), 'aLDFA') };
  });

  m.ama = measure('ama', cal, () => {
    const p = need(r, ['femoralShaftProximal', 'femoralShaftDistal', 'femoralHeadCentre', 'kneeCentre']);
    return { value: angleBetweenDeg(sub(p.femoralShaftProximal, p.femoralShaftDistal), sub(p.femoralHeadCentre, p.kneeCentre), 'AMA') };
  });

  const fromBoth = (id: MeasureId, f: (mpta: number, mldfa: number) => Computed) =>
    measure(id, cal, () => {
      if (m.mpta.value === null || m.mldfa.value === null) {
        const missing = [...new Set([...m.mpta.missing, ...m.mldfa.missing])];
        if (missing.length) throw new EngineError('MISSING_LANDMARK', `Place ${missing.map(landmarkLabel).join(', ')}.`, missing);
        throw new EngineError('DEGENERATE_GEOMETRY', `${MEASURE_DEFINITIONS[id].label} needs MPTA and mLDFA: ${m.mpta.reason ?? m.mldfa.reason}`);
      }
      return f(m.mpta.value, m.mldfa.value);
    });

  m.ahka = fromBoth('ahka', (mpta, mldfa) => {
    const value = mpta - mldfa;
    const ahkaBand = cpakAhkaBand(value);
    return { value, display: `${fixed1(value)}° (${ahkaBand})`, direction: ahkaBand };
  });
  m.jlo = fromBoth('jlo', (mpta, mldfa) => {
    const value = mpta + mldfa;
    const jloBand = cpakJloBand(value);
    return { value, display: `${fixed1(value)}° (${jloBand.replace('-', ' ')})`, direction: jloBand };
  });
  m.cpak = fromBoth('cpak', (mpta, mldfa) => {
    const value = cpakType(mpta - mldfa, mpta + mldfa);
    return {
      value,
      display: `Type ${ROMAN[value - 1]} (aHKA ${cpakAhkaBand(mpta - mldfa)}, JLO ${cpakJloBand(mpta + mldfa).replace('-', ' ')})`,
    };
  });

  const length = (id: MeasureId, a: KeyPointId, b: KeyPointId) =>
    measure(id, cal, () => {
      const p = need(r, [a, b]);
      const value = distance(p[a], p[b]);
      requireCalibration(cal, MEASURE_DEFINITIONS[id].label);
      return { value };
    });
  m.femurLength = length('femurLength', 'femoralHeadCentre', 'kneeCentre');
  m.tibiaLength = length('tibiaLength', 'kneeCentre', 'ankleCentre');
  m.legLength = length('legLength', 'femoralHeadCentre', 'ankleCentre');

  const keyPoints = {} as Record<KeyPointId, KeyPointResult>;
  for (const key of ['femoralHeadCentre', 'kneeCentre', 'ankleCentre'] as const) {
    const res = r[key];
    keyPoints[key] = res.ok
      ? { available: true, pixel: legToPixel(frame, res.point), derivation: res.derivation }
      : { available: false, pixel: null, missing: [...res.error.missing], reason: res.error.message };
  }

  const circle = r.femoralHeadCircle;
  const femoralHeadCircle: FemoralHeadCircleResult | null = circle
    ? {
        centre: legToPixel(frame, circle.centre),
        radiusXPx: circle.radius / frame.columnSpacingMm,
        radiusYPx: circle.radius / frame.rowSpacingMm,
        radiusMm: calibrated ? circle.radius : null,
        rmsResidualMm: calibrated ? circle.rmsResidual : null,
      }
    : null;

  return {
    algorithmVersion: ALGORITHM_VERSION,
    side: set.side,
    calibration,
    measurements: m,
    keyPoints,
    femoralHeadCircle,
    wblPoint,
    identityCheck: identityCheck(m),
    malalignment: malalignmentVerdict(m),
    warnings: orientationWarnings(r),
  };
}

/** clinical-spec §3 self-check: HKA = MPTA − mLDFA − JLCA; a residual above 0.5° points at swapped landmarks. */
export function identityCheck(m: Pick<Record<MeasureId, Measurement>, 'hka' | 'mpta' | 'mldfa' | 'jlca'>): IdentityCheck {
  const { hka, mpta, mldfa, jlca } = m;
  if (hka.value === null || mpta.value === null || mldfa.value === null || jlca.value === null) {
    return { status: 'unavailable', residualDeg: null, message: 'Self-check needs HKA, MPTA, mLDFA and JLCA.' };
  }
  const residualDeg = hka.value - (mpta.value - mldfa.value - jlca.value);
  if (Math.abs(residualDeg) > IDENTITY_TOLERANCE_DEG) {
    return {
      status: 'violated',
      residualDeg,
      message: `HKA differs from MPTA − mLDFA − JLCA by ${fixed1(Math.abs(residualDeg))}°: check for swapped medial/lateral points.`,
    };
  }
  return { status: 'ok', residualDeg, message: 'HKA = MPTA − mLDFA − JLCA holds.' };
}

/** clinical-spec §3 (Paley malalignment test), in words. */
export function malalignmentVerdict(m: Pick<Record<MeasureId, Measurement>, 'mad' | 'mldfa' | 'mpta' | 'jlca'>): MalalignmentVerdict {
  const { mad, mldfa, mpta, jlca } = m;
  const L = MALALIGNMENT_LIMITS;
  if (mad.value === null) {
    return { status: 'unavailable', origins: [], verdict: `Malalignment test needs MAD: ${mad.reason ?? 'not available'}` };
  }
  const madText = `MAD ${mad.display.replace(/ \([^)]*\)$/, '')}`;
  if (mad.value >= L.madMedialMm.low && mad.value <= L.madMedialMm.high) {
    return { status: 'normal', origins: [], verdict: `${madText} is within 1–15 mm medial: no malalignment.` };
  }
  const origins: MalalignmentOrigin[] = [];
  const parts: string[] = [];
  const notMeasured: string[] = [];
  if (mldfa.value === null) notMeasured.push('mLDFA');
  else if (mldfa.value < L.mldfaDeg.low || mldfa.value > L.mldfaDeg.high) {
    origins.push('femoral');
    parts.push(`femoral (mLDFA ${fixed1(mldfa.value)}° outside 85–90°)`);
  }
  if (mpta.value === null) notMeasured.push('MPTA');
  else if (mpta.value < L.mptaDeg.low || mpta.value > L.mptaDeg.high) {
    origins.push('tibial');
    parts.push(`tibial (MPTA ${fixed1(mpta.value)}° outside 85–90°)`);
  }
  if (jlca.value === null) notMeasured.push('JLCA');
  else if (jlca.value > L.jlcaMaxDeg) {
    origins.push('joint');
    parts.push(`joint / soft tissue (JLCA ${fixed1(jlca.value)}° above 2°)`);
  }
  let verdict = `${madText} is outside 1–15 mm medial: malalignment.`;
  if (parts.length) verdict += ` Origin: ${parts.join('; ')}.`;
  else if (!notMeasured.length) verdict += ' mLDFA, MPTA and JLCA are within range: no origin found at the knee.';
  if (notMeasured.length) verdict += ` Not measured: ${notMeasured.join(', ')}.`;
  return { status: 'malalignment', origins, verdict };
}

/** Flags landmark placements that contradict the side or orientation (clinical-spec §1: swapped points, wrong side, mirrored image). */
function orientationWarnings(r: ResolvedLandmarks): string[] {
  const warnings: string[] = [];
  const pairs = [
    ['femoralCondyleMedial', 'femoralCondyleLateral', 'femoral condyle'],
    ['tibialPlateauMedial', 'tibialPlateauLateral', 'tibial plateau'],
    ['plafondMedial', 'plafondLateral', 'plafond'],
    ['malleolusMedial', 'malleolusLateral', 'malleolus'],
  ] as const;
  for (const [med, lat, name] of pairs) {
    const a = r.points[med];
    const b = r.points[lat];
    if (a && b && a.x > b.x) {
      warnings.push(`The medial ${name} point lies lateral of the lateral one: swapped points, wrong side, or a mirrored image?`);
    }
  }
  const H = r.femoralHeadCentre.ok ? r.femoralHeadCentre.point : null;
  const K = r.kneeCentre.ok ? r.kneeCentre.point : null;
  const A = r.ankleCentre.ok ? r.ankleCentre.point : null;
  if ((H && K && H.y <= K.y) || (K && A && K.y <= A.y) || (H && A && H.y <= A.y)) {
    warnings.push('The hip, knee and ankle are not in proximal-to-distal order: is the image upside down or a point misplaced?');
  }
  return warnings;
}

export { MEASURE_IDS };
