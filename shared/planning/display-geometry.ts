// Everything the plan screen draws for an osteotomy plan (issue 5; clinical-spec §5), in IMAGE
// PIXEL coordinates so the screen maps it with its one projection (renderer/src/viewer/
// projection.ts), exactly like landmarks. Pure and cheap (a few microseconds, far less than
// computePlan itself): call it on every drag frame after computePlan.
//
//   const result = computePlan(set, calibration, plan);            // engine numbers
//   const g = planDisplayGeometry(set, calibration, result, { columns, rows });
//   // Per cut: g.cuts[i].osteotomyLine, .hinge, .wedgePolygon, .wedgeLabelAnchor, .gap, ...
//   // New axis: g.newAxis (H′–A′) through g.targetPoint; g.predictedWblPoint on the plateau.
//   // Simulated correction (film cut along the osteotomy line, fragment rotated about the hinge):
//   //   draw the image clipped to every cut's fragment.stationaryPolygon (canvas clips intersect),
//   //   then for each cut: ctx.setTransform(...composeAffine(imageToCanvas, cut.fragment.transform)),
//   //   clip to cut.fragment.polygon (in image pixels, under that same transform) and draw the image.
//
// Geometry: the engine rotates the moved fragment by rotationDeg about the hinge in the leg frame
// (mm, clinical-spec §1). With non-square pixels that rotation is not a rotation in pixel space but
// a general affine map, derived here from the same LegFrame, so the fragment drawn on screen lands
// exactly where computePlan puts the moved landmarks.
import { EngineError } from '../geometry/errors';
import { legToPixel, pixelToLeg, type LegFrame } from '../geometry/frame';
import { add, cross, distance, rotateAbout, scale, sub, unit, type Vec2 } from '../geometry/vec';
import { legFrameFor } from '../measurements/leg-alignment';
import type { Calibration } from '../schemas/calibration';
import type { LandmarkSet } from '../schemas/landmark-set';
import type { Bone, OsteotomyCut, PlanResult, WedgeKind } from './osteotomy';

/** Affine map as [a, b, c, d, e, f]: x′ = a·x + c·y + e, y′ = b·x + d·y + f — the argument order of canvas setTransform and CSS matrix(). */
export type Affine = [number, number, number, number, number, number];

export interface Segment {
  from: Vec2;
  to: Vec2;
}

/** The image matrix: columns (width) and rows (height), in pixels. */
export interface ImageSize {
  columns: number;
  rows: number;
}

export interface CutDisplay {
  bone: Bone;
  /** Opening wedge: the gap that opens at the cortex. Closing wedge: the bone removed before closing. */
  wedge: WedgeKind;
  hinge: Vec2;
  cutEntry: Vec2;
  /** The saw cut from the cut entry (at the cortex) to the hinge: the line the film is cut along. */
  osteotomyLine: Segment;
  /** The cut entry carried by the fragment's rotation (where the moved fragment's cortex ends up). */
  movedCutEntry: Vec2;
  /** Closing wedge only: the second saw cut, moved cut entry → hinge, bounding the removed wedge; null for an opening wedge. */
  secondCutLine: Segment | null;
  /**
   * Triangle hinge, cut entry, moved cut entry. Opening wedge: the gap as it is after the
   * correction (draw it on the simulated correction). Closing wedge: the bone to remove, on the
   * pre-op film (in the simulation the moved fragment covers it).
   */
  wedgePolygon: [Vec2, Vec2, Vec2];
  /** α, the engine's wedge angle (what the surgeon opens or closes), degrees. */
  wedgeAngleDeg: number;
  /** The signed rotation the moved fragment gets, degrees counter-clockwise in the leg frame (engine's rotationDeg). */
  rotationDeg: number;
  /** Where to put the wedge-angle label: on the wedge's bisector, 20 % of the osteotomy length beyond the cortex. */
  wedgeLabelAnchor: Vec2;
  /**
   * The chord between cut entry and moved cut entry: the opening at the cortex (closing wedge: the
   * wedge base). mm equals the engine's 2·L·sin(α/2); tangentMm is L·tan α for comparison only;
   * both null on an uncalibrated image. labelAnchor lies just outside the cortex.
   */
  gap: { from: Vec2; to: Vec2; mm: number | null; tangentMm: number | null; labelAnchor: Vec2 };
  fragment: {
    /** HTO: the distal fragment (tibial shaft, ankle); DFO: the proximal one (femoral head and shaft). */
    part: 'distal' | 'proximal';
    /**
     * The image region that moves: the side of the line through cut entry and hinge that holds
     * the ankle centre (tibia) or femoral head centre (femur), ending beyond the hinge at the line
     * across the bone through the hinge (the saw stops there), limited medially to this leg (a
     * margin medial of the moved bone's most medial landmark, so the other leg of a two-leg film
     * stays put) and clipped to the image rectangle. Convex; pixels, pre-op position (apply
     * `transform` to draw it moved). Everything else on the film stays.
     */
    polygon: Vec2[];
    /** Pixel → pixel map of the moved fragment: the rotation by rotationDeg about the hinge in mm. */
    transform: Affine;
  };
}

