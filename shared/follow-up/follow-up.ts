// Follow-up over serial radiographs (clinical-spec §6): weeks after surgery, achieved vs planned,
// and loss of correction from the immediate post-op film with configurable thresholds.
import { EngineError } from '../geometry/errors';
import type { LegAlignment } from '../measurements/leg-alignment';

export type StudyRole = 'pre-op' | 'planning' | 'immediate-post-op' | 'follow-up';

/** The values follow-up compares; any may be unavailable on a given film. */
export interface AlignmentSnapshot {
  hkaDeg: number | null;
  wblPercent: number | null;
  mptaDeg: number | null;
}

export type FollowUpMeasure = keyof AlignmentSnapshot;

/** clinical-spec §6: the compared values of one alignment result. */
export function snapshotOf(a: LegAlignment): AlignmentSnapshot {
  return { hkaDeg: a.measurements.hka.value, wblPercent: a.measurements.wbl.value, mptaDeg: a.measurements.mpta.value };
}

const DAY_MS = 86_400_000;

/** Accepts DICOM YYYYMMDD or ISO YYYY-MM-DD; returns UTC midnight in ms. A clear error otherwise. */
export function parseStudyDate(date: string): number {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date.trim());
  if (!m) throw new EngineError('INVALID_INPUT', `"${date}" is not a date (expected YYYY-MM-DD or YYYYMMDD).`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    throw new EngineError('INVALID_INPUT', `"${date}" is not a valid calendar date.`);
  }
  return ms;
}

/** clinical-spec §6: whole days from the operation to the study (negative before surgery). */
export function daysAfterSurgery(operationDate: string, studyDate: string): number {
  return Math.round((parseStudyDate(studyDate) - parseStudyDate(operationDate)) / DAY_MS);
}

/** clinical-spec §6: weeks after surgery, fractional (days / 7); negative for pre-op studies. */
export function weeksAfterSurgery(operationDate: string, studyDate: string): number {
  return daysAfterSurgery(operationDate, studyDate) / 7;
}

/** clinical-spec §6: "6 weeks 2 days" style label for a timeline. */
export function formatWeeksAfterSurgery(operationDate: string, studyDate: string): string {
  const days = daysAfterSurgery(operationDate, studyDate);
  if (days < 0) return `${-days} day(s) before surgery`;
  const weeks = Math.floor(days / 7);
  const rest = days % 7;
  return rest ? `${weeks} wk ${rest} d after surgery` : `${weeks} wk after surgery`;
}

export interface MeasureDelta {
  planned: number | null;
  achieved: number | null;
  /** achieved − planned; null when either is unavailable. */
  delta: number | null;
}

export type AchievedVsPlanned = Record<FollowUpMeasure, MeasureDelta>;

/** clinical-spec §6: Δ WBL %, Δ HKA, Δ MPTA between the plan's prediction and the first post-op film. */
export function achievedVsPlanned(planned: AlignmentSnapshot, achieved: AlignmentSnapshot): AchievedVsPlanned {
  const d = (key: FollowUpMeasure): MeasureDelta => {
    const p = planned[key];
    const a = achieved[key];
    return { planned: p, achieved: a, delta: p === null || a === null ? null : a - p };
  };
  return { hkaDeg: d('hkaDeg'), wblPercent: d('wblPercent'), mptaDeg: d('mptaDeg') };
}

/** clinical-spec §6: loss-of-correction thresholds are settings; defaults 2° HKA, 5 % WBL. MPTA has no default (null = report, do not flag). */
export interface LossThresholds {
  hkaDeg: number | null;
  wblPercent: number | null;
  mptaDeg: number | null;
}

export const DEFAULT_LOSS_THRESHOLDS: LossThresholds = Object.freeze({ hkaDeg: 2, wblPercent: 5, mptaDeg: null });

/**
 * A change counts as reaching its threshold from threshold − this: two films measured 2° apart
 * differ by 1.9999999999995° after the float arithmetic of the engine, and a loss the screen
 * shows as "2.0°" against a 2° threshold must be flagged (as CPAK bands ignore float noise).
 */
