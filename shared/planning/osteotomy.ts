// Osteotomy planning (clinical-spec §5): Miniaci wedge angle, Dugdale alignment change, gap,
// predicted post-op landmarks by rigid rotation of the moved fragment, and safety flags. All
// geometry runs in the leg frame (mm); the transformed landmarks are mapped back to pixels so
// non-square pixels stay consistent (§1).
import { EngineError } from '../geometry/errors';
import { legToPixel, pixelToLeg, type LegFrame } from '../geometry/frame';
import {
  add,
  angleBetweenDeg,
  cross,
  distance,
  dot,
  lerp,
  lineCircleFarParam,
  lineIntersectionParam,
  rotateAbout,
  scale,
  signedAngleDeg,
  sub,
  unit,
  type Vec2,
} from '../geometry/vec';
import { landmarkLabel } from '../landmarks/catalogue';
import type { LandmarkId } from '../landmarks/ids';
import { resolveLandmarks, type ResolvedLandmarks } from '../landmarks/resolve';
import { alignmentFromResolved, computeLegAlignment, legFrameFor, type LegAlignment } from '../measurements/leg-alignment';
import { fixed1 } from '../measurements/format';
import type { Calibration } from '../schemas/calibration';
import type { LandmarkSet } from '../schemas/landmark-set';
import type { Plan, PlanTarget, Procedure, SoftTissueAdjustment } from '../schemas/plan';
import { gapChordMm, gapTangentMm, lmlrCorrectionDeg, micicoiReductionDeg } from './wedge-arithmetic';

export type Bone = 'tibia' | 'femur';
export type WedgeKind = 'opening' | 'closing';

export interface SafetyFlag {
  code:
    | 'MPTA_HIGH'
    | 'MPTA_VERY_HIGH'
    | 'JOINT_LINE_OBLIQUITY'
    | 'JLCA_LAXITY'
    | 'FEMORAL_DEFORMITY'
    | 'CORRECTION_DIRECTION'
    | 'TARGET_UNUSUAL'
    | 'SOFT_TISSUE_EXCEEDS_CORRECTION'
    | 'SOFT_TISSUE_UNAVAILABLE'
    | 'UNCALIBRATED'
    | 'DOUBLE_LEVEL_SINGLE_BONE';
  severity: 'info' | 'warn' | 'strong';
  message: string;
}

export interface OsteotomyCut {
  bone: Bone;
  /** What the rotation does at the cut entry: opens a gap or closes a wedge. */
  wedge: WedgeKind;
  hinge: Vec2;
  hingeSource: 'plan' | 'default';
  cutEntry: Vec2;
  cutEntrySource: 'plan' | 'default';
  /** The cortex the hinge sits by (clinical-spec §5); the cut enters from the other one. */
  hingeSide: 'medial' | 'lateral';
  /** The hinge from its cortex and the joint line (CutBasis); null when uncalibrated or the joint-line landmarks are missing. */
  hingeOffset: CutPointOffset | null;
  /** The cut entry from its own cortex (inside points towards the hinge) and the joint line; null likewise. */
  cutEntryOffset: CutPointOffset | null;
  /** Rotation of the moved fragment about the hinge before the soft-tissue adjustment, degrees, counter-clockwise in the leg frame. */
  plannedRotationDeg: number;
  /** The rotation applied to the predicted landmarks (after any soft-tissue adjustment). */
  rotationDeg: number;
  /** α, what the surgeon opens or closes: |rotationDeg|. */
  wedgeAngleDeg: number;
  /** L, cut entry to hinge; null when uncalibrated. */
  osteotomyLengthMm: number | null;
  /** 2·L·sin(α/2), the exact opening chord (closing wedge: its base). */
  gapChordMm: number | null;
  /** L·tan α, for comparison only. */
  gapTangentMm: number | null;
  movedLandmarks: string[];
}

