// Pure geometry of the long-leg phantom: the true landmarks of one leg, built so the configured
// angles hold exactly under clinical-spec §1–3. No rendering here; the scene and the truth JSON
// both start from what this module returns.
//
// Leg frame (clinical-spec §1): x = +lateral, y = +proximal, millimetres at the patient. Angles of
// directions below are counter-clockwise from +x in that frame.
import { AppError } from '../../../shared/ipc/result';
import { add, angleBetween, cross, dir, dot, norm, perp, scale, sub, type Vec2 } from './vec';

export type Side = 'R' | 'L';

/** What a caller may set per leg; anything left out gets a typical adult value. */
export interface LegGeometryInput {
  /** HKA as signed deviation from 180°, negative = varus (§3). Optional: follows from MPTA − mLDFA − JLCA. */
  hkaDeg?: number;
  mptaDeg?: number;
  mldfaDeg?: number;
  /** Positive when the joint lines open laterally (§3). */
  jlcaDeg?: number;
  ldtaDeg?: number;
  mlpfaDeg?: number;
  /** Angle between the anatomic and mechanical femoral axes (AMA). */
  amaDeg?: number;
  /** H–K, mm at the patient. */
  femurLengthMm?: number;
  /** K–A, mm at the patient. */
  tibiaLengthMm?: number;
  /** Distance between the medial and lateral plateau edges. */
  plateauWidthMm?: number;
  /** Distance between the most distal points of the two condyles. */
  condyleSpacingMm?: number;
  /** Distance between the plafond ends. */
  plafondWidthMm?: number;
  femoralHeadDiameterMm?: number;
  /** Knee joint space on the axis, between the condylar and plateau lines. */
  jointSpaceMm?: number;
  /** Tilt of the whole-limb mechanical axis H–A from vertical, hip lateral of ankle. */
  mechanicalAxisTiltDeg?: number;
  /** Distance from the head centre to the greater trochanter tip. */
  trochantericOffsetMm?: number;
}

export interface LegGeometry {
  hkaDeg: number;
  mptaDeg: number;
  mldfaDeg: number;
  jlcaDeg: number;
  ldtaDeg: number;
  mlpfaDeg: number;
  amaDeg: number;
  femurLengthMm: number;
  tibiaLengthMm: number;
  plateauWidthMm: number;
  condyleSpacingMm: number;
  plafondWidthMm: number;
  femoralHeadDiameterMm: number;
  jointSpaceMm: number;
  mechanicalAxisTiltDeg: number;
  trochantericOffsetMm: number;
}

export const DEFAULT_LEG: Omit<LegGeometry, 'hkaDeg'> = {
  mptaDeg: 87,
  mldfaDeg: 87,
  jlcaDeg: 1,
  ldtaDeg: 89,
  mlpfaDeg: 90,
  amaDeg: 6,
  femurLengthMm: 450,
  tibiaLengthMm: 380,
  plateauWidthMm: 76,
  condyleSpacingMm: 44,
  plafondWidthMm: 30,
  femoralHeadDiameterMm: 48,
  jointSpaceMm: 6,
  mechanicalAxisTiltDeg: 3,
  trochantericOffsetMm: 62,
};

/** Ranges that keep the drawing anatomical; values outside are refused, not clamped. */
const RANGES: Record<keyof LegGeometry, [number, number]> = {
  hkaDeg: [-25, 25],
  mptaDeg: [70, 105],
  mldfaDeg: [75, 105],
  jlcaDeg: [-10, 12],
  ldtaDeg: [75, 105],
  mlpfaDeg: [70, 110],
  amaDeg: [0, 12],
  femurLengthMm: [250, 650],
  tibiaLengthMm: [200, 550],
  plateauWidthMm: [50, 100],
  condyleSpacingMm: [30, 70],
  plafondWidthMm: [20, 45],
  femoralHeadDiameterMm: [30, 65],
  jointSpaceMm: [1, 15],
  mechanicalAxisTiltDeg: [-8, 10],
  trochantericOffsetMm: [35, 90],
};

