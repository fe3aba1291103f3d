// Batched import (issue 2 §5): files are staged (copied, hashed, fsynced under a temporary name),
// then a batch is published (renamed, folders fsynced) and its rows committed in one transaction.
// Whatever fails in the middle of a batch, the library stays whole: every store file has its row,
// every row its file, no temporary file is left, and what was not kept can be imported again.
// Real SQLite file, real store, real worker threads; failures come through the import's fault hook,
// a second connection that holds the database's write lock, and a store name that is taken.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/backend/db/connection';
import { LibraryRepository } from '../../electron/backend/db/repositories/library';
import { HeaderReaderPool, defaultHeaderWorkerFile } from '../../electron/backend/dicom/header-reader-pool';
import { importPaths, type ImportFaultStage, type ImportOptions } from '../../electron/backend/dicom/import';
import { readDicomHeader } from '../../electron/backend/dicom/read-header';
import { LibraryStore } from '../../electron/backend/dicom/store';
import { dataPaths } from '../../electron/backend/paths';
import { greyFilm } from './grey-film';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Library {
  db: Db;
  repo: LibraryRepository;
  store: LibraryStore;
  databaseFile: string;
  run(paths: string[], opts?: Partial<ImportOptions>): ReturnType<typeof importPaths>;
}

/** A library in a temporary data dir, importing as the backend does: headers and copies in worker threads. */
function library(): Library {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-batch-'));
  const paths = dataPaths(dataDir);
  const db = openDatabase(paths.database, { appVersion: 'test' });
  const workers = new HeaderReaderPool(defaultHeaderWorkerFile(), 10_000, 3);
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }), () => db.close(), () => workers.close());
  const repo = new LibraryRepository(db);
  const store = new LibraryStore(paths.store, (source, tmpPath) => workers.copyIntoStore(source, tmpPath));
  return {
    db,
    repo,
    store,
    databaseFile: paths.database,
    run: (files, opts = {}) => importPaths({ repo, store, readHeader: (f) => workers.read(f) }, { jobId: 'batch', paths: files, batchFiles: 64, ...opts }),
  };
}

/** Small distinct CR films (one patient each), written into a fresh folder. */
function films(count: number): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-films-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: count }, (_, i) => {
    const pixels = new Uint16Array(32 * 32).map((_v, k) => (k * 7 + i * 131) & 0x0fff);
    const file = path.join(dir, `film-${i}.dcm`);
    fs.writeFileSync(
      file,
      greyFilm(pixels, 32, 32, [
        { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1' },
        { tag: 0x00080060, vr: 'CS', value: 'CR' },
        { tag: 0x00100010, vr: 'PN', value: `BATCH^Patient ${i}` },
        { tag: 0x00100020, vr: 'LO', value: `B${i}` },
      ]),
    );
    return file;
  });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** The library holds exactly these source files: one row and one whole store file each, nothing else. */
function expectLibraryHolds(lib: Library, sources: string[]): void {
  const expected = sources.map(sha256).sort();
  expect([...lib.repo.referencedSha256s()].sort()).toEqual(expected);
  expect(lib.store.listFiles()).toEqual(expected.map((sha) => `${sha.slice(0, 2)}/${sha}.dcm`).sort());
  expect(lib.repo.counts().images).toBe(sources.length);
  for (const source of sources) {
    const stored = lib.store.absolutePath(`${sha256(source).slice(0, 2)}/${sha256(source)}.dcm`);
    expect(fs.readFileSync(stored).equals(fs.readFileSync(source))).toBe(true);
  }
}

const failAt = (stage: ImportFaultStage, file: string, error = new Error(`injected failure at ${stage}`)) => (s: ImportFaultStage, f: string) => {
  if (s === stage && f === file) throw error;
};

