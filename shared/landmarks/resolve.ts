// Resolves the stored landmark set into leg-frame points (clinical-spec §1–2): H from the contour
// fit or a direct click, K and A according to their variants. Missing points are reported by id
// so a half-placed set still yields whatever it can.
import { fitCircle, type CircleFit } from '../geometry/circle-fit';
import { EngineError } from '../geometry/errors';
import { pixelToLeg, type LegFrame } from '../geometry/frame';
import { midpoint, type Vec2 } from '../geometry/vec';
import type { LandmarkSet } from '../schemas/landmark-set';
import { LANDMARK_IDS, type LandmarkId } from './ids';

/** The three key points of the mechanical axis. */
export type KeyPointId = 'femoralHeadCentre' | 'kneeCentre' | 'ankleCentre';

export type Resolved =
  | { ok: true; point: Vec2; derivation: string }
  | { ok: false; error: EngineError };

export interface ResolvedLandmarks {
  frame: LegFrame;
  /** Every placed named landmark in the leg frame (mm, x lateral, y proximal). */
  points: Partial<Record<LandmarkId, Vec2>>;
  femoralHeadCentre: Resolved;
  kneeCentre: Resolved;
  ankleCentre: Resolved;
  /** The fitted head circle in the leg frame, when ≥ 3 contour points were given. */
  femoralHeadCircle: CircleFit | null;
}

const missingError = (ids: string[], message: string) => ({ ok: false as const, error: new EngineError('MISSING_LANDMARK', message, ids) });

/** clinical-spec §2: resolves H, K and A and converts every landmark to the leg frame. */
export function resolveLandmarks(set: LandmarkSet, frame: LegFrame): ResolvedLandmarks {
  const points: Partial<Record<LandmarkId, Vec2>> = {};
  for (const id of LANDMARK_IDS) {
    const p = set.landmarks[id];
    if (p) points[id] = pixelToLeg(frame, p);
  }

  let femoralHeadCircle: CircleFit | null = null;
  let femoralHeadCentre: Resolved;
  const contour = set.femoralHeadContour ?? [];
  if (contour.length >= 3) {
    try {
      femoralHeadCircle = fitCircle(contour.map((p) => pixelToLeg(frame, p)));
      femoralHeadCentre = { ok: true, point: femoralHeadCircle.centre, derivation: `least-squares circle through ${contour.length} contour points` };
    } catch (err) {
      femoralHeadCentre = { ok: false, error: err as EngineError };
    }
  } else if (points.femoralHeadCentre) {
    femoralHeadCentre = { ok: true, point: points.femoralHeadCentre, derivation: 'direct click' };
  } else {
    femoralHeadCentre = missingError(
      ['femoralHeadCentre'],
      `Femoral head centre missing: place ${3 - contour.length} more contour point(s) or click the centre.`,
    );
  }

  let kneeCentre: Resolved;
  if (set.variants.kneeCentre === 'plateau-midpoint') {
    const absent = (['tibialPlateauMedial', 'tibialPlateauLateral'] as const).filter((id) => !points[id]);
    kneeCentre = absent.length
      ? missingError([...absent], 'Knee centre (plateau midpoint) needs both tibial plateau points.')
      : { ok: true, point: midpoint(points.tibialPlateauMedial!, points.tibialPlateauLateral!), derivation: 'midpoint of the tibial plateau points' };
  } else if (points.kneeCentre) {
    kneeCentre = {
      ok: true,
      point: points.kneeCentre,
      derivation: set.variants.kneeCentre === 'spines' ? 'centre of the tibial spines' : 'soft-tissue centre',
    };
  } else {
    kneeCentre = missingError(['kneeCentre'], 'Knee centre missing.');
  }

  let ankleCentre: Resolved;
  if (set.variants.ankleCentre === 'malleoli-midpoint') {
    const absent = (['malleolusMedial', 'malleolusLateral'] as const).filter((id) => !points[id]);
    ankleCentre = absent.length
      ? missingError([...absent], 'Ankle centre (malleolar variant) needs both malleoli.')
      : { ok: true, point: midpoint(points.malleolusMedial!, points.malleolusLateral!), derivation: 'midpoint of the malleoli' };
  } else if (points.ankleCentre) {
    ankleCentre = { ok: true, point: points.ankleCentre, derivation: 'direct click (talar dome centre)' };
  } else {
    const absent = (['plafondMedial', 'plafondLateral'] as const).filter((id) => !points[id]);
    ankleCentre = absent.length
      ? missingError([...absent], 'Ankle centre needs both plafond ends (or a direct ankle-centre click).')
      : { ok: true, point: midpoint(points.plafondMedial!, points.plafondLateral!), derivation: 'midpoint of the plafond' };
  }

  return { frame, points, femoralHeadCentre, kneeCentre, ankleCentre, femoralHeadCircle };
}