/** The consistency tolerance for a caller who gives all four of HKA, MPTA, mLDFA, JLCA. */
const IDENTITY_TOLERANCE_DEG = 1e-6;

/**
 * Fills defaults and enforces clinical-spec §3's identity HKA = MPTA − mLDFA − JLCA. A caller may
 * give any three of the four and the fourth is derived; with HKA and fewer than two others, JLCA
 * then mLDFA take their defaults and MPTA is derived (a varus knee is drawn as tibial varus).
 */
export function resolveLegGeometry(input: LegGeometryInput = {}, side: Side = 'R'): LegGeometry {
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!(key in RANGES)) throw new AppError('INVALID_INPUT', `Leg ${side}: unknown geometry parameter "${key}".`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new AppError('INVALID_INPUT', `Leg ${side}: ${key} must be a finite number, got ${String(value)}.`);
    const [lo, hi] = RANGES[key as keyof LegGeometry];
    if (value < lo || value > hi) throw new AppError('INVALID_INPUT', `Leg ${side}: ${key} = ${value} is outside the supported range ${lo}…${hi}.`);
  }
  let { mptaDeg, mldfaDeg, jlcaDeg } = input;
  const { hkaDeg } = input;
  if (hkaDeg !== undefined) {
    const missing = [mptaDeg, mldfaDeg, jlcaDeg].filter((v) => v === undefined).length;
    if (missing >= 2 && jlcaDeg === undefined) jlcaDeg = DEFAULT_LEG.jlcaDeg;
    if (missing === 3) mldfaDeg = DEFAULT_LEG.mldfaDeg;
    if (mptaDeg === undefined) mptaDeg = hkaDeg + mldfaDeg! + jlcaDeg!;
    else if (mldfaDeg === undefined) mldfaDeg = mptaDeg - jlcaDeg! - hkaDeg;
    else if (jlcaDeg === undefined) jlcaDeg = mptaDeg - mldfaDeg - hkaDeg;
    const implied = mptaDeg - mldfaDeg! - jlcaDeg!;
    if (Math.abs(implied - hkaDeg) > IDENTITY_TOLERANCE_DEG) {
      throw new AppError(
        'INVALID_INPUT',
        `Leg ${side}: inconsistent geometry: HKA ${hkaDeg}° but MPTA − mLDFA − JLCA = ${mptaDeg} − ${mldfaDeg} − ${jlcaDeg} = ${implied}° (clinical-spec §3). Give at most three of the four, or make them agree.`,
      );
    }
  }
  mptaDeg ??= DEFAULT_LEG.mptaDeg;
  mldfaDeg ??= DEFAULT_LEG.mldfaDeg;
  jlcaDeg ??= DEFAULT_LEG.jlcaDeg;
  const resolved: LegGeometry = {
    ...DEFAULT_LEG,
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
    mptaDeg,
    mldfaDeg,
    jlcaDeg,
    hkaDeg: hkaDeg ?? mptaDeg - mldfaDeg - jlcaDeg,
  };
  for (const key of ['mptaDeg', 'mldfaDeg', 'jlcaDeg', 'hkaDeg'] as const) {
    const [lo, hi] = RANGES[key];
    if (resolved[key] < lo || resolved[key] > hi) {
      throw new AppError('INVALID_INPUT', `Leg ${side}: the derived ${key} = ${resolved[key]} is outside the supported range ${lo}…${hi}.`);
    }
  }
  return resolved;
}

/** The true landmarks of one leg (clinical-spec §2), in whichever frame the caller asked for. */
export interface LegLandmarks {
  femoralHeadCentre: Vec2;
  /** Points on the true head circle (radius = head diameter / 2), over its proximal dome. */
  femoralHeadContour: Vec2[];
  greaterTrochanterTip: Vec2;
  kneeCentre: Vec2;
  femoralCondyleMedial: Vec2;
  femoralCondyleLateral: Vec2;
  tibialPlateauMedial: Vec2;
  tibialPlateauLateral: Vec2;
  plafondMedial: Vec2;
  plafondLateral: Vec2;
  ankleCentre: Vec2;
  femoralShaftProximal: Vec2;
  femoralShaftDistal: Vec2;
  malleolusMedial: Vec2;
  malleolusLateral: Vec2;
}

