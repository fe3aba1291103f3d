// The patient timeline (clinical-spec §6), assembled from stored truth only: studies with their
// role and operation date, the latest landmark set per film and leg, the chosen plan per leg and
// the findings. Every number is derived here by the pure engine (computeLegAlignment, computePlan,
// achievedVsPlanned, lossOfCorrection), so the backend answers followUp:getTimeline with values
// and the page never parses a plan (zod stays out of the renderer).
import { decideCalibration, type Calibration, type CalibrationHeader } from '../calibration/calibration';
import { computeLegAlignment, type LegAlignment } from '../measurements/leg-alignment';
import { MEASURE_IDS, type MeasureId } from '../measurements/definitions';
import { computePlan } from '../planning/osteotomy';
import type { LandmarkSet } from '../schemas/landmark-set';
import type { Plan } from '../schemas/plan';
import type { UserCalibration } from '../schemas/calibration';
import {
  achievedVsPlanned,
  daysAfterSurgery,
  DEFAULT_LOSS_THRESHOLDS,
  formatWeeksAfterSurgery,
  lossOfCorrection,
  snapshotOf,
  type AchievedVsPlanned,
  type AlignmentSnapshot,
  type FollowUpFilm,
  type LossOfCorrection,
  type LossThresholds,
  type StudyRole as FollowUpRole,
} from './follow-up';
import type { FilmFindings } from './findings';

type Side = 'L' | 'R';
/** The roles a study carries in the library (shared/ipc/contract STUDY_ROLES). */
export type LibraryStudyRole = 'pre-op' | 'planning' | 'post-op' | 'follow-up';

/** The library's "post-op" role is the immediate post-op film of clinical-spec §6. */
export function followUpRole(role: LibraryStudyRole): FollowUpRole {
  return role === 'post-op' ? 'immediate-post-op' : role;
}

/** What a view needs to load and size a film, passed from the library to the timeline unchanged. */
export interface TimelineImageIdentity {
  imageId: number;
  sopInstanceUid: string;
  rows: number;
  columns: number;
  modality: string | null;
  transferSyntaxUid: string;
}

export interface TimelineInputImage extends TimelineImageIdentity {
  header: CalibrationHeader;
  /** The latest revision of every (frame, side) landmark set of the image. */
  sets: { revision: number; savedAt: string; set: LandmarkSet }[];
  /** The latest findings per side. */
  findings: FilmFindings[];
}

export interface TimelineInputStudy {
  studyId: number;
  studyDate: string | null; // DICOM YYYYMMDD or ISO
  description: string | null;
  role: LibraryStudyRole | null;
  operationDate: string | null; // YYYY-MM-DD
  images: TimelineInputImage[];
}

export interface TimelineInputPlan {
  planId: number;
  imageId: number;
  frame: number;
  side: Side;
  chosen: boolean;
  studyDate: string | null;
  plan: Plan;
}

export interface TimelineInput {
  studies: TimelineInputStudy[];
  plans: TimelineInputPlan[];
  thresholds: LossThresholds;
}

export type MeasureValues = Record<MeasureId, number | null>;

export interface TimelineFilmLeg {
  side: Side;
  landmarkRevision: number;
  savedAt: string;
  set: LandmarkSet;
  /** null only when the header's spacing itself is unusable (error says why). */
  calibration: Calibration | null;
  /** null when the engine could not run on the set (error says why). */
  alignment: LegAlignment | null;
  error: string | null;
  values: MeasureValues;
}

export interface TimelineFilm extends TimelineImageIdentity {
  /** The film's physical scale for the compare view: the user's marker when a set carries one, else the header (clinical-spec §4). */
  calibration: Calibration | null;
  calibrationError: string | null;
  /** Frame 0 landmark sets, right leg first. */
  legs: TimelineFilmLeg[];
  findings: FilmFindings[];
}

export interface TimelineStudy {
  studyId: number;
  /** YYYY-MM-DD, or null when the study has no date. */
  date: string | null;
  description: string | null;
  role: LibraryStudyRole | null;
  /** The operation the study is counted from: its own, else the patient's only one. */
  operationDate: string | null;
  daysAfterSurgery: number | null;
  weeksAfterSurgery: number | null;
  weeksLabel: string | null;
  films: TimelineFilm[];
}

export interface TimelinePlanSummary {
  planId: number;
  name: string;
  procedure: Plan['procedure'];
  target: Plan['target'];
  imageId: number;
  side: Side;
  /** computePlan's predicted post-op values; null with planError when it could not run. */
  predicted: AlignmentSnapshot | null;
  predictedValues: MeasureValues | null;
  wedgeAngleDeg: number | null;
  planError: string | null;
}

