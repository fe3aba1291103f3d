// Measure ids, labels, units and normal ranges (clinical-spec §3). Every number here is from the
// spec table; where the spec gives a single value the range used is stated beside it.

export const MEASURE_IDS = [
  'hka',
  'mad',
  'wbl',
  'mlpfa',
  'mldfa',
  'mpta',
  'ldta',
  'jlca',
  'aldfa',
  'ama',
  'ahka',
  'jlo',
  'cpak',
  'femurLength',
  'tibiaLength',
  'legLength',
] as const;

export type MeasureId = (typeof MEASURE_IDS)[number];
export type MeasureUnit = 'deg' | 'mm' | '%' | 'type';

export interface NormalRange {
  low: number;
  high: number;
}

export interface MeasureDefinition {
  id: MeasureId;
  label: string;
  unit: MeasureUnit;
  normal: NormalRange | null;
  /** Text of the normal value as the spec writes it, for tooltips. */
  normalText: string | null;
  requiresCalibration: boolean;
}

const def = (
  id: MeasureId,
  label: string,
  unit: MeasureUnit,
  normal: NormalRange | null,
  normalText: string | null,
  requiresCalibration = false,
): MeasureDefinition => ({ id, label, unit, normal, normalText, requiresCalibration });

/** clinical-spec §3 table. */
export const MEASURE_DEFINITIONS: Readonly<Record<MeasureId, MeasureDefinition>> = Object.freeze({
  // The HKA value is the signed deviation from 180° (negative = varus): normal 180 ± 3°.
  hka: def('hka', 'HKA', 'deg', { low: -3, high: 3 }, '180 ± 3°'),
  // MAD is signed medial-positive: normal 8 ± 7 mm medial = 1–15 mm medial.
  mad: def('mad', 'MAD', 'mm', { low: 1, high: 15 }, '8 ± 7 mm medial', true),
  wbl: def('wbl', 'WBL ratio', '%', null, null),
  mlpfa: def('mlpfa', 'mLPFA', 'deg', { low: 85, high: 95 }, '90° (85–95)'),
  mldfa: def('mldfa', 'mLDFA', 'deg', { low: 85, high: 90 }, '87 ± 3° (85–90)'),
  mpta: def('mpta', 'MPTA', 'deg', { low: 85, high: 90 }, '87° (85–90)'),
  ldta: def('ldta', 'LDTA', 'deg', { low: 86, high: 92 }, '89° (86–92)'),
  jlca: def('jlca', 'JLCA', 'deg', { low: 0, high: 2 }, '0–2°'),
  // The spec gives 81° and 5–7°; aLDFA uses Paley's ± 2° around 81°.
  aldfa: def('aldfa', 'aLDFA', 'deg', { low: 79, high: 83 }, '81°'),
  ama: def('ama', 'AMA', 'deg', { low: 5, high: 7 }, '5–7°'),
  ahka: def('ahka', 'aHKA', 'deg', { low: -0.9 - 2.5, high: -0.9 + 2.5 }, '−0.9 ± 2.5°'),
  jlo: def('jlo', 'JLO', 'deg', { low: 177, high: 183 }, '180 ± 3°'),
  cpak: def('cpak', 'CPAK type', 'type', null, null),
  femurLength: def('femurLength', 'Femur length (H–K)', 'mm', null, null, true),
  tibiaLength: def('tibiaLength', 'Tibia length (K–A)', 'mm', null, null, true),
  legLength: def('legLength', 'Leg length (H–A)', 'mm', null, null, true),
});

/** clinical-spec §3 self-check: warn when HKA and MPTA − mLDFA − JLCA differ by more than this. */
export const IDENTITY_TOLERANCE_DEG = 0.5;

/** clinical-spec §3 (Paley): the MAD band, and the mLDFA / MPTA / JLCA limits of the malalignment test. */
export const MALALIGNMENT_LIMITS = {
  madMedialMm: { low: 1, high: 15 },
  mldfaDeg: { low: 85, high: 90 },
  mptaDeg: { low: 85, high: 90 },
  jlcaMaxDeg: 2,
} as const;

/** clinical-spec §3 CPAK bands, boundaries inclusive in the neutral band. */
export const CPAK_LIMITS = { ahkaNeutral: { low: -2, high: 2 }, jloNeutral: { low: 177, high: 183 } } as const;