export const POINT_LANDMARKS = [
  'femoralHeadCentre',
  'greaterTrochanterTip',
  'kneeCentre',
  'femoralCondyleMedial',
  'femoralCondyleLateral',
  'tibialPlateauMedial',
  'tibialPlateauLateral',
  'plafondMedial',
  'plafondLateral',
  'ankleCentre',
  'femoralShaftProximal',
  'femoralShaftDistal',
  'malleolusMedial',
  'malleolusLateral',
] as const satisfies readonly (keyof LegLandmarks)[];

/** Unit directions the scene needs to draw bones that agree with the landmarks (leg frame). */
export interface LegAxes {
  /** K → H */
  femurMech: Vec2;
  /** K → A */
  tibiaMech: Vec2;
  /** Anatomic femoral axis, pointing proximally. */
  femurAnatomic: Vec2;
  /** Condylar line toward lateral. */
  condylarLateral: Vec2;
  /** Plateau line toward lateral. */
  plateauLateral: Vec2;
  /** Plafond line toward lateral. */
  plafondLateral: Vec2;
  /** Midpoint of the condylar points projected on the femoral axis (where the condylar line crosses it). */
  condylarCentre: Vec2;
  /** Where the plateau line crosses the tibial axis. */
  plateauCentre: Vec2;
}

export interface LegConstruction {
  geometry: LegGeometry;
  /** Leg frame: x lateral, y proximal, mm; K at the origin. */
  landmarks: LegLandmarks;
  axes: LegAxes;
}

/** Head-contour sample angles around the femoral axis direction (the dome a reader clicks). */
const HEAD_CONTOUR_ANGLES_DEG = [-70, -35, 0, 35, 70];

/**
 * Builds one leg with K at the origin. Directions (angle from +x, degrees):
 *   K→A = θt, K→H = θf = θt + 180 − HKA (so HKA is the signed deviation, negative = varus),
 *   condylar line toward lateral = θf − mLDFA (lateral angle with the femoral axis toward H),
 *   plateau line toward medial = θt − MPTA (medial angle with the tibial axis toward A),
 *   plafond toward lateral = θt + 180 − LDTA (lateral angle with the tibial axis toward K).
 * Then JLCA = condylar − plateau (toward lateral) = MPTA − mLDFA − HKA: the §3 identity by construction.
 * The whole leg is turned so that A→H leans laterally by the configured tilt.
 */
