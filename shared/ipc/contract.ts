// The one typed IPC contract (architecture.md §3): channel (`domain:verb`) -> zod request schema
// and response type. Electron's ipc.ts, the preload, the browser bridge and the renderer's API
// client are all generated from this map, so nothing else can cross the boundary.
import { z } from 'zod';
import type { DicomHeader } from '../dicom/header';

const id = z.number().int().positive();
const pathList = z.array(z.string().min(1).max(4096)).min(1).max(100_000);

export const requestSchemas = {
  'app:info': z.object({}).strict(),
  'library:listPatients': z.object({ search: z.string().max(200).optional() }).strict(),
  'library:getPatient': z.object({ patientId: id }).strict(),
  'library:getImage': z.object({ imageId: id }).strict(),
  'import:paths': z.object({ paths: pathList, jobId: z.string().min(1).max(64).optional() }).strict(),
  'import:cancel': z.object({ jobId: z.string().min(1).max(64) }).strict(),
  /** Electron only: the native open dialog. The browser build uses <input type="file"> instead. */
  'dialog:openPaths': z.object({ kind: z.enum(['files', 'folder']) }).strict(),
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

export interface ResponseMap {
  'app:info': AppInfo;
  'library:listPatients': PatientSummary[];
  'library:getPatient': PatientDetail;
  'library:getImage': ImageDetail;
  'import:paths': ImportReport;
  'import:cancel': { cancelled: boolean };
  'dialog:openPaths': string[];
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