export interface PlanDisplayGeometry {
  cuts: CutDisplay[];
  /** T on the plateau line (the target WBL point; for an HKA target where the planned axis crosses the plateau). */
  targetPoint: Vec2;
  /** The pre-op mechanical axis H–A. */
  preOpAxis: Segment;
  /** The predicted mechanical axis H′–A′ (H–A′ after an HTO, H′–A after a DFO): passes through targetPoint unless a soft-tissue adjustment reduced the bony correction. */
  newAxis: Segment;
  /** Where the new axis crosses the plateau line (the predicted WBL point); null when parallel. */
  predictedWblPoint: Vec2 | null;
}

/** Composition: first `inner`, then `outer` (e.g. composeAffine(imageToCanvas, fragment.transform)). */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s, a * t + c * u + e, b * t + d * u + f];
}

export function applyAffine(m: Affine, p: Vec2): Vec2 {
  return { x: m[0] * p.x + m[2] * p.y + m[4], y: m[1] * p.x + m[3] * p.y + m[5] };
}

/**
 * clinical-spec §1, §5: the pixel-space map of a rotation by angleDeg (counter-clockwise in the leg
 * frame) about `hinge` (pixels). In the leg frame p ↦ hinge + R(p − hinge); conjugated by the
 * pixel ↔ leg scaling (x by lateralSign·columnSpacing, y by −rowSpacing) the linear part becomes
 * [[cos, s·sin·Δy/Δx], [−s·sin·Δx/Δy, cos]] — a rotation only when the pixels are square.
 */
