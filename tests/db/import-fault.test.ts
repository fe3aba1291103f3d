// A failure between copying a file into the store and committing its rows must leave neither an
// orphan store file nor a row (issue 2 §5). The import's fault hook throws at the two points in
// between: after the store rename, and inside the insert transaction just before COMMIT.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../electron/backend/backend';
import { openDatabase, type Db } from '../../electron/backend/db/connection';
import { LibraryRepository } from '../../electron/backend/db/repositories/library';
import { importPaths, type ImportFaultStage } from '../../electron/backend/dicom/import';
import { LibraryStore } from '../../electron/backend/dicom/store';
import { dataPaths } from '../../electron/backend/paths';
import { sharedData, tempDataDir } from './helpers';

const rg2 = path.join(sharedData, 'dicom/derived-local/RG2_from_JPLL_RLE.dcm');
const rg3 = path.join(sharedData, 'dicom/nema-wg04/RG3_J2KR.dcm');

let db: Db | undefined;
let cleanup: (() => void) | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  cleanup?.();
});

function library() {
  const tmp = tempDataDir();
  cleanup = tmp.remove;
  const paths = dataPaths(tmp.dir);
  db = openDatabase(paths.database, { appVersion: 'test' });
  return { repo: new LibraryRepository(db), store: new LibraryStore(paths.store), paths };
}

const failAt = (stage: ImportFaultStage, onlyFor?: string, error: Error = new Error(`injected failure at ${stage}`)) => (s: ImportFaultStage, file: string) => {
  if (s === stage && (!onlyFor || file === onlyFor)) throw error;
};

describe('failure between copy and insert', () => {
  it.each(['after-store-write', 'before-commit'] as const)('at %s: no row, no store file, no temporary file', async (stage) => {
    const { repo, store } = library();
    const report = await importPaths({ repo, store }, { jobId: 'j', paths: [rg2], faultHook: failAt(stage) });
    expect(report.imported).toEqual([]);
    expect(report.skipped).toEqual([{ path: rg2, code: 'INTERNAL', reason: `Import failed: injected failure at ${stage}` }]);
    expect(repo.counts()).toEqual({ patients: 0, studies: 0, series: 0, images: 0 });
    expect(store.listFiles()).toEqual([]);

    // The same file imports cleanly afterwards: the failure left nothing that blocks it.
    const again = await importPaths({ repo, store }, { jobId: 'j2', paths: [rg2] });
    expect(again.imported).toHaveLength(1);
    expect(repo.counts()).toEqual({ patients: 1, studies: 1, series: 1, images: 1 });
    expect(store.listFiles()).toHaveLength(1);
  });

  it('a failure on one file keeps the files completed before it, whole', async () => {
    const { repo, store } = library();
    const report = await importPaths({ repo, store }, { jobId: 'j', paths: [rg3, rg2], faultHook: failAt('before-commit', rg2) });
    expect(report.imported.map((i) => i.path)).toEqual([rg3]);
    expect(report.skipped.map((s) => s.path)).toEqual([rg2]);
    expect(repo.counts().images).toBe(1);
    const files = store.listFiles();
    expect(files).toHaveLength(1);
    expect(fs.readFileSync(store.absolutePath(files[0]!)).equals(fs.readFileSync(rg3))).toBe(true);
  });

  it('a full disk is reported as DISK_FULL and the rest of the job is not attempted', async () => {
    const { repo, store } = library();
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    // One file at a time, so "the rest" is exactly the files after the failing one.
    const report = await importPaths({ repo, store }, { jobId: 'j', paths: [rg2, rg3], concurrency: 1, faultHook: failAt('after-store-write', rg2, enospc) });
    expect(report.imported).toEqual([]);
    expect(report.skipped.map((s) => [s.path, s.code])).toEqual([
      [rg2, 'DISK_FULL'],
      [rg3, 'DISK_FULL'],
    ]);
    expect(report.skipped[0]!.reason).toMatch(/disk is full/);
    expect(repo.counts().images).toBe(0);
    expect(store.listFiles()).toEqual([]);
  });

  it('at the next start, a store file left by a crash (no row) and tmp leftovers are swept; referenced files stay', async () => {
    const tmp = tempDataDir();
    cleanup = tmp.remove;
    const backend = openBackend({ dataDir: tmp.dir });
    const report = await backend.handlers['import:paths']({ paths: [rg3] }, { emit: () => undefined });
    const kept = backend.resolveImagePath(report.imported[0]!.imageId);
    backend.close();

    // What a crash between rename and commit, and one during the copy, leave behind.
    const store = path.join(tmp.dir, 'store');
    const orphan = path.join(store, 'ab', `${'ab'.repeat(32)}.dcm`);
    fs.mkdirSync(path.dirname(orphan), { recursive: true });
    fs.copyFileSync(rg2, orphan);
    const partial = path.join(store, 'tmp-0123456789abcdef01234567');
    fs.writeFileSync(partial, 'partial');
    const recent = path.join(store, 'cd', `${'cd'.repeat(32)}.dcm`);
    fs.mkdirSync(path.dirname(recent), { recursive: true });
    fs.writeFileSync(recent, 'maybe another process importing right now');
    const hourAgo = new Date(Date.now() - 3600_000);
    for (const f of [orphan, partial, kept]) fs.utimesSync(f, hourAgo, hourAgo);

    const reopened = openBackend({ dataDir: tmp.dir });
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.existsSync(kept)).toBe(true);
    expect(fs.existsSync(recent)).toBe(true); // too young to be a crash leftover
    reopened.close();
  });
});
