import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend, type Backend, type OpenBackendOptions } from '../../electron/backend/backend';
import { dispatch } from '../../electron/backend/dispatch';
import type { Channel, EventMap, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { Result } from '../../shared/ipc/result';

export { rewriteValues, uidOfLength } from './rewrite-values';

export const sharedData = path.resolve(__dirname, '../../../shared/data');
export const dicomData = path.join(sharedData, 'dicom');

export function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : []))
    .sort();
}

export const sha256File = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export interface TestBackend {
  backend: Backend;
  dataDir: string;
  events: EventMap['import:progress'][];
  /** Calls a channel through dispatch (zod validation + envelope), as Electron and the bridge do. */
  call<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Result<ResponseOf<C>>>;
  /** Like call, but unwraps a success and throws on a failure. */
  value<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  storeFiles(): string[];
  dispose(): void;
}

/** A backend over a fresh temporary data dir (one per test). */
export function testBackend(extra: Partial<OpenBackendOptions> = {}): TestBackend {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-backend-'));
  const backend = openBackend({ dataDir, appVersion: '0.1.0-test', mode: 'browser', ...extra });
  const events: EventMap['import:progress'][] = [];
  const context = { emit: (_name: string, payload: unknown) => void events.push(payload as EventMap['import:progress']) };
  const call = async <C extends Channel>(channel: C, request: RequestOf<C>) =>
    (await dispatch(backend.handlers, channel, request, context)) as Result<ResponseOf<C>>;
  return {
    backend,
    dataDir,
    events,
    call,
    async value(channel, request) {
      const result = await call(channel, request);
      if (!result.ok) throw new Error(`${channel} failed: ${result.error.code} ${result.error.message}`);
      return result.value;
    },
    storeFiles: () => filesUnder(path.join(dataDir, 'store')).map((f) => path.relative(path.join(dataDir, 'store'), f)),
    dispose() {
      backend.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

