import { createHash } from 'node:crypto';
import dicomParser from 'dicom-parser';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend, type Backend, type OpenBackendOptions } from '../../electron/backend/backend';
import { dispatch } from '../../electron/backend/dispatch';
import type { Channel, EventMap, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import type { Result } from '../../shared/ipc/result';

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

/**
 * Returns a copy of a Part-10 file with some top-level values replaced in place (same element
 * length: shorter values are padded), so tests can make distinct instances without a DICOM writer.
 * Keys are dicom-parser tags (x0020000d); values are written as Latin-1.
 */
export function rewriteValues(bytes: Uint8Array, values: Record<string, string>): Buffer {
  const out = Buffer.from(bytes);
  const dataSet = dicomParser.parseDicom(out, { untilTag: 'x7fe00010' });
  for (const [tag, value] of Object.entries(values)) {
    const element = dataSet.elements[tag];
    if (!element) throw new Error(`rewriteValues: ${tag} is not in the file`);
    const encoded = Buffer.from(value, 'latin1');
    if (encoded.length > element.length) throw new Error(`rewriteValues: "${value}" does not fit the ${element.length} bytes of ${tag}`);
    const isUid = element.vr === 'UI' || /^x(0002000[23]|0008001[68]|0020000[de])$/.test(tag);
    out.fill(isUid ? 0 : 0x20, element.dataOffset, element.dataOffset + element.length);
    encoded.copy(out, element.dataOffset);
  }
  return out;
}

/** A UID of exactly `length` characters, unique per call (2.25 root + random decimal digits). */
export function uidOfLength(length: number): string {
  let uid = '2.25.';
  while (uid.length < length) uid += String(Math.floor(Math.random() * 10) || 1);
  return uid.slice(0, length);
}
