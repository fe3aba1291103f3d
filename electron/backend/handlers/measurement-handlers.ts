// Measuring channels (issue 4): landmark set revisions per image, frame and side; a study's
// clinical role and operation date; the first-start demo patient.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ImportReport } from '../../../shared/ipc/contract';
import { AppError } from '../../../shared/ipc/result';
import type { HandlerContext, HandlerTable } from '../dispatch';
import { importPaths } from '../dicom/import';
import { dataPaths } from '../paths';
import { generateDemoPatient } from '../phantom/long-leg-film';
import type { HandlerDeps } from './library-handlers';

export type MeasurementChannels = 'study:setClinical' | 'measurement:list' | 'measurement:save' | 'measurement:history' | 'measurement:getRevision' | 'demo:load';

const SAVE_DISK_FULL =
  'The disk is full: this landmark change was not saved; the previous revision is unchanged. Free some space and it will be saved with the next change.';

/** SQLite errors become messages a user can act on; the transaction has already rolled back. */
function storageError(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return new AppError('DISK_FULL', SAVE_DISK_FULL);
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const busy = code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code.startsWith('SQLITE_LOCKED');
    return new AppError(
      'INTERNAL',
      busy
        ? `The library database is busy (another Osteoplan window may be writing): ${what} was not saved. Try again.`
        : `The library database refused ${what} (${code}: ${(err as Error).message}); nothing was changed.`,
    );
  }
  return err;
}

export function measurementHandlers(deps: HandlerDeps): Pick<HandlerTable, MeasurementChannels> {
  // One demo load at a time: a second click waits for the first and then finds its duplicate.
  let demoQueue: Promise<unknown> = Promise.resolve();

  const loadDemo = async (context: HandlerContext): Promise<ImportReport> => {
    const jobId = randomUUID();
    // Rendering the film takes a few seconds before the import's own progress starts.
    context.emit('import:progress', { jobId, filesDone: 0, filesTotal: 1, bytesDone: 0, bytesTotal: 0, currentPath: null });
    const staging = dataPaths(deps.dataDir).staging;
    fs.mkdirSync(staging, { recursive: true });
    const dir = fs.mkdtempSync(path.join(staging, 'demo-'));
    try {
      let dicomPath: string;
      try {
        dicomPath = generateDemoPatient(dir).dicomPath;
      } catch (err) {
        const code = (err as { code?: unknown } | null)?.code;
        if (code === 'ENOSPC') throw new AppError('DISK_FULL', 'The disk is full: the demo patient could not be generated. Free some space and try again.');
        throw err;
      }
      const report = await importPaths(
        { repo: deps.repo, store: deps.store, readHeader: deps.readHeader },
        { jobId, paths: [dicomPath], onProgress: (progress) => context.emit('import:progress', progress) },
      );
      // Only a newly imported demo study gets its role: a user's later choice is never overwritten.
      for (const file of report.imported) {
        const studyId = deps.repo.studyIdOfImage(file.imageId);
        if (studyId !== undefined) deps.repo.setStudyClinical(studyId, 'pre-op', null);
      }
      // The report names the file the user asked for, not a temporary path that is gone.
      const label = 'Demo patient (generated long-leg film)';
      return {
        ...report,
        imported: report.imported.map((f) => ({ ...f, path: label })),
        duplicates: report.duplicates.map((f) => ({ ...f, path: label })),
        skipped: report.skipped.map((f) => ({ ...f, path: label })),
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  return {
    'study:setClinical': ({ studyId, role, operationDate }) => {
      try {
        return deps.repo.setStudyClinical(studyId, role, operationDate);
      } catch (err) {
        throw storageError(err, "the study's role and operation date");
      }
    },
    'measurement:list': ({ imageId }) => deps.measurements.listLatest(imageId),
    'measurement:save': ({ imageId, set }) => {
      try {
        const { revision, savedAt } = deps.measurements.save(imageId, set);
        return { revision, savedAt };
      } catch (err) {
        throw storageError(err, 'the landmark change');
      }
    },
    'measurement:history': ({ imageId, frame, side }) => deps.measurements.history(imageId, frame, side),
    'measurement:getRevision': ({ imageId, frame, side, revision }) => deps.measurements.getRevision(imageId, frame, side, revision),
    'demo:load': (_request, context) => {
      const run = demoQueue.then(() => loadDemo(context));
      demoQueue = run.catch(() => undefined);
      return run;
    },
  };
}
