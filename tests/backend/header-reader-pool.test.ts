// The per-file time limit (issue 7, broken input): a header read that outlives the limit is
// abandoned with a clear message, its worker replaced, and nothing of the file kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend, type Backend } from '../../electron/backend/backend';
import { HeaderReaderPool, defaultHeaderWorkerFile } from '../../electron/backend/dicom/header-reader-pool';
import { dispatch } from '../../electron/backend/dispatch';
import type { ImportReport } from '../../shared/ipc/contract';

const DATA = path.resolve(__dirname, '../../../shared/data/dicom');
const RG2 = path.join(DATA, 'derived-local/RG2_from_JPLL_EVRLE.dcm');
const RG3 = path.join(DATA, 'derived-local/RG3_from_J2KR_EVRLE.dcm');
const cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function pool(limitMs: number): HeaderReaderPool {
  const p = new HeaderReaderPool(defaultHeaderWorkerFile(), limitMs);
  cleanups.push(() => p.close());
  return p;
}

describe('HeaderReaderPool', () => {
  it('reads headers in worker threads, the same as the inline reader', async () => {
    const headers = await Promise.all([RG2, RG3, RG2].map((f) => pool(10_000).read(f)));
    expect(headers[0]!.rows).toBe(2140);
    expect(headers[0]!.columns).toBe(1760);
    expect(headers[0]!.pixelSpacing).toEqual([0.2, 0.2]);
    expect(headers[1]!.photometricInterpretation).toBe('MONOCHROME1');
    expect(headers[2]!.sopInstanceUid).toBe(headers[0]!.sopInstanceUid);
  });

  it('keeps error codes and reasons from the worker', async () => {
    await expect(pool(10_000).read(path.join(DATA, '../MANIFEST.md'))).rejects.toMatchObject({ code: 'DICOM_UNREADABLE' });
    await expect(pool(10_000).read(path.join(DATA, 'no-such-file.dcm'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('abandons a read that outlives the limit and goes on with the next file', async () => {
    const p = pool(1);
    await expect(p.read(RG2)).rejects.toThrow(/took longer than 0 s, so it was abandoned: it is probably damaged/);
    await expect(p.read(RG3)).rejects.toMatchObject({ code: 'DICOM_UNREADABLE' });
  });

  it('refuses to start without the built worker, naming the fix', () => {
    expect(() => new HeaderReaderPool('/nonexistent/header-worker.mjs')).toThrow(/npm run build:electron/);
  });
});

describe('import with the per-file time limit', () => {
  let backend: Backend;

  it('skips a file whose header takes too long, keeping no row and no store file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-limit-'));
    backend = openBackend({ dataDir, mode: 'browser', headerTimeLimitMs: 1 });
    cleanups.push(() => {
      backend.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    const result = await dispatch(backend.handlers, 'import:paths', { paths: [RG2] }, { emit: () => undefined });
    expect(result.ok).toBe(true);
    const report = (result as { value: ImportReport }).value;
    expect(report.imported).toEqual([]);
    expect(report.skipped).toHaveLength(1);
    expect(report.skipped[0]).toMatchObject({ path: RG2, code: 'DICOM_UNREADABLE' });
    expect(report.skipped[0]!.reason).toMatch(/took longer than/);
    const listed = await dispatch(backend.handlers, 'library:listPatients', {}, { emit: () => undefined });
    expect(listed).toEqual({ ok: true, value: [] });
    const storeDir = path.join(dataDir, 'store');
    const stored = fs.existsSync(storeDir) ? fs.readdirSync(storeDir, { recursive: true }).filter((f) => String(f).endsWith('.dcm')) : [];
    expect(stored).toEqual([]);
  });
});