export interface PlanResult {
  algorithmVersion: number;
  procedure: Procedure;
  target: PlanTarget;
  /** T on the plateau line, pixels. */
  targetPoint: Vec2;
  /** Where T lies on the plateau, % from the medial edge. */
  targetWblPercent: number;
  cuts: OsteotomyCut[];
  /** "Wedge angle" of the primary cut (tibia for HTO and double-level, femur for DFO). */
  wedgeAngleDeg: number;
  /** "Alignment change": Dugdale, 180° − angle(H − T, A − T), the angle A and A′ subtend at T. */
  alignmentChangeDeg: number;
  /** The actual change of HKA between the pre-op and predicted measurements. */
  hkaChangeDeg: number;
  softTissue: { method: SoftTissueAdjustment['method']; reductionDeg: number; note: string | null };
  preOp: LegAlignment;
  predicted: LegAlignment;
  /** The landmark set after the rigid rotation(s), pixel coordinates. */
  transformedSet: LandmarkSet;
  /** Post-op angle between the plateau line and the perpendicular to the mechanical axis H–A. */
  predictedJointLineObliquityDeg: number | null;
  flags: SafetyFlag[];
}

/** clinical-spec §5: in an HTO the tibial shaft, ankle centre and plafond move; plateau, knee and femur stay. */
export const TIBIAL_MOVED_LANDMARKS: readonly LandmarkId[] = ['ankleCentre', 'plafondMedial', 'plafondLateral', 'malleolusMedial', 'malleolusLateral'];
/** clinical-spec §5: in a DFO the proximal fragment moves (H with its contour, trochanter, femoral shaft points). */
export const FEMORAL_MOVED_LANDMARKS: readonly LandmarkId[] = ['femoralHeadCentre', 'greaterTrochanterTip', 'femoralShaftProximal', 'femoralShaftDistal'];

const EXPECTED_WEDGE: Record<Exclude<Procedure, 'double-level'>, WedgeKind> = {
  'hto-medial-opening': 'opening',
  'hto-lateral-closing': 'closing',
  'dfo-lateral-opening': 'opening',
  'dfo-medial-closing': 'closing',
};

/** Typical tibial plateau / condylar width: scales the default hinge offsets on uncalibrated images. */
const TYPICAL_JOINT_WIDTH_MM = 75;

interface KeyGeometry {
  H: Vec2;
  K: Vec2;
  A: Vec2;
  Pm: Vec2;
  Pl: Vec2;
}

function keyGeometry(r: ResolvedLandmarks): KeyGeometry {
  const missing: string[] = [];
  let failure: EngineError | null = null;
  const key = (res: ResolvedLandmarks['kneeCentre']) => {
    if (res.ok) return res.point;
    if (res.error.code === 'MISSING_LANDMARK') missing.push(...res.error.missing.filter((m) => !missing.includes(m)));
    else failure ??= res.error;
    return null;
  };
  const H = key(r.femoralHeadCentre);
  const K = key(r.kneeCentre);
  const A = key(r.ankleCentre);
  const Pm = r.points.tibialPlateauMedial ?? null;
  const Pl = r.points.tibialPlateauLateral ?? null;
  if (!Pm && !missing.includes('tibialPlateauMedial')) missing.push('tibialPlateauMedial');
  if (!Pl && !missing.includes('tibialPlateauLateral')) missing.push('tibialPlateauLateral');
  if (missing.length) throw new EngineError('MISSING_LANDMARK', `A plan needs ${missing.map(landmarkLabel).join(', ')}.`, missing);
  if (failure) throw failure;
  return { H: H!, K: K!, A: A!, Pm: Pm!, Pl: Pl! };
}

function condyles(r: ResolvedLandmarks): { Cm: Vec2; Cl: Vec2 } {
  const Cm = r.points.femoralCondyleMedial;
  const Cl = r.points.femoralCondyleLateral;
  const missing = [!Cm ? 'femoralCondyleMedial' : null, !Cl ? 'femoralCondyleLateral' : null].filter((x): x is string => !!x);
  if (missing.length) {
    throw new EngineError('MISSING_LANDMARK', `The default femoral hinge needs ${missing.map(landmarkLabel).join(', ')} (or place the hinge yourself).`, missing);
  }
  return { Cm: Cm!, Cl: Cl! };
}

interface CutPoints {
  hinge: Vec2;
  cutEntry: Vec2;
}

