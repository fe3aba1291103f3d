// The one typed IPC contract (architecture.md §3): channel (`domain:verb`) -> zod request schema
// and response type. Electron's ipc.ts, the preload, the browser bridge and the renderer's API
// client are all generated from this map, so nothing else can cross the boundary.
import { z } from 'zod';
import type { DicomHeader } from '../dicom/header';
import { LandmarkSetSchema, type LandmarkSet } from '../schemas/landmark-set';
import type { Plan, PlanInput, PlanTarget, Procedure } from '../schemas/plan';
import type { LossThresholds } from '../follow-up/follow-up';
import type { FilmFindings } from '../follow-up/findings';
import type { FollowUpTimeline } from '../follow-up/timeline';

const id = z.number().int().positive();
const pathList = z.array(z.string().min(1).max(4096)).min(1).max(100_000);
const filePath = z.string().min(1).max(4096);
const jobId = z.string().min(1).max(64);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const dicomUid = z.string().max(64).regex(/^[0-9]+(\.[0-9]+)*$/, 'a DICOM UID');
/**
 * A plan document: checked in full by parsePlan in the backend, so a plan from a newer Osteoplan
 * is refused as such (UNSUPPORTED_VERSION wording) rather than as a field-by-field mismatch.
 */
const planDocument = z.custom<PlanInput>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'a plan object' });

/** A study's place in the patient's treatment (clinical-spec §6). */
export const STUDY_ROLES = ['pre-op', 'planning', 'post-op', 'follow-up'] as const;
export type StudyRole = (typeof STUDY_ROLES)[number];

export const requestSchemas = {
  'app:info': z.object({}).strict(),
  'library:listPatients': z.object({ search: z.string().max(200).optional() }).strict(),
  'library:getPatient': z.object({ patientId: id }).strict(),
  'library:getImage': z.object({ imageId: id }).strict(),
  'import:paths': z.object({ paths: pathList, jobId: z.string().min(1).max(64).optional() }).strict(),
  'import:cancel': z.object({ jobId: z.string().min(1).max(64) }).strict(),
  /** Electron only: the native open dialog. The browser build uses <input type="file"> instead. */
  'dialog:openPaths': z.object({ kind: z.enum(['files', 'folder', 'dicomdir', 'images']) }).strict(),

  // Measuring (issue 4): landmark sets per image, frame and side, every save a new revision.
  'study:setClinical': z.object({ studyId: id, role: z.enum(STUDY_ROLES).nullable(), operationDate: isoDate.nullable() }).strict(),
  'measurement:list': z.object({ imageId: id }).strict(),
  'measurement:save': z.object({ imageId: id, set: LandmarkSetSchema }).strict(),
  'measurement:history': z.object({ imageId: id, frame: z.number().int().min(0), side: z.enum(['L', 'R']) }).strict(),
  'measurement:getRevision': z
    .object({ imageId: id, frame: z.number().int().min(0), side: z.enum(['L', 'R']), revision: z.number().int().positive() })
    .strict(),
  /** Generates the long-leg phantom of a fictitious patient and imports it (first-start demo). */
  'demo:load': z.object({}).strict(),

  // Media and scanned films (issue 7).
  /** Reads a DICOMDIR (or finds it at a CD root) and lists what it holds, importing nothing. */
  'media:read': z.object({ path: filePath }).strict(),
  /** Imports the chosen studies of a DICOMDIR; referenced files that are missing are reported as skipped. */
  'media:import': z.object({ dicomdirPath: filePath, studyInstanceUids: z.array(dicomUid).min(1).max(10_000), jobId: jobId.optional() }).strict(),
  /** Imports a scanned film (PNG, JPEG or TIFF) as a secondary-capture image of the given patient, uncalibrated. */
  'import:scannedFilm': z
    .object({
      path: filePath,
      patient: z
        .object({
          patientId: z.string().trim().min(1).max(64),
          name: z.string().trim().min(1).max(64),
          birthDate: isoDate.nullable(),
          sex: z.enum(['M', 'F', 'O']).nullable(),
        })
        .strict(),
      studyDate: isoDate,
      studyDescription: z.string().max(64).nullable(),
      laterality: z.enum(['L', 'R', 'B']).nullable(),
      jobId: jobId.optional(),
    })
    .strict(),

  // Planning (issue 5): osteotomy plans per patient, each drawn on one pre-op film, frame and leg.
  /** Every non-archived plan of the patient (all films, both legs), newest first. */
  'plan:list': z.object({ patientId: id }).strict(),
  /**
   * Creates a plan (planId null) or saves the next revision of one; an identical save adds
   * nothing. The image must hold a landmark set for the frame and side (the plan is computed from
   * it); an existing plan stays on its image, frame and side.
   */
  'plan:save': z
    .object({ planId: id.nullable(), imageId: id, frame: z.number().int().min(0), side: z.enum(['L', 'R']), plan: planDocument })
    .strict(),
  /** Marks the plan chosen (default) and unmarks the patient's other plans of that leg, in one transaction; chosen false unmarks it. */
  'plan:setChosen': z.object({ planId: id, chosen: z.boolean().optional() }).strict(),
  /** Soft delete: the plan leaves plan:list and is unmarked; its rows and revisions stay. */
  'plan:archive': z.object({ planId: id }).strict(),
  /** Every saved revision of a plan (archived plans included), newest first, each summarised in words. */
  'plan:history': z.object({ planId: id }).strict(),
  /** The plan document of one saved revision (to preview or restore it: restoring saves it again as a new revision). */
  'plan:getRevision': z.object({ planId: id, revision: z.number().int().positive() }).strict(),

  // Follow-up (issue 6; clinical-spec §6): the patient timeline, findings per film and leg, settings.
  /** Studies in date order with weeks after surgery, every film's measurements, the chosen plans, planned vs achieved and loss of correction. */
  'followUp:getTimeline': z.object({ patientId: id }).strict(),
  /** Saves the findings of one film and leg as a new revision (earlier ones are kept); an identical save adds nothing. */
  'findings:save': z
    .object({
      imageId: id,
      side: z.enum(['L', 'R']),
      hingeFracture: z.enum(['none', 'I', 'II', 'III']).nullable(),
      gapFillPercent: z.number().finite().min(0).max(100).nullable(),
      hardware: z.enum(['intact', 'loosening', 'broken', 'removed']).nullable(),
      notes: z.string().max(4000),
    })
    .strict(),
  'settings:get': z.object({}).strict(),
  /** Loss-of-correction thresholds: a positive number, or null to report a change without flagging it. */
  'settings:save': z
    .object({
      lossThresholds: z
        .object({ hkaDeg: z.number().finite().positive().nullable(), wblPercent: z.number().finite().positive().nullable(), mptaDeg: z.number().finite().positive().nullable() })
        .strict(),
    })
    .strict(),
} as const;