export function buildLeg(geometry: LegGeometry): LegConstruction {
  const g = geometry;
  const thetaT0 = -90;
  const thetaF0 = thetaT0 + 180 - g.hkaDeg;
  const h0 = scale(dir(thetaF0), g.femurLengthMm);
  const a0 = scale(dir(thetaT0), g.tibiaLengthMm);
  const ah0 = sub(h0, a0);
  const currentDeg = (Math.atan2(ah0.y, ah0.x) * 180) / Math.PI;
  const turn = 90 - g.mechanicalAxisTiltDeg - currentDeg;
  const thetaF = thetaF0 + turn;
  const thetaT = thetaT0 + turn;

  const femurMech = dir(thetaF);
  const tibiaMech = dir(thetaT);
  const condylarLateral = dir(thetaF - g.mldfaDeg);
  const plateauLateral = dir(thetaT - g.mptaDeg + 180);
  const plafondLateral = dir(thetaT + 180 - g.ldtaDeg);
  const femurAnatomic = dir(thetaF - g.amaDeg);

  const K = { x: 0, y: 0 };
  const H = scale(femurMech, g.femurLengthMm);
  const A = scale(tibiaMech, g.tibiaLengthMm);
  // K sits in the joint space: the condylar line crosses the femoral axis half a gap above it,
  // the plateau line crosses the tibial axis half a gap below it.
  const condylarCentre = scale(femurMech, g.jointSpaceMm / 2);
  const plateauCentre = scale(tibiaMech, g.jointSpaceMm / 2);
  const halfCondyles = g.condyleSpacingMm / 2;
  const halfPlateau = g.plateauWidthMm / 2;
  const halfPlafond = g.plafondWidthMm / 2;
  const headRadius = g.femoralHeadDiameterMm / 2;

  const femoralCondyleMedial = add(condylarCentre, scale(condylarLateral, -halfCondyles));
  const femoralCondyleLateral = add(condylarCentre, scale(condylarLateral, halfCondyles));
  const tibialPlateauMedial = add(plateauCentre, scale(plateauLateral, -halfPlateau));
  const tibialPlateauLateral = add(plateauCentre, scale(plateauLateral, halfPlateau));

  // Condyles must stay above the plateau, else the JLCA asked for would need bone overlap.
  const plateauNormal = perp(plateauLateral); // points proximally (plateauLateral ≈ +x)
  for (const [name, p] of [
    ['medial', femoralCondyleMedial],
    ['lateral', femoralCondyleLateral],
  ] as const) {
    const gap = dot(sub(p, plateauCentre), plateauNormal);
    if (gap < 0.5) {
      throw new AppError(
        'INVALID_INPUT',
        `The ${name} joint space would be ${gap.toFixed(2)} mm with JLCA ${g.jlcaDeg}° and a ${g.jointSpaceMm} mm central joint space: increase jointSpaceMm or reduce |JLCA|.`,
      );
    }
  }

  const plafondNormal = perp(plafondLateral);
  const inPlafondFrame = (u: number, v: number) => add(A, add(scale(plafondLateral, u), scale(plafondNormal, v)));
  const headDomeDir = femurMech; // the proximal pole of the head, along the mechanical axis
  const headDomeDeg = (Math.atan2(headDomeDir.y, headDomeDir.x) * 180) / Math.PI;
  const hkDeg = (Math.atan2(-femurMech.y, -femurMech.x) * 180) / Math.PI;

  const landmarks: LegLandmarks = {
    femoralHeadCentre: H,
    femoralHeadContour: HEAD_CONTOUR_ANGLES_DEG.map((a) => add(H, scale(dir(headDomeDeg + a), headRadius))),
    // mLPFA is measured at H between H→K and H→tip, on the lateral side: rotate H→K toward +x.
    greaterTrochanterTip: add(H, scale(dir(hkDeg + g.mlpfaDeg), g.trochantericOffsetMm)),
    kneeCentre: K,
    femoralCondyleMedial,
    femoralCondyleLateral,
    tibialPlateauMedial,
    tibialPlateauLateral,
    plafondMedial: add(A, scale(plafondLateral, -halfPlafond)),
    plafondLateral: add(A, scale(plafondLateral, halfPlafond)),
    ankleCentre: A,
    // Mid-diaphysis on the anatomic axis, which runs through the knee centre (notch).
    femoralShaftProximal: scale(femurAnatomic, 0.62 * g.femurLengthMm),
    femoralShaftDistal: scale(femurAnatomic, 0.33 * g.femurLengthMm),
    // Malleolar tips: the lateral one lower and further out, so their midpoint lies ≈ 2 mm lateral
    // of the plafond midpoint (the ≈ 0.3° valgus shift clinical-spec §2 warns about).
    malleolusMedial: inPlafondFrame(-halfPlafond - 5, -15),
    malleolusLateral: inPlafondFrame(halfPlafond + 9, -25),
  };
  return {
    geometry,
    landmarks,
    axes: { femurMech, tibiaMech, femurAnatomic, condylarLateral, plateauLateral, plafondLateral, condylarCentre, plateauCentre },
  };
}