/**
 * The frame a cut is placed and described in (leg frame): the joint-line edges of the cut bone
 * (plateau edges for the tibia, condyles for the femur) standing in for the cortices, `inward`
 * along the joint line from the hinge's edge towards the entry's, `away` along the bone's
 * mechanical axis away from the knee (below the plateau, above the condyles).
 */
interface CutBasis {
  hingeEdge: Vec2;
  entryEdge: Vec2;
  inward: Vec2;
  away: Vec2;
  jointWidth: number;
}

function cutBasis(r: ResolvedLandmarks, g: KeyGeometry, bone: Bone, hingeSide: 'medial' | 'lateral'): CutBasis {
  const femur = bone === 'femur' ? condyles(r) : null;
  const [medial, lateral] = femur ? [femur.Cm, femur.Cl] : [g.Pm, g.Pl];
  const away = femur ? unit(sub(g.H, g.K), 'femoral axis') : unit(sub(g.A, g.K), 'tibial axis');
  const line = femur ? 'condylar line' : 'plateau line';
  const [hingeEdge, entryEdge] = hingeSide === 'lateral' ? [lateral, medial] : [medial, lateral];
  return { hingeEdge, entryEdge, inward: unit(sub(entryEdge, hingeEdge), line), away, jointWidth: distance(medial, lateral) };
}

/**
 * clinical-spec §5 default hinge (HTO: about 10 mm inside the lateral cortex, 15 mm below the
 * lateral plateau), with the plateau edge standing in for the cortex and "below" taken along the
 * tibial axis. The spec fixes only that hinge; the others are stated choices the surgeon drags:
 * closing HTO mirrors it medially; DFO hinges 10 mm inside the cortex, 30 mm above the condyle;
 * cut entries 40 mm (opening HTO), 25 mm (closing HTO) below the plateau edge and 65 mm above the
 * condyle (DFO). Uncalibrated images scale the offsets by joint width / 75 mm.
 */
function defaultCutPointsLeg(r: ResolvedLandmarks, g: KeyGeometry, bone: Bone, hingeSide: 'medial' | 'lateral', calibrated: boolean): CutPoints {
  const b = cutBasis(r, g, bone, hingeSide);
  const s = calibrated ? 1 : b.jointWidth / TYPICAL_JOINT_WIDTH_MM;
  const [hingeDepth, entryDepth] = bone === 'femur' ? [30, 65] : [15, hingeSide === 'lateral' ? 40 : 25];
  return {
    hinge: add(b.hingeEdge, add(scale(b.inward, 10 * s), scale(b.away, hingeDepth * s))),
    cutEntry: add(b.entryEdge, scale(b.away, entryDepth * s)),
  };
}

/** Where a hinge or cut entry sits: mm inside its cortex along the joint line, and mm from the joint line along the bone's axis. */
export interface CutPointOffset {
  insideMm: number;
  fromJointMm: number;
}

/**
 * The inverse of the default placement: p in the cut basis, from `edge` with `inside` pointing
 * into the bone. The joint line and the bone axis need not be perpendicular, so p is solved in
 * that oblique basis; the default hinge reads back as exactly (10, 15) on an HTO.
 */
function offsetInBasis(p: Vec2, edge: Vec2, inside: Vec2, away: Vec2): CutPointOffset {
  const d = sub(p, edge);
  const det = cross(inside, away);
  return { insideMm: cross(d, away) / det, fromJointMm: cross(inside, d) / det };
}

/** Both points of a cut in mm (the theatre report prints them); none on an uncalibrated film or without the condyles a femoral basis needs. */
function cutOffsets(
  r: ResolvedLandmarks,
  g: KeyGeometry,
  cut: { bone: Bone; hingeSide: 'medial' | 'lateral'; hinge: Vec2; cutEntry: Vec2 },
  calibrated: boolean,
): Pick<OsteotomyCut, 'hingeOffset' | 'cutEntryOffset'> {
  if (!calibrated) return { hingeOffset: null, cutEntryOffset: null };
  let b: CutBasis;
  try {
    b = cutBasis(r, g, cut.bone, cut.hingeSide);
  } catch (err) {
    if (err instanceof EngineError) return { hingeOffset: null, cutEntryOffset: null };
    throw err;
  }
  return {
    hingeOffset: offsetInBasis(cut.hinge, b.hingeEdge, b.inward, b.away),
    cutEntryOffset: offsetInBasis(cut.cutEntry, b.entryEdge, scale(b.inward, -1), b.away),
  };
}