export function fragmentTransform(frame: LegFrame, hinge: Vec2, angleDeg: number): Affine {
  const rad = (angleDeg * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const s = frame.lateralSign;
  const a = cos;
  const b = (-s * sin * frame.columnSpacingMm) / frame.rowSpacingMm;
  const c = (s * sin * frame.rowSpacingMm) / frame.columnSpacingMm;
  const d = cos;
  return [a, b, c, d, hinge.x - (a * hinge.x + c * hinge.y), hinge.y - (b * hinge.x + d * hinge.y)];
}

/**
 * A convex polygon clipped to one side of the line through p and q (Sutherland–Hodgman with a
 * single edge): keepSign +1 keeps the points with cross(q − p, x − p) ≥ 0, −1 the others.
 */
function clipToHalfPlane(polygon: Vec2[], p: Vec2, q: Vec2, keepSign: 1 | -1): Vec2[] {
  const d = sub(q, p);
  const side = (x: Vec2) => keepSign * cross(d, sub(x, p));
  const out: Vec2[] = [];
  for (let i = 0; i < polygon.length; i++) {
    const cur = polygon[i]!;
    const next = polygon[(i + 1) % polygon.length]!;
    const sc = side(cur);
    const sn = side(next);
    if (sc >= 0) out.push(cur);
    if ((sc >= 0) !== (sn >= 0)) {
      const t = sc / (sc - sn);
      out.push({ x: cur.x + (next.x - cur.x) * t, y: cur.y + (next.y - cur.y) * t });
    }
  }
  return out;
}

const TIBIA_LANDMARKS = ['tibialPlateauMedial', 'tibialPlateauLateral', 'kneeCentre', 'plafondMedial', 'plafondLateral', 'ankleCentre', 'malleolusMedial', 'malleolusLateral'] as const;
const FEMUR_LANDMARKS = ['femoralHeadCentre', 'greaterTrochanterTip', 'femoralShaftProximal', 'femoralShaftDistal', 'femoralCondyleMedial', 'femoralCondyleLateral'] as const;

/**
 * The medial limit of the moved fragment, as a line in pixels: parallel to the leg's long axis, a
 * margin (0.35 plateau widths, in leg-frame units so it also holds uncalibrated) medial of the moved
 * bone's most medial point. Medial of it is the other leg, which no osteotomy of this leg moves.
 */
function legLimit(frame: LegFrame, set: LandmarkSet, bone: OsteotomyCut['bone']): { p: Vec2; q: Vec2; lateral: Vec2 } | null {
  const ids = bone === 'tibia' ? TIBIA_LANDMARKS : FEMUR_LANDMARKS;
  const points = [...ids.flatMap((id) => (set.landmarks[id] ? [set.landmarks[id]!] : [])), ...(bone === 'femur' ? set.femoralHeadContour : [])];
  if (points.length === 0) return null;
  const xs = points.map((pt) => pixelToLeg(frame, pt).x);
  const pm = set.landmarks.tibialPlateauMedial;
  const pl = set.landmarks.tibialPlateauLateral;
  const width = pm && pl ? distance(pixelToLeg(frame, pm), pixelToLeg(frame, pl)) : Math.max(...xs) - Math.min(...xs);
  if (!(width > 0)) return null;
  const x = Math.min(...xs) - 0.35 * width;
  return { p: legToPixel(frame, { x, y: 0 }), q: legToPixel(frame, { x, y: 1 }), lateral: legToPixel(frame, { x: x + width, y: 0 }) };
}

function cutDisplay(frame: LegFrame, set: LandmarkSet, cut: OsteotomyCut, movedReference: Vec2, size: ImageSize): CutDisplay {
  const { hinge, cutEntry } = cut;
  const transform = fragmentTransform(frame, hinge, cut.rotationDeg);
  const movedCutEntry = applyAffine(transform, cutEntry);

  // Everything about lengths and directions in mm (clinical-spec §1), mapped back to pixels.
  const hingeLeg = pixelToLeg(frame, hinge);
  const entryLeg = pixelToLeg(frame, cutEntry);
  const movedEntryLeg = pixelToLeg(frame, movedCutEntry);
  const lengthLeg = distance(hingeLeg, entryLeg);
  if (!(lengthLeg > 1e-9)) {
    throw new EngineError('DEGENERATE_GEOMETRY', 'The cut entry and the hinge coincide: drag one of them to draw an osteotomy line.');
  }
  const alongCut = unit(sub(entryLeg, hingeLeg), 'osteotomy line');
  const bisector = rotateAbout(alongCut, { x: 0, y: 0 }, cut.rotationDeg / 2);
  const wedgeLabelAnchor = legToPixel(frame, add(hingeLeg, scale(bisector, 1.2 * lengthLeg)));
  const chordMid = scale(add(entryLeg, movedEntryLeg), 0.5);
  const gapLabelAnchor = legToPixel(frame, add(chordMid, scale(bisector, 0.08 * lengthLeg)));

  const calibrated = cut.osteotomyLengthMm !== null;
  const gapMm = calibrated ? distance(entryLeg, movedEntryLeg) : null;

  // The moved fragment is the half-plane of the (extended) osteotomy line holding the moved key point.
  const sideOfMoved = cross(sub(hinge, cutEntry), sub(movedReference, cutEntry));
  if (sideOfMoved === 0) {
    throw new EngineError(
      'DEGENERATE_GEOMETRY',
      `The osteotomy line passes through the ${cut.bone === 'tibia' ? 'ankle centre' : 'femoral head centre'}: it does not separate a fragment.`,
    );
  }
  const keep: 1 | -1 = sideOfMoved > 0 ? 1 : -1;
  const image: Vec2[] = [
    { x: 0, y: 0 },
    { x: size.columns, y: 0 },
    { x: size.columns, y: size.rows },
    { x: 0, y: size.rows },
  ];
  let polygon = clipToHalfPlane(image, cutEntry, hinge, keep);
  // The saw stops at the hinge: beyond it the fragment ends at the line across the bone through the
  // hinge (the leg frame's x axis), so the cut line's extension does not split the condyles, the
  // plateau or the calibration sphere beside the knee. Only when the cut entry lies on the moved
  // side of that line, as with every cut that runs toward the joint to its hinge; otherwise the line
  // would trim the fragment between cut entry and hinge.
  const across = legToPixel(frame, add(hingeLeg, { x: 1, y: 0 }));
  const entrySide = cross(sub(across, hinge), sub(cutEntry, hinge));
  const movedSide = cross(sub(across, hinge), sub(movedReference, hinge));
  if (entrySide * movedSide > 0) polygon = clipToHalfPlane(polygon, hinge, across, movedSide > 0 ? 1 : -1);
  const limit = legLimit(frame, set, cut.bone);
  if (limit) polygon = clipToHalfPlane(polygon, limit.p, limit.q, cross(sub(limit.q, limit.p), sub(limit.lateral, limit.p)) > 0 ? 1 : -1);

  return {
    bone: cut.bone,
    wedge: cut.wedge,
    hinge,
    cutEntry,
    osteotomyLine: { from: cutEntry, to: hinge },
    movedCutEntry,
    secondCutLine: cut.wedge === 'closing' ? { from: movedCutEntry, to: hinge } : null,
    wedgePolygon: [hinge, cutEntry, movedCutEntry],
    wedgeAngleDeg: cut.wedgeAngleDeg,
    rotationDeg: cut.rotationDeg,
    wedgeLabelAnchor,
    gap: { from: cutEntry, to: movedCutEntry, mm: gapMm, tangentMm: cut.gapTangentMm, labelAnchor: gapLabelAnchor },
    fragment: {
      part: cut.bone === 'tibia' ? 'distal' : 'proximal',
      polygon,
      transform,
    },
  };
}

/**
 * clinical-spec §5: what the plan screen draws for `result` (computePlan on the same set and
 * calibration), in image pixels. Throws EngineError DEGENERATE_GEOMETRY when a cut entry
 * coincides with its hinge or the osteotomy line runs through the point it should separate.
 */
export function planDisplayGeometry(set: LandmarkSet, calibration: Calibration, result: PlanResult, size: ImageSize): PlanDisplayGeometry {
  if (!(size.columns > 0) || !(size.rows > 0)) {
    throw new EngineError('INVALID_INPUT', `The image size must be positive, not ${String(size.columns)} × ${String(size.rows)} pixels.`);
  }
  const frame = legFrameFor(set, calibration);
  const H = result.preOp.keyPoints.femoralHeadCentre.pixel;
  const A = result.preOp.keyPoints.ankleCentre.pixel;
  const H2 = result.predicted.keyPoints.femoralHeadCentre.pixel;
  const A2 = result.predicted.keyPoints.ankleCentre.pixel;
  // computePlan has already refused a plan without H and A; this guards a hand-made result.
  if (!H || !A || !H2 || !A2) throw new EngineError('MISSING_LANDMARK', 'The plan result has no femoral head or ankle centre.');
  return {
    cuts: result.cuts.map((cut) => cutDisplay(frame, set, cut, cut.bone === 'tibia' ? A : H, size)),
    targetPoint: result.targetPoint,
    preOpAxis: { from: H, to: A },
    newAxis: { from: H2, to: A2 },
    predictedWblPoint: result.predicted.wblPoint,
  };
}
