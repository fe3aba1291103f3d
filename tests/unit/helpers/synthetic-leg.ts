// Builds landmark sets from a leg described by its angles (clinical-spec §3 definitions), so a
// test knows every expected value by construction. Geometry in the leg frame (mm, x lateral,
// y proximal), then mapped to pixels for any side, flip, spacing and offset.
import { legToPixel, createLegFrame, type Side } from '../../../shared/geometry/frame';
import type { Vec2 } from '../../../shared/geometry/vec';
import type { LandmarkId } from '../../../shared/landmarks/ids';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';

export interface LegSpec {
  femurLengthMm: number;
  tibiaLengthMm: number;
  /** Direction of H − K from +lateral, degrees (> 90: head medial of the knee). */
  femoralAxisDeg: number;
  mldfa: number;
  jlca: number;
  mpta: number;
  ldta: number;
  mlpfa: number;
  ama: number;
  kneeWidthMm: number;
  headRadiusMm: number;
}

export const TYPICAL_VARUS_LEG: LegSpec = {
  femurLengthMm: 450,
  tibiaLengthMm: 380,
  femoralAxisDeg: 93,
  mldfa: 88,
  jlca: 1.5,
  mpta: 84,
  ldta: 89,
  mlpfa: 90,
  ama: 6,
  kneeWidthMm: 76,
  headRadiusMm: 24,
};

const dir = (deg: number): Vec2 => ({ x: Math.cos((deg * Math.PI) / 180), y: Math.sin((deg * Math.PI) / 180) });
const at = (o: Vec2, d: Vec2, k: number): Vec2 => ({ x: o.x + d.x * k, y: o.y + d.y * k });

export interface LegPointsMm {
  points: Record<LandmarkId, Vec2>;
  contour: Vec2[];
}

/** The leg in mm. K at the origin; plateau midpoint = K and plafond midpoint = malleoli midpoint = A, so every variant agrees. */
export function legPointsMm(s: LegSpec): LegPointsMm {
  const K = { x: 0, y: 0 };
  const thetaH = s.femoralAxisDeg;
  const H = at(K, dir(thetaH), s.femurLengthMm);
  const gamma = thetaH - s.mldfa; // condylar line toward lateral
  const pi = gamma - s.jlca; // plateau line toward lateral
  const thetaA = s.mpta + pi - 180; // tibial axis K → A
  const A = at(K, dir(thetaA), s.tibiaLengthMm);
  const delta = thetaA + 180 - s.ldta; // plafond toward lateral
  const condyleMid = at(K, dir(thetaH), 5);
  const shaft = dir(thetaH - s.ama);
  const malleolusOffset = at(at({ x: 0, y: 0 }, dir(delta), -32), dir(thetaA), 6);
  const points: Record<LandmarkId, Vec2> = {
    femoralHeadCentre: H,
    greaterTrochanterTip: at(H, dir(thetaH - 180 + s.mlpfa), 55),
    femoralShaftProximal: at(K, shaft, 320),
    femoralShaftDistal: at(K, shaft, 120),
    femoralCondyleMedial: at(condyleMid, dir(gamma), -s.kneeWidthMm / 2),
    femoralCondyleLateral: at(condyleMid, dir(gamma), s.kneeWidthMm / 2),
    kneeCentre: K,
    tibialPlateauMedial: at(K, dir(pi), -s.kneeWidthMm / 2),
    tibialPlateauLateral: at(K, dir(pi), s.kneeWidthMm / 2),
    plafondMedial: at(A, dir(delta), -15),
    plafondLateral: at(A, dir(delta), 15),
    ankleCentre: A,
    malleolusMedial: at(A, malleolusOffset, 1),
    malleolusLateral: at(A, malleolusOffset, -1),
  };
  const contour = [200, 240, 280, 320, 10, 60, 100].map((a) => at(H, dir(a), s.headRadiusMm));
  return { points, contour };
}

export interface ImageOptions {
  side: Side;
  imageFlipped: boolean;
  rowSpacingMm: number;
  columnSpacingMm: number;
  offsetPx: Vec2;
  /** Use the fitted contour for H (default) or a direct centre click. */
  headBy?: 'contour' | 'direct';
  omit?: LandmarkId[];
  variants?: LandmarkSet['variants'];
}

export const DEFAULT_IMAGE: ImageOptions = { side: 'R', imageFlipped: false, rowSpacingMm: 0.15, columnSpacingMm: 0.15, offsetPx: { x: 1200, y: 3600 } };

/** Maps the mm leg to a stored landmark set in pixels. */
export function toLandmarkSet(leg: LegPointsMm, o: ImageOptions = DEFAULT_IMAGE): LandmarkSet {
  const frame = createLegFrame(o.side, o.imageFlipped, o.rowSpacingMm, o.columnSpacingMm);
  const px = (p: Vec2) => {
    const q = legToPixel(frame, p);
    return { x: q.x + o.offsetPx.x, y: q.y + o.offsetPx.y, placedBy: 'user' as const };
  };
  const landmarks: LandmarkSet['landmarks'] = {};
  for (const [id, p] of Object.entries(leg.points) as [LandmarkId, Vec2][]) {
    if (o.omit?.includes(id)) continue;
    if (id === 'femoralHeadCentre' && o.headBy !== 'direct') continue;
    landmarks[id] = px(p);
  }
  return {
    schemaVersion: 1,
    sopInstanceUid: '1.2.826.0.1.3680043.8.498.1',
    frame: 0,
    side: o.side,
    imageFlipped: o.imageFlipped,
    variants: o.variants ?? { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks,
    femoralHeadContour: o.headBy === 'direct' || o.omit?.includes('femoralHeadCentre') ? [] : leg.contour.map(px),
    userCalibration: null,
  };
}

/** A calibrated value for the given spacing. */
export function calibrated(rowSpacingMm: number, columnSpacingMm: number) {
  return { type: 'calibrated' as const, rowSpacingMm, columnSpacingMm, source: 'test', note: null };
}
