// Reads DICOM headers in worker threads with a per-file time limit (issue 7: "no hang"). A file
// whose parse outlives the limit is reported as unreadable and its worker is terminated, so one
// pathological file can neither freeze the import nor the window. The same workers copy files into
// the library store (copyIntoStore, no time limit), so the import's sha256 and writes leave the
// main thread free. Workers start on demand and are unref'd while idle, so a CLI run still exits
// when its work is done.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DicomHeader } from '../../../shared/dicom/header';
import { AppError, ERROR_CODES, type ErrorCode } from '../../../shared/ipc/result';
import type { HeaderRequest, HeaderResponse } from './header-worker';
import type { CopiedFile } from './store';

export const HEADER_WORKER_FILE = 'header-worker.mjs';
export const DEFAULT_HEADER_TIME_LIMIT_MS = 10_000;

type Task = HeaderRequest & {
  resolve: (value: DicomHeader | CopiedFile) => void;
  reject: (err: unknown) => void;
};

interface Slot {
  worker: Worker;
  task: Task | null;
  timer: NodeJS.Timeout | null;
}

export interface HeaderReader {
  read(filePath: string): Promise<DicomHeader>;
  close(): Promise<void>;
}

export class HeaderReaderPool implements HeaderReader {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly workerFile: string,
    private readonly timeLimitMs = DEFAULT_HEADER_TIME_LIMIT_MS,
    private readonly size = 2,
  ) {
    if (!existsSync(workerFile)) {
      throw new Error(`The header reader worker ${workerFile} is missing: run "npm run build:electron" first.`);
    }
  }

  read(filePath: string): Promise<DicomHeader> {
    return this.run({ id: this.nextId++, path: filePath, kind: 'header' }) as Promise<DicomHeader>;
  }

  /** copyIntoStore in a worker. No time limit: a large file takes as long as its bytes take. */
  copyIntoStore(source: string, tmpPath: string): Promise<CopiedFile> {
    return this.run({ id: this.nextId++, path: source, kind: 'copy', tmpPath }) as Promise<CopiedFile>;
  }

  private run(request: HeaderRequest): Promise<DicomHeader | CopiedFile> {
    if (this.closed) return Promise.reject(new AppError('INTERNAL', 'The library is closing.'));
    return new Promise<DicomHeader | CopiedFile>((resolve, reject) => {
      this.queue.push({ ...request, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0)) task.reject(new AppError('INTERNAL', 'The library is closing.'));
    await Promise.all(this.slots.splice(0).map((slot) => this.retire(slot, new AppError('INTERNAL', 'The library is closing.'))));
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => s.task === null);
      if (!slot) {
        if (this.slots.length >= this.size) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.workerFile), task: null, timer: null };
    slot.worker.on('message', (response: HeaderResponse) => this.finish(slot, response));
    slot.worker.on('error', (err) => void this.retire(slot, new AppError('DICOM_UNREADABLE', `The file could not be read: ${err.message}`)));
    slot.worker.on('exit', () => {
      if (this.slots.includes(slot)) void this.retire(slot, new AppError('DICOM_UNREADABLE', 'The file could not be read: its reader stopped unexpectedly.'));
    });
    slot.worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    slot.worker.ref();
    slot.timer = task.kind === 'copy' ? null : setTimeout(() => {
      const seconds = Math.round(this.timeLimitMs / 100) / 10;
      void this.retire(
        slot,
        new AppError('DICOM_UNREADABLE', `Reading this file took longer than ${seconds} s, so it was abandoned: it is probably damaged. Nothing of it was kept.`),
      );
    }, this.timeLimitMs);
    const { resolve: _resolve, reject: _reject, ...request } = task;
    slot.worker.postMessage(request satisfies HeaderRequest);
  }

  private finish(slot: Slot, response: HeaderResponse): void {
    const task = slot.task;
    if (!task || task.id !== response.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.task = null;
    slot.timer = null;
    slot.worker.unref();
    if (response.ok) task.resolve('copied' in response ? response.copied : response.header);
    else task.reject(rebuildError(response.error));
    this.pump();
  }

  /** Ends a worker (timed out, crashed or closing) and fails its task; a fresh worker takes the queue. */
  private async retire(slot: Slot, reason: AppError): Promise<void> {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
    if (slot.timer) clearTimeout(slot.timer);
    const task = slot.task;
    slot.task = null;
    task?.reject(reason);
    await slot.worker.terminate().catch(() => undefined);
    if (!this.closed) this.pump();
  }
}

function rebuildError(error: { appCode: string | null; code: string | null; message: string }): Error {
  if (error.appCode && (ERROR_CODES as readonly string[]).includes(error.appCode)) return new AppError(error.appCode as ErrorCode, error.message);
  return Object.assign(new Error(error.message), error.code ? { code: error.code } : {});
}

/**
 * Where the built worker lives: out/workers/ beside the running bundle (out/cli/, out/bridge/), or
 * under the repository when tests run the sources. Electron's main passes its own path.
 */
export function defaultHeaderWorkerFile(): string {
  const script = process.argv[1];
  const besideEntry = script ? path.resolve(path.dirname(script), '..', 'workers', HEADER_WORKER_FILE) : null;
  if (besideEntry && existsSync(besideEntry)) return besideEntry;
  return path.resolve('out', 'workers', HEADER_WORKER_FILE);
}
