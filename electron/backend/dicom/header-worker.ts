// Worker-thread side of HeaderReaderPool: reads one file's header per message. Kept apart from
// the main thread so a file that makes the parser spin can be abandoned (worker.terminate) after
// the per-file time limit instead of stalling the import and the app (issue 7, broken input).
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { AppError } from '../../../shared/ipc/result';
import { fileSource, inspectDicomSource } from './read-header';

export interface HeaderRequest {
  id: number;
  path: string;
}

export type HeaderResponse =
  | { id: number; ok: true; header: ReturnType<typeof inspectDicomSource>['header'] }
  | { id: number; ok: false; error: { appCode: string | null; code: string | null; message: string } };

parentPort?.on('message', (request: HeaderRequest) => {
  let fd: number | undefined;
  let response: HeaderResponse;
  try {
    fd = fs.openSync(request.path, 'r');
    const { size } = fs.fstatSync(fd);
    response = { id: request.id, ok: true, header: inspectDicomSource(fileSource(fd, size)).header };
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
