// What a clinician records per film and leg at follow-up (clinical-spec §6): lateral hinge
// fracture (Takeuchi I / II / III), gap filling in percent, hardware status, free text. Plain
// constants: the renderer imports them without zod.

/** Takeuchi classification of a lateral hinge fracture in opening-wedge HTO; 'none' = looked for, not found. */
export const HINGE_FRACTURE_TYPES = ['none', 'I', 'II', 'III'] as const;
export type HingeFracture = (typeof HINGE_FRACTURE_TYPES)[number];

export const HARDWARE_STATUSES = ['intact', 'loosening', 'broken', 'removed'] as const;
export type HardwareStatus = (typeof HARDWARE_STATUSES)[number];

export const HINGE_FRACTURE_LABEL: Record<HingeFracture, string> = {
  none: 'No hinge fracture',
  I: 'Takeuchi I (into the proximal tibiofibular joint)',
  II: 'Takeuchi II (distal to the tibiofibular joint)',
  III: 'Takeuchi III (into the lateral plateau)',
};

export const HARDWARE_LABEL: Record<HardwareStatus, string> = {
  intact: 'Intact',
  loosening: 'Loosening',
  broken: 'Broken',
  removed: 'Removed',
};

export const MAX_FINDINGS_NOTES = 4000;

/** The recorded findings of one film and leg; every field may be left unrecorded (null / ''). */
export interface FilmFindingsInput {
  hingeFracture: HingeFracture | null;
  /** Bone filling of the opening gap, 0–100 %. */
  gapFillPercent: number | null;
  hardware: HardwareStatus | null;
  notes: string;
}

/** One stored revision of a film's findings (every save is kept). */
export interface FilmFindings extends FilmFindingsInput {
  imageId: number;
  side: 'L' | 'R';
  revision: number;
  updatedAt: string; // ISO 8601
}

/** Short text for a timeline row, e.g. "Takeuchi I · gap 35 % filled · plate intact"; null when nothing is recorded. */
export function summariseFindings(f: FilmFindingsInput | null): string | null {
  if (!f) return null;
  const parts: string[] = [];
  if (f.hingeFracture) parts.push(f.hingeFracture === 'none' ? 'no hinge fracture' : `hinge fracture Takeuchi ${f.hingeFracture}`);
  if (f.gapFillPercent !== null) parts.push(`gap ${Number(f.gapFillPercent.toFixed(1))} % filled`);
  if (f.hardware) parts.push(`hardware ${HARDWARE_LABEL[f.hardware].toLowerCase()}`);
  if (f.notes.trim()) parts.push(f.notes.trim().length > 60 ? `${f.notes.trim().slice(0, 57)}…` : f.notes.trim());
  return parts.length ? parts.join(' · ') : null;
}
