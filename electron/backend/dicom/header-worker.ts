// Worker-thread side of HeaderReaderPool: reads one file's header, or copies one file into the
// library store, per message. Kept apart from the main thread so a file that makes the parser spin
// can be abandoned (worker.terminate) after the per-file time limit instead of stalling the import
// and the app (issue 7, broken input), and so the import's copy and sha256 run beside the main
// thread, not on it.
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../../shared/ipc/result';
import { fileSource, inspectDicomSource } from './read-header';
import { copyIntoStore, type CopiedFile } from './store';

export type HeaderRequest = { id: number; path: string; kind?: 'header' } | { id: number; path: string; kind: 'copy'; tmpPath: string };

export type HeaderResponse =
  | { id: number; ok: true; header: ReturnType<typeof inspectDicomSource>['header'] }
  | { id: number; ok: true; copied: CopiedFile }
  | { id: number; ok: false; error: { appCode: string | null; code: string | null; message: string } };

parentPort?.on('message', (request: HeaderRequest) => {
  let fd: number | undefined;
  let response: HeaderResponse;
  try {
    if (request.kind === 'copy') {
      response = { id: request.id, ok: true, copied: copyIntoStore(request.path, request.tmpPath) };
    } else {
      fd = fs.openSync(request.path, 'r');
      const { size } = fs.fstatSync(fd);
      response = { id: request.id, ok: true, header: inspectDicomSource(fileSource(fd, size)).header };
    }
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    response = {
      id: request.id,
      ok: false,
      error: {
        appCode: err instanceof AppError ? err.code : null,
        code: typeof e?.code === 'string' ? e.code : null,
        message: typeof e?.message === 'string' ? e.message : String(err),
      },
    };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  parentPort!.postMessage(response);
});