export type Channel = keyof typeof requestSchemas;
export type RequestOf<C extends Channel> = z.infer<(typeof requestSchemas)[C]>;

export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  dataDir: string;
}

export interface PatientSummary {
  id: number;
  patientId: string; // DICOM (0010,0020)
  name: string;
  birthDate: string | null;
  sex: string | null;
  studyCount: number;
  lastStudyDate: string | null;
}

export interface ImageSummary {
  id: number;
  sopInstanceUid: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  modality: string | null;
  photometricInterpretation: string;
  transferSyntaxUid: string;
}

export interface SeriesDetail {
  id: number;
  seriesInstanceUid: string;
  seriesNumber: number | null;
  modality: string | null;
  bodyPartExamined: string | null;
  laterality: string | null;
  viewPosition: string | null;
  images: ImageSummary[];
}

export interface StudyDetail {
  id: number;
  studyInstanceUid: string;
  studyDate: string | null;
  studyTime: string | null;
  description: string | null;
  accessionNumber: string | null;
  /** Set by the user (clinical-spec §6); null until then. */
  role: StudyRole | null;
  /** The operation this study is before or after, YYYY-MM-DD. */
  operationDate: string | null;
  series: SeriesDetail[];
}

export interface PatientDetail {
  patient: PatientSummary;
  studies: StudyDetail[]; // newest first
}

export interface ImageDetail {
  image: ImageSummary;
  header: DicomHeader;
  patient: PatientSummary;
  study: Omit<StudyDetail, 'series'>;
  seriesId: number;
}

export interface ImportedFile {
  path: string;
  sopInstanceUid: string;
  imageId: number;
  patientId: number;
}

export interface SkippedFile {
  path: string;
  code: 'DICOM_UNREADABLE' | 'UNSUPPORTED_TRANSFER_SYNTAX' | 'INVALID_INPUT' | 'DISK_FULL' | 'INTERNAL';
  reason: string;
}

export interface ImportReport {
  jobId: string;
  imported: ImportedFile[];
  duplicates: { path: string; sopInstanceUid: string; imageId: number }[];
  skipped: SkippedFile[];
  cancelled: boolean;
}

/** One stored revision of a landmark set. Derived values are never stored (architecture.md §4). */
export interface SavedLandmarkSet {
  imageId: number;
  revision: number;
  savedAt: string; // ISO 8601
  set: LandmarkSet;
}

export interface LandmarkSetRevisionInfo {
  revision: number;
  savedAt: string;
  landmarkCount: number;
}

/**
 * One stored osteotomy plan (clinical-spec §5) as plan:list returns it. Derived values (wedge
 * angle, gap, predicted alignment) are not stored: run computePlan(landmark set, calibration,
 * plan) and plan-display geometry (shared/planning/display-geometry.ts) on the screen.
 */
