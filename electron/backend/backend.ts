// Opens one data dir (library.sqlite + store/ + staging/) and exposes the handler table. Plain
// Node: Electron's main process, the browser bridge, the CLI and the tests all start here.
import fs from 'node:fs';
import { AppError } from '../../shared/ipc/result';
import { openDatabase, type Db } from './db/connection';
import { LibraryRepository } from './db/repositories/library';
import { MeasurementRepository } from './db/repositories/measurements';
import { FollowUpRepository } from './db/repositories/follow-up';
import { PlanRepository } from './db/repositories/plans';
import { LibraryStore } from './dicom/store';
import type { ImportFaultStage } from './dicom/import';
import { DEFAULT_HEADER_TIME_LIMIT_MS, HeaderReaderPool, defaultHeaderWorkerFile } from './dicom/header-reader-pool';
import type { HandlerTable } from './dispatch';
import { createHandlers } from './handlers';
import { dataPaths } from './paths';

export interface Backend {
  dataDir: string;
  handlers: HandlerTable;
  /** Absolute path of an image's file inside the store; AppError NOT_FOUND when there is none. */
  resolveImagePath(imageId: number): string;
  close(): void;
}

export interface OpenBackendOptions {
  dataDir: string;
  appVersion?: string;
  mode?: 'electron' | 'browser';
  /** Tests only: inject a failure between copy and insert (ImportOptions.faultHook). */
  importFaultHook?: (stage: ImportFaultStage, filePath: string) => void;
  /** The built header worker (out/workers/header-worker.mjs); entry bundles pass theirs. */
  headerWorkerFile?: string;
  /** Per-file time limit for reading a header (issue 7: a damaged file must not hang the app). */
  headerTimeLimitMs?: number;
}

export function openBackend(opts: OpenBackendOptions): Backend {
  const paths = dataPaths(opts.dataDir);
  const appVersion = opts.appVersion ?? '0.0.0-dev';
  fs.mkdirSync(paths.dataDir, { recursive: true });
  fs.mkdirSync(paths.staging, { recursive: true });
  const db: Db = openDatabase(paths.database, { appVersion });
  let closed = false;
  try {
    const repo = new LibraryRepository(db);
    const workerFile = opts.headerWorkerFile ?? defaultHeaderWorkerFile();
    const headers = new HeaderReaderPool(workerFile, opts.headerTimeLimitMs ?? DEFAULT_HEADER_TIME_LIMIT_MS);
    // Copies into the store run in workers of their own, so the next files' header reads never wait behind a large copy.
    const copiers = new HeaderReaderPool(workerFile, DEFAULT_HEADER_TIME_LIMIT_MS, 4);
    const store = new LibraryStore(paths.store, (source, tmpPath) => copiers.copyIntoStore(source, tmpPath));
    // Leftovers of a crash between copy and commit (files no row references), older than 10 min.
    store.sweep(repo.referencedSha256s());
    const measurements = new MeasurementRepository(db, appVersion);
    const plans = new PlanRepository(db, appVersion);
    const followUp = new FollowUpRepository(db, appVersion);
    const readHeader = (filePath: string) => headers.read(filePath);
    const handlers = createHandlers({ repo, measurements, plans, followUp, store, readHeader, dataDir: paths.dataDir, appVersion, mode: opts.mode ?? 'electron', importFaultHook: opts.importFaultHook });
    return {
      dataDir: paths.dataDir,
      handlers,
      resolveImagePath(imageId: number): string {
        if (!Number.isInteger(imageId) || imageId <= 0) throw new AppError('NOT_FOUND', `No image with id ${String(imageId)}.`);
        const storePath = repo.storePathOf(imageId);
        if (!storePath) throw new AppError('NOT_FOUND', `No image with id ${imageId} in the library.`);
        const file = store.absolutePath(storePath);
        if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `The file of image ${imageId} is missing from the library store.`);
        return file;
      },
      close() {
        if (closed) return;
        closed = true;
        void headers.close();
        void copiers.close();
        db.close();
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