interface CutPlan {
  bone: Bone;
  hingeSide: 'medial' | 'lateral';
  hinge: Vec2 | null;
  cutEntry: Vec2 | null;
}

function cutPlans(plan: Pick<Plan, 'procedure' | 'hinge' | 'cutEntry' | 'doubleLevel'>): CutPlan[] {
  const tib = (hingeSide: 'medial' | 'lateral'): CutPlan => ({ bone: 'tibia', hingeSide, hinge: plan.hinge, cutEntry: plan.cutEntry });
  const fem = (hingeSide: 'medial' | 'lateral', hinge: Vec2 | null, cutEntry: Vec2 | null): CutPlan => ({ bone: 'femur', hingeSide, hinge, cutEntry });
  switch (plan.procedure) {
    case 'hto-medial-opening':
      return [tib('lateral')];
    case 'hto-lateral-closing':
      return [tib('medial')];
    case 'dfo-lateral-opening':
      return [fem('medial', plan.hinge, plan.cutEntry)];
    case 'dfo-medial-closing':
      return [fem('lateral', plan.hinge, plan.cutEntry)];
    case 'double-level':
      // Varus knee: medial opening HTO, then a lateral closing DFO hinged medially.
      return [tib('lateral'), fem('medial', plan.doubleLevel?.femoralHinge ?? null, plan.doubleLevel?.femoralCutEntry ?? null)];
  }
}

/** clinical-spec §5: default hinge and cut entry points (pixels) for a procedure, for the plan screen's initial handles. */
export function defaultOsteotomyPoints(set: LandmarkSet, calibration: Calibration, procedure: Procedure): { bone: Bone; hinge: Vec2; cutEntry: Vec2 }[] {
  const frame = legFrameFor(set, calibration);
  const r = resolveLandmarks(set, frame);
  const g = keyGeometry(r);
  return cutPlans({ procedure, hinge: null, cutEntry: null, doubleLevel: null }).map((c) => {
    const p = defaultCutPointsLeg(r, g, c.bone, c.hingeSide, calibration.type !== 'uncalibrated');
    return { bone: c.bone, hinge: legToPixel(frame, p.hinge), cutEntry: legToPixel(frame, p.cutEntry) };
  });
}

/** A WBL target as its point T on the plateau, or an HKA target as the deviation in degrees. */
export type TargetGeometry = { T: Vec2 } | { hkaDeg: number };

/** clinical-spec §5 target: T on the plateau line at the target WBL %. */
function targetOnPlateau(g: KeyGeometry, percent: number): Vec2 {
  return lerp(g.Pm, g.Pl, percent / 100);
}

/**
 * clinical-spec §5 (Miniaci, exact): A′ on ray H→T beyond T with |A′ − Hg| = |A − Hg|. For an HKA
 * target the ray is the post-op tibial axis from K, turned by the target from the femoral axis.
 */
export function miniaciAnklePosition(H: Vec2, K: Vec2, A: Vec2, hinge: Vec2, target: TargetGeometry): Vec2 {
  const radius = distance(A, hinge);
  if ('T' in target) {
    const d = unit(sub(target.T, H), 'line H–T');
    return add(H, scale(d, lineCircleFarParam(H, d, hinge, radius)));
  }
  const d = rotateAbout(unit(sub(K, H), 'femoral axis'), { x: 0, y: 0 }, target.hkaDeg);
  return add(K, scale(d, lineCircleFarParam(K, d, hinge, radius)));
}

/** clinical-spec §5 (DFO): H′ on the line from A through T (beyond T) with |H′ − Hg| = |H − Hg|; for an HKA target the line from K. */
export function dfoHeadPosition(H: Vec2, K: Vec2, A: Vec2, hinge: Vec2, target: TargetGeometry): Vec2 {
  const radius = distance(H, hinge);
  if ('T' in target) {
    const d = unit(sub(target.T, A), 'line A–T');
    return add(A, scale(d, lineCircleFarParam(A, d, hinge, radius)));
  }
  // HKA = signed turn from K − H′ onto A − K, so K − H′ is A − K turned back by the target.
  const d = scale(rotateAbout(unit(sub(A, K), 'tibial axis'), { x: 0, y: 0 }, -target.hkaDeg), -1);
  return add(K, scale(d, lineCircleFarParam(K, d, hinge, radius)));
}