describe('a failure in the middle of a batch', () => {
  // after-store-write: the copy is durable under its temporary name; before-commit: inside the batch's transaction.
  it.each([
    ['after-store-write', 2],
    ['before-commit', 4],
  ] as const)('a file failing at %s is left out whole; the rest of its batch is committed; it imports cleanly afterwards', async (stage, failing) => {
    const lib = library();
    const files = films(6);
    const report = await lib.run(files, { faultHook: failAt(stage, files[failing]!) });
    expect(report.imported.map((i) => i.path)).toEqual(files.filter((_, i) => i !== failing));
    expect(report.skipped).toEqual([{ path: files[failing], code: 'INTERNAL', reason: `Import failed: injected failure at ${stage}` }]);
    expectLibraryHolds(lib, report.imported.map((i) => i.path));

    const again = await lib.run(files);
    expect(again.imported.map((i) => i.path)).toEqual([files[failing]]);
    expectLibraryHolds(lib, files);
  });

  it('a file that changes on disk before its copy (size no longer the one found) is refused; the others are kept', async () => {
    const lib = library();
    const files = films(5);
    // One file at a time, so the fourth file is changed before it is read.
    const report = await lib.run(files, {
      concurrency: 1,
      faultHook: (stage, file) => {
        if (stage === 'after-store-write' && file === files[0]) fs.appendFileSync(files[3]!, Buffer.alloc(16));
      },
    });
    expect(report.skipped).toEqual([{ path: files[3], code: 'DICOM_UNREADABLE', reason: 'The file changed while it was being imported; nothing of it was kept.' }]);
    expectLibraryHolds(lib, [files[0]!, files[1]!, files[2]!, files[4]!]);
  });

  it('a store name that cannot be taken fails that file at publish; the rest of the batch is committed', async () => {
    const lib = library();
    const files = films(4);
    // A folder squatting on the third file's content address makes its rename fail (EISDIR / ENOTEMPTY).
    const sha = sha256(files[2]!);
    const squatter = lib.store.absolutePath(`${sha.slice(0, 2)}/${sha}.dcm`);
    fs.mkdirSync(path.join(squatter, 'occupied'), { recursive: true });
    const report = await lib.run(files);
    expect(report.imported.map((i) => i.path)).toEqual([files[0], files[1], files[3]]);
    expect(report.skipped).toEqual([{ path: files[2], code: 'INTERNAL', reason: expect.stringMatching(/^The copy could not be put in the library store: E(ISDIR|NOTEMPTY|EXIST)/) }]);
    fs.rmSync(squatter, { recursive: true });
    expectLibraryHolds(lib, [files[0]!, files[1]!, files[3]!]);
  });

  it('a database error after the files were written leaves none of the batch: no rows, no store files, no temporary files', async () => {
    const lib = library();
    const files = films(5);
    lib.db.pragma('busy_timeout = 50');
    // Another process holds the write lock while the batch commits.
    const other = new Database(lib.databaseFile);
    cleanups.push(() => other.close());
    other.pragma('busy_timeout = 50');
    other.exec('BEGIN IMMEDIATE');
    const report = await lib.run(files);
    other.exec('ROLLBACK');
    expect(report.imported).toEqual([]);
    expect(report.skipped.map((s) => [s.path, s.code, s.reason])).toEqual(files.map((f) => [f, 'INTERNAL', 'Import failed: database is locked']));
    expectLibraryHolds(lib, []);

    const again = await lib.run(files);
    expect(again.imported).toHaveLength(5);
    expectLibraryHolds(lib, files);
  });

  it('several batches: a database-wide error in the second keeps the first and the third', async () => {
    const lib = library();
    const files = films(6);
    // SQLITE_BUSY concerns the whole database: the batch is not retried row by row.
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const report = await lib.run(files, { batchFiles: 2, concurrency: 1, faultHook: failAt('before-commit', files[2]!, busy) });
    expect(report.imported.map((i) => i.path)).toEqual([files[0], files[1], files[4], files[5]]);
    expect(report.skipped.map((s) => [s.path, s.reason])).toEqual([
      [files[2], 'Import failed: database is locked'],
      [files[3], 'Import failed: database is locked'],
    ]);
    expectLibraryHolds(lib, [files[0]!, files[1]!, files[4]!, files[5]!]);
  });
});

/** A cancelled job imported a prefix of the files (at least `atLeast`, not all), each whole, and nothing else. */
function expectCancelledWhole(lib: Library, report: Awaited<ReturnType<typeof importPaths>>, files: string[], atLeast: number): void {
  expect(report.cancelled).toBe(true);
  const done = report.imported.length;
  expect(done).toBeGreaterThanOrEqual(atLeast);
  expect(done).toBeLessThan(files.length);
  expect(report.imported.map((i) => i.path)).toEqual(files.slice(0, done));
  expect(report.skipped).toEqual([]);
  expectLibraryHolds(lib, files.slice(0, done));
}