export const LOSS_THRESHOLD_TOLERANCE = 1e-9;

export interface FollowUpFilm {
  id: string;
  date: string;
  role: StudyRole;
  alignment: AlignmentSnapshot;
}

export interface LossOfCorrectionEntry {
  id: string;
  date: string;
  weeksAfterBaseline: number;
  /** later − immediate post-op, per measure; null when unavailable on either film. */
  change: Record<FollowUpMeasure, number | null>;
  /** Measures whose |change| reaches the threshold. */
  exceeded: FollowUpMeasure[];
  /** HKA change direction in words, when it moved. */
  hkaDirection: 'toward varus' | 'toward valgus' | null;
}

export interface LossOfCorrection {
  status: 'no-baseline' | 'stable' | 'loss';
  baseline: { id: string; date: string } | null;
  entries: LossOfCorrectionEntry[];
  message: string;
}

function checkThresholds(t: LossThresholds): void {
  for (const [k, v] of Object.entries(t)) {
    if (v !== null && (!Number.isFinite(v) || v <= 0)) {
      throw new EngineError('INVALID_INPUT', `The ${k} threshold must be a positive number or null, not ${String(v)}.`);
    }
  }
}

/**
 * clinical-spec §6: change of HKA / WBL % / MPTA from the immediate post-op film to each later
 * film; a change whose magnitude reaches its threshold counts as loss of correction. The
 * baseline is the latest immediate-post-op film; films dated before it are ignored.
 */
export function lossOfCorrection(films: readonly FollowUpFilm[], thresholds: Partial<LossThresholds> = {}): LossOfCorrection {
  const t: LossThresholds = { ...DEFAULT_LOSS_THRESHOLDS, ...thresholds };
  checkThresholds(t);
  const dated = films.map((f) => ({ film: f, ms: parseStudyDate(f.date) }));
  const baselines = dated.filter((d) => d.film.role === 'immediate-post-op').sort((a, b) => a.ms - b.ms);
  const base = baselines[baselines.length - 1];
  if (!base) {
    return { status: 'no-baseline', baseline: null, entries: [], message: 'Mark a film as immediate post-op to follow loss of correction.' };
  }
  const later = dated.filter((d) => d.film !== base.film && d.ms >= base.ms && d.film.role === 'follow-up').sort((a, b) => a.ms - b.ms);
  const keys: FollowUpMeasure[] = ['hkaDeg', 'wblPercent', 'mptaDeg'];
  const entries = later.map(({ film, ms }): LossOfCorrectionEntry => {
    const change = {} as Record<FollowUpMeasure, number | null>;
    const exceeded: FollowUpMeasure[] = [];
    for (const k of keys) {
      const a = base.film.alignment[k];
      const b = film.alignment[k];
      change[k] = a === null || b === null ? null : b - a;
      const limit = t[k];
      if (change[k] !== null && limit !== null && Math.abs(change[k]!) >= limit - LOSS_THRESHOLD_TOLERANCE) exceeded.push(k);
    }
    const dh = change.hkaDeg;
    return {
      id: film.id,
      date: film.date,
      weeksAfterBaseline: Math.round((ms - base.ms) / DAY_MS) / 7,
      change,
      exceeded,
      hkaDirection: dh === null || dh === 0 ? null : dh < 0 ? 'toward varus' : 'toward valgus',
    };
  });
  const lost = entries.filter((e) => e.exceeded.length);
  const names: Record<FollowUpMeasure, string> = { hkaDeg: 'HKA', wblPercent: 'WBL', mptaDeg: 'MPTA' };
  return {
    status: lost.length ? 'loss' : 'stable',
    baseline: { id: base.film.id, date: base.film.date },
    entries,
    message: lost.length
      ? `Loss of correction on ${lost.length} film(s): ${lost.map((e) => `${e.date} (${e.exceeded.map((k) => names[k]).join(', ')})`).join('; ')}.`
      : entries.length
        ? 'No loss of correction beyond the thresholds.'
        : 'No follow-up film after the immediate post-op film yet.',
  };
}
