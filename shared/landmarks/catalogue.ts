// The landmark catalogue (clinical-spec §2): labels, descriptions and the guided click order the
// measuring screen shows. Plain data so it can cross IPC unchanged.
import { FEMORAL_HEAD_CONTOUR, type LandmarkId, type LandmarkVariants } from './ids';

export type CatalogueId = LandmarkId | typeof FEMORAL_HEAD_CONTOUR;

export interface LandmarkCatalogueEntry {
  id: CatalogueId;
  label: string;
  /** What to click, shown in the guided step list. */
  description: string;
  /** 'contour' takes several points (≥ 3); 'point' one click. */
  kind: 'point' | 'contour';
  /** Optional steps feed only some measurements (e.g. trochanter → mLPFA). */
  optional: boolean;
  /** Measure ids that use it. */
  usedBy: readonly string[];
}

const entries: Record<CatalogueId, LandmarkCatalogueEntry> = {
  femoralHeadContour: {
    id: 'femoralHeadContour',
    label: 'Femoral head contour',
    description: 'Click 3 or more points spread around the femoral head outline; H is the centre of the least-squares circle through them.',
    kind: 'contour',
    optional: false,
    usedBy: ['hka', 'mad', 'wbl', 'mlpfa', 'mldfa', 'ama', 'femurLength', 'legLength'],
  },
  femoralHeadCentre: {
    id: 'femoralHeadCentre',
    label: 'Femoral head centre (direct)',
    description: 'Alternative to the contour: one click at the centre of the femoral head. The contour fit is used when both exist.',
    kind: 'point',
    optional: true,
    usedBy: ['hka', 'mad', 'wbl', 'mlpfa', 'mldfa', 'ama', 'femurLength', 'legLength'],
  },
  greaterTrochanterTip: {
    id: 'greaterTrochanterTip',
    label: 'Greater trochanter tip',
    description: 'The most proximal point of the greater trochanter.',
    kind: 'point',
    optional: true,
    usedBy: ['mlpfa'],
  },
  femoralShaftProximal: {
    id: 'femoralShaftProximal',
    label: 'Femoral shaft, proximal',
    description: 'Mid-point between the cortices in the proximal diaphysis (anatomic femoral axis).',
    kind: 'point',
    optional: true,
    usedBy: ['aldfa', 'ama'],
  },
  femoralShaftDistal: {
    id: 'femoralShaftDistal',
    label: 'Femoral shaft, distal',
    description: 'Mid-point between the cortices in the distal diaphysis, well above the metaphysis.',
    kind: 'point',
    optional: true,
    usedBy: ['aldfa', 'ama'],
  },
  femoralCondyleMedial: {
    id: 'femoralCondyleMedial',
    label: 'Medial femoral condyle',
    description: 'The most distal point of the medial condyle.',
    kind: 'point',
    optional: false,
    usedBy: ['mldfa', 'jlca', 'aldfa'],
  },
  femoralCondyleLateral: {
    id: 'femoralCondyleLateral',
    label: 'Lateral femoral condyle',
    description: 'The most distal point of the lateral condyle.',
    kind: 'point',
    optional: false,
    usedBy: ['mldfa', 'jlca', 'aldfa'],
  },
  kneeCentre: {
    id: 'kneeCentre',
    label: 'Knee centre',
    description: 'The centre of the tibial spines / intercondylar notch.',
    kind: 'point',
    optional: false,
    usedBy: ['hka', 'mad', 'mlpfa', 'mldfa', 'mpta', 'ldta', 'ama', 'femurLength', 'tibiaLength'],
  },
  tibialPlateauMedial: {
    id: 'tibialPlateauMedial',
    label: 'Tibial plateau, medial',
    description: 'The most medial point of the tibial plateau.',
    kind: 'point',
    optional: false,
    usedBy: ['wbl', 'mpta', 'jlca'],
  },
  tibialPlateauLateral: {
    id: 'tibialPlateauLateral',
    label: 'Tibial plateau, lateral',
    description: 'The most lateral point of the tibial plateau.',
    kind: 'point',
    optional: false,
    usedBy: ['wbl', 'mpta', 'jlca'],
  },
  plafondMedial: {
    id: 'plafondMedial',
    label: 'Tibial plafond, medial',
    description: 'The medial end of the distal tibial articular surface.',
    kind: 'point',
    optional: false,
    usedBy: ['ldta', 'hka', 'mad', 'wbl', 'mpta'],
  },
  plafondLateral: {
    id: 'plafondLateral',
    label: 'Tibial plafond, lateral',
    description: 'The lateral end of the distal tibial articular surface.',
    kind: 'point',
    optional: false,
    usedBy: ['ldta', 'hka', 'mad', 'wbl', 'mpta'],
  },
  ankleCentre: {
    id: 'ankleCentre',
    label: 'Ankle centre (direct)',
    description: 'Optional: the centre of the talar dome. Without it the midpoint of the plafond ends is used.',
    kind: 'point',
    optional: true,
    usedBy: ['hka', 'mad', 'wbl', 'mpta', 'ldta', 'tibiaLength', 'legLength'],
  },
  malleolusMedial: {
    id: 'malleolusMedial',
    label: 'Medial malleolus',
    description: 'The most medial point of the medial malleolus.',
    kind: 'point',
    optional: false,
    usedBy: ['hka', 'mad', 'wbl', 'mpta', 'ldta', 'tibiaLength', 'legLength'],
  },
  malleolusLateral: {
    id: 'malleolusLateral',
    label: 'Lateral malleolus',
    description: 'The most lateral point of the lateral malleolus.',
    kind: 'point',
    optional: false,
    usedBy: ['hka', 'mad', 'wbl', 'mpta', 'ldta', 'tibiaLength', 'legLength'],
  },
};