/** clinical-spec §5 (Dugdale): 180° − angle(H − T, A − T). */
export function dugdaleAngleDeg(H: Vec2, A: Vec2, T: Vec2): number {
  return 180 - angleBetweenDeg(sub(H, T), sub(A, T), 'Dugdale angle');
}

/** clinical-spec §5: the Miniaci wedge angle α, the angle between A − Hg and A′ − Hg (signed, counter-clockwise in the leg frame). */
export function miniaciRotationDeg(A: Vec2, APrime: Vec2, hinge: Vec2): number {
  return signedAngleDeg(sub(A, hinge), sub(APrime, hinge), 'wedge angle');
}

function rotateSet(set: LandmarkSet, frame: LegFrame, bone: Bone, hinge: Vec2, angleDeg: number): LandmarkSet {
  const move = (p: { x: number; y: number; placedBy: 'user' | 'suggested' }) => {
    const q = legToPixel(frame, rotateAbout(pixelToLeg(frame, p), hinge, angleDeg));
    return { x: q.x, y: q.y, placedBy: p.placedBy };
  };
  const landmarks = { ...set.landmarks };
  for (const id of bone === 'tibia' ? TIBIAL_MOVED_LANDMARKS : FEMORAL_MOVED_LANDMARKS) {
    const p = landmarks[id];
    if (p) landmarks[id] = move(p);
  }
  return {
    ...set,
    landmarks,
    femoralHeadContour: bone === 'femur' ? set.femoralHeadContour.map(move) : set.femoralHeadContour,
  };
}

function mptaFor(K: Vec2, A: Vec2, g: KeyGeometry): number {
  return angleBetweenDeg(sub(A, K), sub(g.Pm, g.Pl), 'MPTA');
}

/**
 * clinical-spec §5 (double-level): the tibial rotation that brings MPTA to the limit — A′ on the
 * ray from K at the limit angle from the medial plateau direction, on the hinge circle.
 */
function tibialRotationToMpta(g: KeyGeometry, hinge: Vec2, mptaDeg: number): number {
  const toMedial = unit(sub(g.Pm, g.Pl), 'plateau line');
  const distal = unit(sub(g.A, g.K), 'tibial axis');
  const candidates = [mptaDeg, -mptaDeg].map((a) => rotateAbout(toMedial, { x: 0, y: 0 }, a));
  const d = dot(candidates[0]!, distal) >= dot(candidates[1]!, distal) ? candidates[0]! : candidates[1]!;
  const APrime = add(g.K, scale(d, lineCircleFarParam(g.K, d, hinge, distance(g.A, hinge))));
  return miniaciRotationDeg(g.A, APrime, hinge);
}

function wedgeKind(bone: Bone, g: KeyGeometry, hinge: Vec2, entry: Vec2, rotationDeg: number): WedgeKind {
  const moved = rotateAbout(entry, hinge, rotationDeg === 0 ? 1e-6 : rotationDeg);
  const away = bone === 'tibia' ? unit(sub(g.A, g.K), 'tibial axis') : unit(sub(g.H, g.K), 'femoral axis');
  return dot(sub(moved, entry), away) > 0 ? 'opening' : 'closing';
}

function jointLineObliquity(a: LegAlignment, set: LandmarkSet, calibration: Calibration): number | null {
  const frame = legFrameFor(set, calibration);
  const H = a.keyPoints.femoralHeadCentre.pixel;
  const A = a.keyPoints.ankleCentre.pixel;
  const Pm = set.landmarks.tibialPlateauMedial;
  const Pl = set.landmarks.tibialPlateauLateral;
  if (!H || !A || !Pm || !Pl) return null;
  const axis = sub(pixelToLeg(frame, A), pixelToLeg(frame, H));
  const plateau = sub(pixelToLeg(frame, Pl), pixelToLeg(frame, Pm));
  return Math.abs(angleBetweenDeg(axis, plateau, 'joint-line obliquity') - 90);
}

