// Import throughput against `cp -r` of the same files (issue 2 §5, target <= 1.5x). 200 distinct
// copies of the uncompressed RG2 hip film (7.5 MB each, new Study/Series/SOP Instance UIDs
// rewritten in place) are copied with cp -r, then imported into a fresh data dir: header read,
// duplicate check, copy + sha256 + fsync in worker threads, then per batch (64 files / 256 MB)
// renames, one fsync per touched store folder and one transaction.
// Run with `npm run bench` (bundled by esbuild, run by Node 22). Prints figures; asserts nothing
// except that every copy was imported.
//
// Measured on the 2-core development machine, shared with other jobs (base and new alternated in
// the same minutes; two sessions of three rounds at load 1-3):
//   before (9d5862f: fsync, rename, folder fsync and a transaction per file, sha256 on the main
//   thread): import 2.09-2.26 s, cp -r 0.36-0.41 s, cp -r + sync 1.07-1.15 s
//            = 5.2-5.9x cp -r, 1.85-1.99x cp -r + sync
//   after:   import 1.51-1.67 s = 3.7-4.1x cp -r, 1.35-1.40x cp -r + sync
// (at load 3.5 both were slower: before 2.71-3.45 s, after 2.21-2.79 s).
// The 1.5x-of-cp -r target is out of reach with durability on this machine: cp -r leaves the
// 1.4 GB in the page cache, while the import must put it on disk (sync alone takes 1.8x the cp -r
// time) and hash every byte (sha256 runs at ~1.6 GB/s on one core, ~2x the cp -r time).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend } from '../../electron/backend/backend';
import { rewriteValues, uidOfLength } from '../backend/rewrite-values';

const COPIES = Number(process.env.OSTEOPLAN_BENCH_COPIES ?? 200);
const source = path.resolve('../shared/data/dicom/derived-local/RG2_from_JPLL_EVRLE.dcm');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-import-bench-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function run(cmd: string, args: string[]): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status}`);
  return performance.now() - started;
}

try {
  const original = fs.readFileSync(source);
  const src = path.join(root, 'films');
  fs.mkdirSync(src);
  const study = uidOfLength(44);
  for (let i = 0; i < COPIES; i++) {
    // Ten films per study, one series per film, each its own SOP instance.
    const sop = uidOfLength(48);
    const bytes = rewriteValues(original, {
      x0020000d: i % 10 === 0 ? uidOfLength(44) : study,
      x0020000e: uidOfLength(46),
      x00080018: sop,
      x00020003: sop,
    });
    fs.writeFileSync(path.join(src, `film-${String(i).padStart(3, '0')}.dcm`), bytes);
  }
  const totalBytes = COPIES * original.length;
  run('sync', []);

  // Two rounds, best of each: the machine is shared, and the minimum is the least disturbed run.
  let cpMs = Infinity;
  let cpSyncMs = Infinity;
  let importMs = Infinity;
  for (let round = 0; round < 2; round++) {
    const cpOnce = run('cp', ['-r', src, path.join(root, `cp-copy-${round}`)]);
    const syncOnce = run('sync', []);
    cpMs = Math.min(cpMs, cpOnce);
    cpSyncMs = Math.min(cpSyncMs, cpOnce + syncOnce);
    fs.rmSync(path.join(root, `cp-copy-${round}`), { recursive: true, force: true });

    const dataDir = path.join(root, `data-${round}`);
    const backend = openBackend({ dataDir, appVersion: 'bench' });
    const started = performance.now();
    const report = await backend.handlers['import:paths']({ paths: [src] }, { emit: () => undefined });
    importMs = Math.min(importMs, performance.now() - started);
    backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    run('sync', []);
    if (report.imported.length !== COPIES) {
      throw new Error(`expected ${COPIES} imported, got ${report.imported.length} (skipped: ${JSON.stringify(report.skipped.slice(0, 3))})`);
    }
  }

  const mb = totalBytes / 1024 / 1024;
  console.log(`files: ${COPIES} x ${(original.length / 1024 / 1024).toFixed(1)} MB = ${mb.toFixed(0)} MB`);
  console.log(`cp -r:               ${seconds(cpMs)}  (${(mb / (cpMs / 1000)).toFixed(0)} MB/s, page cache only)`);
  console.log(`cp -r + sync:        ${seconds(cpSyncMs)}  (durable on disk)`);
  console.log(`Osteoplan import:    ${seconds(importMs)}  (${(mb / (importMs / 1000)).toFixed(0)} MB/s, fsynced)`);
  console.log(`ratio import / cp -r:          ${(importMs / cpMs).toFixed(2)}x  (target <= 1.5x)`);
  console.log(`ratio import / (cp -r + sync): ${(importMs / cpSyncMs).toFixed(2)}x`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
