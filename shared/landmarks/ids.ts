// Landmark ids and variants (clinical-spec §2). Kept apart from the catalogue text so the zod
// schemas can import them without the labels.

export const LANDMARK_IDS = [
  'femoralHeadCentre',
  'greaterTrochanterTip',
  'femoralShaftProximal',
  'femoralShaftDistal',
  'femoralCondyleMedial',
  'femoralCondyleLateral',
  'kneeCentre',
  'tibialPlateauMedial',
  'tibialPlateauLateral',
  'plafondMedial',
  'plafondLateral',
  'ankleCentre',
  'malleolusMedial',
  'malleolusLateral',
] as const;

export type LandmarkId = (typeof LANDMARK_IDS)[number];

/** The contour from which H is fitted is stored as its own array, named like a landmark for `missing` lists. */
export const FEMORAL_HEAD_CONTOUR = 'femoralHeadContour' as const;

export const KNEE_CENTRE_VARIANTS = ['spines', 'plateau-midpoint', 'soft-tissue'] as const;
export const ANKLE_CENTRE_VARIANTS = ['plafond-midpoint', 'malleoli-midpoint'] as const;
export const PLATEAU_VARIANTS = ['edges', 'subchondral'] as const;

export type KneeCentreVariant = (typeof KNEE_CENTRE_VARIANTS)[number];
export type AnkleCentreVariant = (typeof ANKLE_CENTRE_VARIANTS)[number];
export type PlateauVariant = (typeof PLATEAU_VARIANTS)[number];

export interface LandmarkVariants {
  kneeCentre: KneeCentreVariant;
  ankleCentre: AnkleCentreVariant;
  plateau: PlateauVariant;
}

/** clinical-spec §2 defaults: notch/spines knee centre, talar dome/plafond ankle centre, plateau edges. */
export const DEFAULT_VARIANTS: LandmarkVariants = { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' };