describe('cancel between write and commit', () => {
  it('files already written when cancel comes are committed whole; no file is started after it', async () => {
    const lib = library();
    const files = films(12);
    let cancelled = false;
    let written = 0;
    const report = await lib.run(files, {
      isCancelled: () => cancelled,
      faultHook: (stage) => {
        // The third file is durable under its temporary name and waits for its batch.
        if (stage === 'after-store-write' && ++written === 3) cancelled = true;
      },
    });
    expectCancelledWhole(lib, report, files, 3);
  });

  it('cancel during the commit of a batch keeps that batch; at most the file already being copied follows it', async () => {
    const lib = library();
    const files = films(30);
    let cancelled = false;
    let writtenAfterCancel = 0;
    const report = await lib.run(files, {
      batchFiles: 3,
      concurrency: 1,
      isCancelled: () => cancelled,
      faultHook: (stage) => {
        if (stage === 'before-commit') cancelled = true;
        if (stage === 'after-store-write' && cancelled) writtenAfterCancel += 1;
      },
    });
    // The commit runs beside the copies, so how many files were started before it is timing;
    // what cancel guarantees is not.
    expect(writtenAfterCancel).toBeLessThanOrEqual(1);
    const done = report.imported.length;
    expect(done).toBeGreaterThanOrEqual(3);
    expect(report.cancelled).toBe(done < files.length);
    expect(report.imported.map((i) => i.path)).toEqual(files.slice(0, done));
    expectLibraryHolds(lib, files.slice(0, done));
  });
});

describe('the same instance twice in one job', () => {
  it('the second file waits for the first one\'s batch, then is a duplicate (no deadlock with a large batch)', async () => {
    const lib = library();
    const [film] = films(1);
    const copies = [film!, ...['a', 'b', 'c'].map((name) => path.join(path.dirname(film!), `${name}-copy.dcm`))];
    for (const copy of copies.slice(1)) fs.copyFileSync(film!, copy);
    const report = await lib.run(copies, { concurrency: 4, batchFiles: 1000 });
    expect(report.imported.map((i) => i.path)).toEqual([film]);
    expect(report.duplicates.map((d) => d.path)).toEqual(copies.slice(1));
    expect(new Set(report.duplicates.map((d) => d.imageId))).toEqual(new Set([report.imported[0]!.imageId]));
    expectLibraryHolds(lib, [report.imported[0]!.path]);
  });
});

describe('the same instance in several transfer syntaxes', () => {
  it('the file selected first is the one imported, whichever header is read first', async () => {
    const lib = library();
    // One SOP instance: the hip film uncompressed (7.5 MB) first, then smaller encodings of it.
    const derived = path.resolve(__dirname, '../../../shared/data/dicom/derived-local');
    const files = ['RG2_from_JPLL_EVRLE.dcm', 'RG2_from_JPLL_RLE.dcm', 'RG2_from_JPLL_IVRLE.dcm', 'RG2_from_JPLL_J2KR.dcm', 'RG2_from_JPLL_deflated.dcm'].map((f) =>
      path.join(derived, f),
    );
    const report = await lib.run(files, { concurrency: 4 });
    expect(report.imported.map((i) => i.path)).toEqual([files[0]]);
    expect(report.duplicates.map((d) => d.path)).toEqual(files.slice(1));
  });
});

describe('copies in worker threads', () => {
  it('copy the exact bytes with their sha256 and the header read from the copy, mode 0644; the header time limit does not apply to them', async () => {
    const source = path.resolve(__dirname, '../../../shared/data/dicom/derived-local/RG2_from_JPLL_EVRLE.dcm');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-copy-'));
    // A 1 ms limit abandons any header read; a 7.5 MB copy takes longer and must still finish.
    const workers = new HeaderReaderPool(defaultHeaderWorkerFile(), 1, 1);
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }), () => workers.close());
    const tmp = path.join(dir, 'tmp-copy');
    const copied = await workers.copyIntoStore(source, tmp);
    expect(copied).toMatchObject({ sha256: sha256(source), size: fs.statSync(source).size, header: { rows: 2140, columns: 1760 } });
    expect(copied.header).toEqual(readDicomHeader(source));
    expect(fs.readFileSync(tmp).equals(fs.readFileSync(source))).toBe(true);
    expect(fs.statSync(tmp).mode & 0o777).toBe(0o644);
    // The temporary name is never reused: a second copy to it is refused, the first left intact.
    await expect(workers.copyIntoStore(source, tmp)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(sha256(tmp)).toBe(copied.sha256);
  });
});