/**
 * clinical-spec §5: computes a plan from (landmark set, calibration, plan). Needs H, K, A and both
 * plateau points (MISSING_LANDMARK otherwise); an unreachable target or degenerate hinge gives
 * DEGENERATE_GEOMETRY. Predicted values come from re-running computeLegAlignment on the
 * transformed landmarks.
 */
export function computePlan(set: LandmarkSet, calibration: Calibration, plan: Plan): PlanResult {
  const frame = legFrameFor(set, calibration);
  const calibrated = calibration.type !== 'uncalibrated';
  const r = resolveLandmarks(set, frame);
  const g = keyGeometry(r);
  const preOp = alignmentFromResolved(set, calibration, r);
  const flags: SafetyFlag[] = [];

  const target: TargetGeometry = plan.target.kind === 'wbl' ? { T: targetOnPlateau(g, plan.target.percent) } : { hkaDeg: plan.target.deg };

  const specs = cutPlans(plan).map((c) => {
    const defaults = !c.hinge || !c.cutEntry ? defaultCutPointsLeg(r, g, c.bone, c.hingeSide, calibrated) : null;
    return {
      bone: c.bone,
      hingeSide: c.hingeSide,
      hinge: c.hinge ? pixelToLeg(frame, c.hinge) : defaults!.hinge,
      hingeSource: (c.hinge ? 'plan' : 'default') as 'plan' | 'default',
      hingePx: c.hinge ? { x: c.hinge.x, y: c.hinge.y } : null,
      cutEntryPx: c.cutEntry ? { x: c.cutEntry.x, y: c.cutEntry.y } : null,
      cutEntry: c.cutEntry ? pixelToLeg(frame, c.cutEntry) : defaults!.cutEntry,
      cutEntrySource: (c.cutEntry ? 'plan' : 'default') as 'plan' | 'default',
    };
  });

  // Rotations (leg frame, counter-clockwise) that reach the target before any soft-tissue adjustment.
  const rotations: number[] = [];
  let finalH = g.H;
  let finalA = g.A;
  if (plan.procedure === 'double-level') {
    const [tibia, femur] = specs as [(typeof specs)[0], (typeof specs)[0]];
    const full = miniaciRotationDeg(g.A, miniaciAnklePosition(g.H, g.K, g.A, tibia.hinge, target), tibia.hinge);
    const limit = plan.doubleLevel?.maxPostOpMptaDeg ?? 90;
    let tibial = full;
    if (mptaFor(g.K, rotateAbout(g.A, tibia.hinge, full), g) > limit) {
      tibial = mptaFor(g.K, g.A, g) >= limit ? 0 : tibialRotationToMpta(g, tibia.hinge, limit);
    }
    finalA = rotateAbout(g.A, tibia.hinge, tibial);
    const HPrime = dfoHeadPosition(g.H, g.K, finalA, femur.hinge, target);
    let femoral = signedAngleDeg(sub(g.H, femur.hinge), sub(HPrime, femur.hinge), 'femoral wedge angle');
    if (Math.abs(femoral) < 1e-9) femoral = 0;
    finalH = rotateAbout(g.H, femur.hinge, femoral);
    rotations.push(tibial, femoral);
    if (full < 0) {
      flags.push({
        severity: 'strong',
        code: 'CORRECTION_DIRECTION',
        message: 'The target needs a varising correction: this double-level plan (opening HTO + closing DFO) is for varus knees.',
      });
    }
    if (tibial === full || femoral === 0 || tibial === 0) {
      flags.push({
        severity: 'info',
        code: 'DOUBLE_LEVEL_SINGLE_BONE',
        message:
          tibial === 0
            ? `MPTA is already at or above ${fixed1(limit)}°: the whole correction is femoral.`
            : `The tibia alone reaches the target with MPTA ≤ ${fixed1(limit)}°: no femoral correction is needed.`,
      });
    }
  } else if (specs[0]!.bone === 'tibia') {
    finalA = miniaciAnklePosition(g.H, g.K, g.A, specs[0]!.hinge, target);
    rotations.push(miniaciRotationDeg(g.A, finalA, specs[0]!.hinge));
  } else {
    finalH = dfoHeadPosition(g.H, g.K, g.A, specs[0]!.hinge, target);
    rotations.push(signedAngleDeg(sub(g.H, specs[0]!.hinge), sub(finalH, specs[0]!.hinge), 'wedge angle'));
  }

  // T: the target point, or for an HKA target where the planned axis crosses the plateau.
  const T = 'T' in target ? target.T : lerp(g.Pm, g.Pl, lineIntersectionParam(g.Pm, g.Pl, finalH, finalA, 'planned WBL crossing'));
  const targetWblPercent = plan.target.kind === 'wbl' ? plan.target.percent : 100 * lineIntersectionParam(g.Pm, g.Pl, finalH, finalA, 'planned WBL crossing');

  // Soft-tissue adjustment reduces the last non-zero cut (the femur in a double-level plan).
  const adjustIndex = rotations.length === 2 && rotations[1] !== 0 ? 1 : 0;
  const applied = [...rotations];
  let reductionDeg = 0;
  let softNote: string | null = null;
  const planned = Math.abs(rotations[adjustIndex]!);
  if (plan.softTissue.method === 'micicoi') {
    const jlca = preOp.measurements.jlca.value;
    if (jlca === null) {
      flags.push({ severity: 'warn', code: 'SOFT_TISSUE_UNAVAILABLE', message: `Micicoi needs the pre-op JLCA: ${preOp.measurements.jlca.reason}` });
    } else {
      reductionDeg = micicoiReductionDeg(jlca);
      softNote = `Micicoi: JLCA ${fixed1(jlca)}° → reduce the correction by (JLCA − 2)/2 = ${fixed1(reductionDeg)}°.`;
    }
  } else if (plan.softTissue.method === 'lmlr') {
    const adjusted = lmlrCorrectionDeg(planned, plan.softTissue.deltaJlcaDeg, plan.softTissue.formula);
    reductionDeg = planned - adjusted;
    softNote = `LMLR (${plan.softTissue.formula}): α ${fixed1(planned)}°, ΔJLCA ${fixed1(plan.softTissue.deltaJlcaDeg)}° → ${fixed1(adjusted)}°.`;
  }
  if (reductionDeg !== 0) {
    let magnitude = planned - reductionDeg;
    if (magnitude < 0) {
      flags.push({
        severity: 'warn',
        code: 'SOFT_TISSUE_EXCEEDS_CORRECTION',
        message: `The soft-tissue reduction (${fixed1(reductionDeg)}°) exceeds the bony correction (${fixed1(planned)}°): no bony correction is planned.`,
      });
      magnitude = 0;
    }
    applied[adjustIndex] = Math.sign(rotations[adjustIndex]!) * magnitude;
  }

  let transformedSet = set;
  const cuts: OsteotomyCut[] = specs.map((s, i) => {
    transformedSet = rotateSet(transformedSet, frame, s.bone, s.hinge, applied[i]!);
    const alpha = Math.abs(applied[i]!);
    const L = calibrated ? distance(s.cutEntry, s.hinge) : null;
    return {
      bone: s.bone,
      wedge: wedgeKind(s.bone, g, s.hinge, s.cutEntry, rotations[i]!),
      hinge: s.hingePx ?? legToPixel(frame, s.hinge),
      hingeSource: s.hingeSource,
      cutEntry: s.cutEntryPx ?? legToPixel(frame, s.cutEntry),
      cutEntrySource: s.cutEntrySource,
      hingeSide: s.hingeSide,
      ...cutOffsets(r, g, s, calibrated),
      plannedRotationDeg: rotations[i]!,
      rotationDeg: applied[i]!,
      wedgeAngleDeg: alpha,
      osteotomyLengthMm: L,
      gapChordMm: L !== null && L > 0 ? gapChordMm(L, alpha) : null,
      gapTangentMm: L !== null && L > 0 ? gapTangentMm(L, alpha) : null,
      movedLandmarks: [...(s.bone === 'tibia' ? TIBIAL_MOVED_LANDMARKS : [...FEMORAL_MOVED_LANDMARKS, 'femoralHeadContour'])],
    };
  });

  const predicted = computeLegAlignment(transformedSet, calibration);
  const hkaPre = preOp.measurements.hka.value;
  const hkaPost = predicted.measurements.hka.value;
  if (hkaPre === null || hkaPost === null) {
    throw new EngineError('DEGENERATE_GEOMETRY', 'HKA cannot be computed before or after the correction.');
  }
  const predictedJointLineObliquityDeg = jointLineObliquity(predicted, transformedSet, calibration);

  if (plan.procedure !== 'double-level') {
    const expected = EXPECTED_WEDGE[plan.procedure];
    if (cuts[0]!.wedge !== expected && cuts[0]!.plannedRotationDeg !== 0) {
      flags.push({
        severity: 'strong',
        code: 'CORRECTION_DIRECTION',
        message: `This target needs a ${cuts[0]!.wedge} wedge with this hinge, not the ${expected} wedge of a ${plan.procedure}: check the procedure, hinge and target.`,
      });
    }
  }
  pushSafetyFlags(flags, plan, preOp, predicted, predictedJointLineObliquityDeg, calibrated);

  return {
    algorithmVersion: 1,
    procedure: plan.procedure,
    target: plan.target,
    targetPoint: legToPixel(frame, T),
    targetWblPercent,
    cuts,
    wedgeAngleDeg: cuts[0]!.wedgeAngleDeg,
    alignmentChangeDeg: dugdaleAngleDeg(g.H, g.A, T),
    hkaChangeDeg: hkaPost - hkaPre,
    softTissue: { method: plan.softTissue.method, reductionDeg, note: softNote },
    preOp,
    predicted,
    transformedSet,
    predictedJointLineObliquityDeg,
    flags,
  };
}