export interface SavedPlan {
  planId: number;
  patientId: number;
  /** The pre-op film the plan is drawn on; hinge and cut entry are pixels of this image and frame. */
  imageId: number;
  sopInstanceUid: string;
  frame: number;
  side: 'L' | 'R';
  /** The film's study, to name it in a list ("film of 2024-06-11"). */
  studyId: number;
  studyDate: string | null;
  /** The plan that goes to theatre: at most one per patient and side. */
  chosen: boolean;
  /** 1 for a new plan, +1 for every save that changed it. */
  revision: number;
  createdAt: string; // ISO 8601
  updatedAt: string; // ISO 8601, the last save that changed it
  /** The landmark set revision (measurement:history) that was the latest when this revision was saved. */
  landmarkRevision: number;
  /** The latest landmark set revision now: greater than landmarkRevision when the leg was re-measured since. */
  latestLandmarkRevision: number;
  plan: Plan;
}

/** One saved revision of a plan as plan:history lists it. */
export interface PlanRevisionInfo {
  revision: number;
  savedAt: string; // ISO 8601
  appVersion: string;
  /** The landmark set revision the plan was computed from when this revision was saved. */
  landmarkRevision: number;
  procedure: Procedure;
  target: PlanTarget;
  /**
   * computePlan's wedge angle α of this revision on the landmarks of landmarkRevision (what the
   * surgeon saw then); null when that plan cannot be computed (e.g. the leg lacked a landmark).
   */
  wedgeAngleDeg: number | null;
  /** "MOW HTO → WBL 62.5 % Fujisawa · α 9.3°". */
  summary: string;
  /** What changed from the revision before, in words ("Target WBL 62.5 % Fujisawa → WBL 55 % consensus", "Hinge moved"). */
  changes: string[];
}

/** One saved revision of a plan with its document (plan:getRevision). */
export interface PlanRevisionDocument {
  planId: number;
  revision: number;
  savedAt: string;
  appVersion: string;
  landmarkRevision: number;
  plan: Plan;
}

export interface MediaSeriesSummary {
  seriesInstanceUid: string | null;
  modality: string | null;
  seriesNumber: number | null;
  instanceCount: number;
  missingCount: number;
}

export interface MediaStudySummary {
  studyInstanceUid: string | null;
  studyDate: string | null;
  description: string | null;
  accessionNumber: string | null;
  series: MediaSeriesSummary[];
  /** Instances of this study already in the library (by SOP Instance UID). */
  alreadyImported: number;
}

export interface MediaSummary {
  dicomdirPath: string;
  fileSetId: string | null;
  patients: { patientId: string | null; name: string | null; birthDate: string | null; sex: string | null; studies: MediaStudySummary[] }[];
  missing: string[];
  warnings: string[];
}

/** Follow-up (issue 6): followUp:getTimeline's answer, with the patient it belongs to. */
export interface FollowUpTimelineResponse extends FollowUpTimeline {
  patient: PatientSummary;
}

export interface AppSettings {
  /** clinical-spec §6: defaults 2° HKA, 5 % WBL, MPTA not flagged. */
  lossThresholds: LossThresholds;
}

export interface ResponseMap {
  'app:info': AppInfo;
  'library:listPatients': PatientSummary[];
  'library:getPatient': PatientDetail;
  'library:getImage': ImageDetail;
  'import:paths': ImportReport;
  'import:cancel': { cancelled: boolean };
  'dialog:openPaths': string[];
  'study:setClinical': { studyId: number; role: StudyRole | null; operationDate: string | null };
  'measurement:list': SavedLandmarkSet[];
  'measurement:save': { revision: number; savedAt: string };
  'measurement:history': LandmarkSetRevisionInfo[];
  'measurement:getRevision': SavedLandmarkSet;
  'demo:load': ImportReport;
  'media:read': MediaSummary;
  'media:import': ImportReport;
  'import:scannedFilm': ImportReport;
  'plan:list': SavedPlan[];
  /** savedAt is the time of the returned revision (an identical save returns the existing one). */
  'plan:save': { planId: number; revision: number; savedAt: string };
  'plan:setChosen': { planId: number; chosen: boolean; unchosenPlanIds: number[] };
  /** Archiving twice returns the first archivedAt. */
  'plan:archive': { planId: number; archivedAt: string; wasChosen: boolean };
  'plan:history': PlanRevisionInfo[];
  'plan:getRevision': PlanRevisionDocument;
  'followUp:getTimeline': FollowUpTimelineResponse;
  'findings:save': FilmFindings;
  'settings:get': AppSettings;
  'settings:save': AppSettings;
}

export type ResponseOf<C extends Channel> = ResponseMap[C];

/** Push events from main to the UI; a subscription returns its unsubscribe function. */
export interface EventMap {
  'import:progress': {
    jobId: string;
    filesDone: number;
    filesTotal: number;
    bytesDone: number;
    bytesTotal: number;
    currentPath: string | null;
  };
}

export type EventName = keyof EventMap;
export const EVENT_NAMES: EventName[] = ['import:progress'];
export const CHANNELS = Object.keys(requestSchemas) as Channel[];