/** Values clinical-spec §3 defines, computed back from leg-frame landmarks (the truth's "derived"). */
export interface LegMeasurements {
  hkaDeviationDeg: number;
  /** Perpendicular distance from K to line H–A. */
  mechanicalAxisDeviationMm: number;
  /** Which side of K line H–A passes: medial in varus, lateral in valgus. */
  mechanicalAxisDeviationSide: 'medial' | 'lateral' | 'none';
  wblPercent: number;
  mldfaDeg: number;
  mptaDeg: number;
  jlcaDeg: number;
  ldtaDeg: number;
  mlpfaDeg: number;
  aldfaDeg: number;
  amaDeg: number;
  ahkaDeg: number;
  jloDeg: number;
  femurLengthMm: number;
  tibiaLengthMm: number;
  legLengthMm: number;
}

/** Angle from u to v, counter-clockwise positive, in (−180, 180]. */
function signedAngle(u: Vec2, v: Vec2): number {
  return (Math.atan2(cross(u, v), dot(u, v)) * 180) / Math.PI;
}

export function measureLeg(l: LegLandmarks): LegMeasurements {
  const H = l.femoralHeadCentre;
  const K = l.kneeCentre;
  const A = l.ankleCentre;
  const kh = sub(H, K);
  const ka = sub(A, K);
  const condylarLat = sub(l.femoralCondyleLateral, l.femoralCondyleMedial);
  const plateauLat = sub(l.tibialPlateauLateral, l.tibialPlateauMedial);
  const plafondLat = sub(l.plafondLateral, l.plafondMedial);
  // Knee lateral of H–A (varus) ⇔ K is on the +x side of the line at its height.
  const ha = sub(A, H);
  const signedOffset = cross(ha, sub(K, H)) / norm(ha); // > 0: K to the +x side when going H→A downward
  const kneeLateral = signedOffset > 0;
  const between = angleBetween(kh, ka);
  const hkaDeviationDeg = kneeLateral ? between - 180 : 180 - between;
  // WBL: where H–A crosses the plateau line, medial edge 0 %, lateral 100 %.
  const m = l.tibialPlateauMedial;
  const t = cross(sub(m, H), ha) / cross(plateauLat, ha);
  const crossing = add(m, scale(plateauLat, -t));
  const wblPercent = (dot(sub(crossing, m), plateauLat) / dot(plateauLat, plateauLat)) * 100;
  const anatomic = sub(l.femoralShaftProximal, l.femoralShaftDistal);
  const mldfaDeg = angleBetween(kh, condylarLat);
  const mptaDeg = angleBetween(ka, scale(plateauLat, -1));
  return {
    hkaDeviationDeg,
    mechanicalAxisDeviationMm: Math.abs(signedOffset),
    mechanicalAxisDeviationSide: signedOffset === 0 ? 'none' : kneeLateral ? 'medial' : 'lateral',
    wblPercent,
    mldfaDeg,
    mptaDeg,
    // Opening laterally: the condylar line turns counter-clockwise from the plateau line (x lateral, y up).
    jlcaDeg: signedAngle(plateauLat, condylarLat),
    ldtaDeg: angleBetween(sub(K, A), plafondLat),
    mlpfaDeg: angleBetween(sub(K, H), sub(l.greaterTrochanterTip, H)),
    aldfaDeg: angleBetween(anatomic, condylarLat),
    amaDeg: angleBetween(anatomic, kh),
    ahkaDeg: mptaDeg - mldfaDeg,
    jloDeg: mptaDeg + mldfaDeg,
    femurLengthMm: norm(kh),
    tibiaLengthMm: norm(ka),
    legLengthMm: norm(ha),
  };
}

/** Maps every point of a landmark set (keeps the shape of the record). */
export function mapLandmarks(l: LegLandmarks, f: (p: Vec2) => Vec2): LegLandmarks {
  const out = {} as LegLandmarks;
  for (const key of POINT_LANDMARKS) out[key] = f(l[key]);
  out.femoralHeadContour = l.femoralHeadContour.map(f);
  return out;
}