/** clinical-spec §5 safety flags on every plan. */
function pushSafetyFlags(
  flags: SafetyFlag[],
  plan: Plan,
  preOp: LegAlignment,
  predicted: LegAlignment,
  jlo: number | null,
  calibrated: boolean,
): void {
  const mpta = predicted.measurements.mpta.value;
  if (mpta !== null && mpta > 95) {
    flags.push({ severity: 'strong', code: 'MPTA_VERY_HIGH', message: `Post-op MPTA ${fixed1(mpta)}° is above 95°: excessive joint-line obliquity; consider a double-level osteotomy.` });
  } else if (mpta !== null && mpta > 93) {
    flags.push({ severity: 'warn', code: 'MPTA_HIGH', message: `Post-op MPTA ${fixed1(mpta)}° is above 93°.` });
  }
  if (jlo !== null && jlo > 5) {
    flags.push({
      severity: 'warn',
      code: 'JOINT_LINE_OBLIQUITY',
      message: `Post-op joint-line obliquity ${fixed1(jlo)}° (plateau against the perpendicular to the mechanical axis) is above 5°.`,
    });
  }
  const jlca = preOp.measurements.jlca.value;
  if (jlca !== null && jlca > 2) {
    flags.push({
      severity: 'warn',
      code: 'JLCA_LAXITY',
      message: `JLCA ${fixed1(jlca)}° is above 2° (soft-tissue laxity): the Micicoi reduction is ${fixed1(micicoiReductionDeg(jlca))}°.`,
    });
  }
  const mldfa = preOp.measurements.mldfa.value;
  const hka = preOp.measurements.hka.value;
  if (plan.procedure.startsWith('hto') && mldfa !== null && ((mldfa > 90 && hka !== null && hka < 0) || Math.abs(mldfa - 87) > 3)) {
    flags.push({
      severity: 'warn',
      code: 'FEMORAL_DEFORMITY',
      message: `mLDFA ${fixed1(mldfa)}° shows a femoral deformity: consider a double-level osteotomy.`,
    });
  }
  if (plan.target.kind === 'wbl' && (plan.target.percent < 50 || plan.target.percent > 65)) {
    flags.push({ severity: 'info', code: 'TARGET_UNUSUAL', message: `Target WBL ${fixed1(plan.target.percent)} % is outside the usual 50–65 %.` });
  }
  if (!calibrated) {
    flags.push({
      severity: 'info',
      code: 'UNCALIBRATED',
      message: 'Uncalibrated image: gap sizes in mm are hidden and default hinge offsets assume a 75 mm joint width.',
    });
  }
}