/** clinical-spec §2: every landmark the engine knows, with its label and description. */
export const LANDMARK_CATALOGUE: readonly LandmarkCatalogueEntry[] = Object.freeze(Object.values(entries));

/** clinical-spec §2: the catalogue entry for an id (labels for missing-landmark messages). */
export function landmarkEntry(id: CatalogueId): LandmarkCatalogueEntry {
  return entries[id];
}

/** Human label for an id in a `missing` list; unknown ids are returned as given. */
export function landmarkLabel(id: string): string {
  return (entries as Record<string, LandmarkCatalogueEntry | undefined>)[id]?.label ?? id;
}

/**
 * clinical-spec §2: the guided step list (order of clicking, proximal to distal) for the chosen
 * variants. The knee-centre step disappears for the plateau-midpoint variant (K is derived), the
 * malleoli replace the direct ankle-centre step for the malleolar variant, and the plateau
 * description follows the plateau variant.
 */
export function guidedLandmarkSteps(variants: LandmarkVariants): LandmarkCatalogueEntry[] {
  const steps: LandmarkCatalogueEntry[] = [
    entries.femoralHeadContour,
    entries.greaterTrochanterTip,
    entries.femoralShaftProximal,
    entries.femoralShaftDistal,
    entries.femoralCondyleMedial,
    entries.femoralCondyleLateral,
  ];
  // plateau-midpoint: K is derived from the plateau points, so there is no knee-centre click.
  if (variants.kneeCentre === 'spines') steps.push(entries.kneeCentre);
  if (variants.kneeCentre === 'soft-tissue') {
    steps.push({ ...entries.kneeCentre, description: 'The centre of the knee soft-tissue shadow at the joint line (soft-tissue variant).' });
  }
  const plateau =
    variants.plateau === 'subchondral'
      ? {
          medial: 'The lowest subchondral point of the medial plateau (subchondral variant).',
          lateral: 'The lowest subchondral point of the lateral plateau (subchondral variant).',
        }
      : { medial: entries.tibialPlateauMedial.description, lateral: entries.tibialPlateauLateral.description };
  steps.push({ ...entries.tibialPlateauMedial, description: plateau.medial }, { ...entries.tibialPlateauLateral, description: plateau.lateral });
  steps.push(entries.plafondMedial, entries.plafondLateral);
  if (variants.ankleCentre === 'plafond-midpoint') steps.push(entries.ankleCentre);
  else steps.push(entries.malleolusMedial, entries.malleolusLateral);
  return steps;
}
