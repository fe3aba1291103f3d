// Library and import channels (issue 2): patients, studies, images, import of files and folders.
import { randomUUID } from 'node:crypto';
import type { DicomHeader } from '../../../shared/dicom/header';
import { AppError } from '../../../shared/ipc/result';
import type { LibraryRepository } from '../db/repositories/library';
import type { MeasurementRepository } from '../db/repositories/measurements';
import type { FollowUpRepository } from '../db/repositories/follow-up';
import type { PlanRepository } from '../db/repositories/plans';
import type { HandlerTable } from '../dispatch';
import { importPaths, type ImportFaultStage } from '../dicom/import';
import type { LibraryStore } from '../dicom/store';

export interface HandlerDeps {
  repo: LibraryRepository;
  /** Landmark set revisions (issue 4). */
  measurements: MeasurementRepository;
  /** Osteotomy plans (issue 5). */
  plans: PlanRepository;
  /** Film findings and settings (issue 6); optional so handler tests of other domains need not open it. */
  followUp?: FollowUpRepository;
  store: LibraryStore;
  dataDir: string;
  appVersion: string;
  mode: 'electron' | 'browser';
  /** Reads a header off the main thread with the per-file time limit (HeaderReaderPool); openBackend always sets it. */
  readHeader?: (filePath: string) => Promise<DicomHeader>;
  /** Tests only (see ImportOptions.faultHook). */
  importFaultHook?: (stage: ImportFaultStage, filePath: string) => void;
}

export type LibraryChannels = 'app:info' | 'library:listPatients' | 'library:getPatient' | 'library:getImage' | 'import:paths' | 'import:cancel' | 'dialog:openPaths';

export function libraryHandlers(deps: HandlerDeps): Pick<HandlerTable, LibraryChannels> {
  const running = new Map<string, { cancelled: boolean }>();
  return {
    'app:info': () => ({ version: deps.appVersion, mode: deps.mode, dataDir: deps.dataDir }),
    'library:listPatients': ({ search }) => deps.repo.listPatients(search),
    'library:getPatient': ({ patientId }) => deps.repo.getPatient(patientId),
    'library:getImage': ({ imageId }) => deps.repo.getImage(imageId),
    'import:paths': async ({ paths, jobId }, context) => {
      const id = jobId ?? randomUUID();
      if (running.has(id)) throw new AppError('INVALID_INPUT', `An import with job id "${id}" is already running.`);
      const job = { cancelled: false };
      running.set(id, job);
      try {
        return await importPaths(
          { repo: deps.repo, store: deps.store, readHeader: deps.readHeader },
          {
            jobId: id,
            paths,
            onProgress: (progress) => context.emit('import:progress', progress),
            isCancelled: () => job.cancelled,
            faultHook: deps.importFaultHook,
          },
        );
      } finally {
        running.delete(id);
      }
    },
    'import:cancel': ({ jobId }) => {
      const job = running.get(jobId);
      if (!job) return { cancelled: false };
      job.cancelled = true;
      return { cancelled: true };
    },
    'dialog:openPaths': () => {
      throw new AppError('FORBIDDEN', 'There is no native file dialog here: choose files with the browser file picker instead.');
    },
  };
}