export interface TimelineOperation {
  date: string;
  /** The chosen plan of each leg operated that day (derived: a plan's date, else the nearest operation after its film). */
  plans: TimelinePlanSummary[];
  studyIds: number[];
}

export interface TimelinePoint {
  imageId: number;
  studyId: number;
  date: string;
  role: LibraryStudyRole | null;
  weeksAfterSurgery: number | null;
  values: MeasureValues;
}

export interface TimelineLeg {
  side: Side;
  operationDate: string | null;
  plan: TimelinePlanSummary | null;
  /** The first post-op film measured on this leg: the "achieved" of clinical-spec §6. */
  achievedFilm: { imageId: number; studyId: number; date: string } | null;
  achievedVsPlanned: AchievedVsPlanned | null;
  /** Entry ids are image ids as strings. */
  loss: LossOfCorrection;
  /** Every measured film of the leg in date order, for the trend chart. */
  points: TimelinePoint[];
}

export interface FollowUpTimeline {
  studies: TimelineStudy[];
  operations: TimelineOperation[];
  legs: TimelineLeg[];
  thresholds: LossThresholds;
}

const errorMessage = (err: unknown) => String((err as Error)?.message ?? err);

/** DICOM YYYYMMDD or ISO → YYYY-MM-DD; null for anything else. */
export function isoDate(date: string | null): string | null {
  if (!date) return null;
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

export function measureValues(alignment: LegAlignment | null): MeasureValues {
  const out = {} as MeasureValues;
  for (const id of MEASURE_IDS) out[id] = alignment?.measurements[id]?.value ?? null;
  return out;
}

const emptySnapshot: AlignmentSnapshot = { hkaDeg: null, wblPercent: null, mptaDeg: null };

function filmCalibration(header: CalibrationHeader, marker: UserCalibration | null): { calibration: Calibration | null; error: string | null } {
  try {
    return { calibration: decideCalibration(header, marker), error: null };
  } catch (err) {
    try {
      return { calibration: decideCalibration(header), error: `The calibration marker is unusable: ${errorMessage(err)}` };
    } catch (err2) {
      return { calibration: null, error: errorMessage(err2) };
    }
  }
}

function buildFilm(image: TimelineInputImage): TimelineFilm {
  const frame0 = image.sets.filter((s) => s.set.frame === 0).sort((a, b) => (a.set.side === b.set.side ? 0 : a.set.side === 'R' ? -1 : 1));
  const marker = frame0.find((s) => s.set.userCalibration)?.set.userCalibration ?? null;
  const film = filmCalibration(image.header, marker);
  const legs = frame0.map(({ revision, savedAt, set }): TimelineFilmLeg => {
    const own = filmCalibration(image.header, set.userCalibration);
    let alignment: LegAlignment | null = null;
    let error = own.error;
    if (own.calibration) {
      try {
        alignment = computeLegAlignment(set, own.calibration);
      } catch (err) {
        error = errorMessage(err);
      }
    }
    return {
      side: set.side,
      landmarkRevision: revision,
      savedAt,
      set,
      calibration: own.calibration,
      alignment,
      error,
      values: measureValues(alignment),
    };
  });
  return {
    imageId: image.imageId,
    sopInstanceUid: image.sopInstanceUid,
    rows: image.rows,
    columns: image.columns,
    modality: image.modality,
    transferSyntaxUid: image.transferSyntaxUid,
    calibration: film.calibration,
    calibrationError: film.error,
    legs,
    findings: [...image.findings].sort((a, b) => (a.side === b.side ? 0 : a.side === 'R' ? -1 : 1)),
  };
}

function summarisePlan(p: TimelineInputPlan, images: Map<number, TimelineInputImage>): TimelinePlanSummary {
  const base = { planId: p.planId, name: p.plan.name, procedure: p.plan.procedure, target: p.plan.target, imageId: p.imageId, side: p.side };
  const image = images.get(p.imageId);
  const set = image?.sets.find((s) => s.set.frame === p.frame && s.set.side === p.side)?.set;
  if (!image || !set) {
    return { ...base, predicted: null, predictedValues: null, wedgeAngleDeg: null, planError: 'The film the plan is drawn on has no landmark set for this leg.' };
  }
  try {
    const calibration = decideCalibration(image.header, set.userCalibration);
    const result = computePlan(set, calibration, p.plan);
    return {
      ...base,
      predicted: snapshotOf(result.predicted),
      predictedValues: measureValues(result.predicted),
      wedgeAngleDeg: result.cuts[0]?.wedgeAngleDeg ?? null,
      planError: null,
    };
  } catch (err) {
    return { ...base, predicted: null, predictedValues: null, wedgeAngleDeg: null, planError: errorMessage(err) };
  }
}

const byDate = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** clinical-spec §6: the whole follow-up picture of one patient. */
export function buildTimeline(input: TimelineInput): FollowUpTimeline {
  const thresholds = { ...DEFAULT_LOSS_THRESHOLDS, ...input.thresholds };
  const operationDates = [...new Set(input.studies.map((s) => s.operationDate).filter((d): d is string => d !== null))].sort();
  const onlyOperation = operationDates.length === 1 ? operationDates[0]! : null;

  const studies: TimelineStudy[] = input.studies
    .map((s) => {
      const date = isoDate(s.studyDate);
      const operationDate = s.operationDate ?? onlyOperation;
      const days = date && operationDate ? daysAfterSurgery(operationDate, date) : null;
      return {
        studyId: s.studyId,
        date,
        description: s.description,
        role: s.role,
        operationDate,
        daysAfterSurgery: days,
        weeksAfterSurgery: days === null ? null : days / 7,
        weeksLabel: date && operationDate ? formatWeeksAfterSurgery(operationDate, date) : null,
        films: s.images.map(buildFilm),
      };
    })
    .sort((a, b) => byDate(a.date, b.date) || a.studyId - b.studyId);

  const images = new Map(input.studies.flatMap((s) => s.images.map((i) => [i.imageId, i] as const)));
  const chosen = input.plans.filter((p) => p.chosen).map((p) => ({ input: p, summary: summarisePlan(p, images) }));

  // A chosen plan goes with the operation of its own date, else the first one on or after its film, else the last.
  const operationOf = (p: TimelineInputPlan): string | null => {
    if (p.plan.date && operationDates.includes(p.plan.date)) return p.plan.date;
    const filmDate = isoDate(p.studyDate);
    return (filmDate ? operationDates.find((d) => d >= filmDate) : undefined) ?? operationDates[operationDates.length - 1] ?? null;
  };
  const operations: TimelineOperation[] = operationDates.map((date) => ({
    date,
    plans: chosen.filter((c) => operationOf(c.input) === date).map((c) => c.summary),
    studyIds: studies.filter((s) => s.operationDate === date).map((s) => s.studyId),
  }));

  const measuredSides = new Set(studies.flatMap((s) => s.films.flatMap((f) => f.legs.map((l) => l.side))));
  const sides = (['R', 'L'] as const).filter((side) => measuredSides.has(side) || chosen.some((c) => c.input.side === side));
  const legs: TimelineLeg[] = sides.map((side) => {
    const plan = chosen.find((c) => c.input.side === side);
    const operationDate = plan ? operationOf(plan.input) : (operationDates[operationDates.length - 1] ?? null);
    const measured = studies.flatMap((s) =>
      s.films.flatMap((f) => {
        const leg = f.legs.find((l) => l.side === side);
        return leg && s.date ? [{ study: s, film: f, leg, date: s.date }] : [];
      }),
    );
    const points: TimelinePoint[] = measured.map(({ study, film, leg, date }) => ({
      imageId: film.imageId,
      studyId: study.studyId,
      date,
      role: study.role,
      weeksAfterSurgery: operationDate ? daysAfterSurgery(operationDate, date) / 7 : null,
      values: leg.values,
    }));
    const followFilms: FollowUpFilm[] = measured
      .filter((m) => m.study.role !== null)
      .map(({ study, film, leg, date }) => ({
        id: String(film.imageId),
        date,
        role: followUpRole(study.role!),
        alignment: leg.alignment ? snapshotOf(leg.alignment) : emptySnapshot,
      }));
    const firstPostOp = measured.find((m) => m.study.role === 'post-op');
    const achievedFilm = firstPostOp ? { imageId: firstPostOp.film.imageId, studyId: firstPostOp.study.studyId, date: firstPostOp.date } : null;
    const achieved = firstPostOp?.leg.alignment ? snapshotOf(firstPostOp.leg.alignment) : null;
    return {
      side,
      operationDate,
      plan: plan?.summary ?? null,
      achievedFilm,
      achievedVsPlanned: plan?.summary.predicted && achieved ? achievedVsPlanned(plan.summary.predicted, achieved) : null,
      loss: lossOfCorrection(followFilms, thresholds),
      points,
    };
  });

  return { studies, operations, legs, thresholds };
}
