// CD import against `cp -r` of the same tree (issue 7). A generated 500-image CD (5 patients × 2
// studies × 50 CR images of 256 × 256 × 16 bit, written with writeDicomFile, DICOMDIR built by
// dcmtk's dcmmkdir) is copied with cp -r, then read (media:read) and imported (media:import, every
// study) into a fresh data dir. Prints figures; asserts only that every image was imported.
//
// Measured on the 2-core development machine, shared with other jobs: 14 rounds alternating base
// and new over five sessions (the new code at several steps of the change). cp -r + sync itself
// took 0.08-0.42 s with the other jobs' disk writes, so compare seconds, not ratios:
//   before (9d5862f: fsync, rename, folder fsync and a transaction per file): 0.67-1.28 s
//           (0.74-0.79 s = 10x cp -r + sync when the machine was quiet)
//   after (copies in worker threads, batches of 64 files committed together): 0.55-1.40 s;
//           faster than the base run beside it in 12 of 14 rounds, by 0.05-0.42 s (slower by
//           0.10-0.13 s in two). What is left is per file (two worker round trips, an fsync per
//           copy, an fsync per store folder per batch) and starting the six worker threads of a
//           new backend, which the bench does every round.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBackend } from '../../electron/backend/backend';
import { newUid } from '../../electron/backend/dicom/write-dicom';
import { greyFilm } from '../backend/grey-film';

const IMAGES = Number(process.env.OSTEOPLAN_BENCH_CD_IMAGES ?? 500);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-cd-bench-'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function run(cmd: string, args: string[], cwd?: string): number {
  const started = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with ${r.status}`);
  return performance.now() - started;
}

/** A small CR film: a smooth bone-like ramp with noise, so the bytes are not all alike. */
function film(patient: number, study: { uid: string; date: string }, series: string, index: number): Buffer {
  const size = 256;
  const pixels = new Uint16Array(size * size);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels[y * size + x] = (200 + x * 3 + y * 2 + ((x * 7919 + y * 104729 + index * 31) % 97)) & 0x0fff;
  return greyFilm(pixels, size, size, [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1' },
    { tag: 0x00080020, vr: 'DA', value: study.date },
    { tag: 0x00080030, vr: 'TM', value: '101500' },
    { tag: 0x00080050, vr: 'SH', value: `ACC${patient}` },
    { tag: 0x00080060, vr: 'CS', value: 'CR' },
    { tag: 0x00081030, vr: 'LO', value: 'Knee AP standing' },
    { tag: 0x00100010, vr: 'PN', value: `BENCH^Patient ${patient}` },
    { tag: 0x00100020, vr: 'LO', value: `BENCH${patient}` },
    { tag: 0x00100030, vr: 'DA', value: '19600101' },
    { tag: 0x00100040, vr: 'CS', value: 'F' },
    { tag: 0x00180015, vr: 'CS', value: 'KNEE' },
    { tag: 0x00181164, vr: 'DS', value: [0.15, 0.15] },
    { tag: 0x0020000d, vr: 'UI', value: study.uid },
    { tag: 0x0020000e, vr: 'UI', value: series },
    { tag: 0x00200010, vr: 'SH', value: '1' },
    { tag: 0x00200011, vr: 'IS', value: 1 },
    { tag: 0x00200013, vr: 'IS', value: index + 1 },
    { tag: 0x00200020, vr: 'CS', value: ['L', 'F'] },
  ]);
}

try {
  const cd = path.join(root, 'cd');
  const perStudy = Math.ceil(IMAGES / 10);
  let written = 0;
  let bytes = 0;
  for (let p = 0; p < 5 && written < IMAGES; p++) {
    for (let s = 0; s < 2 && written < IMAGES; s++) {
      const study = { uid: newUid(), date: `2024${String(s + 1).padStart(2, '0')}15` };
      const series = newUid();
      // ISO 9660 level-1 names, as dcmmkdir and real CD writers use.
      const dir = path.join(cd, 'DICOM', `P${p}`, `S${s}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perStudy && written < IMAGES; i++, written++) {
        const dicom = film(p, study, series, i);
        bytes += dicom.length;
        fs.writeFileSync(path.join(dir, `I${String(i).padStart(4, '0')}`), dicom);
      }
    }
  }
  run('dcmmkdir', ['--recurse', '--output-file', 'DICOMDIR', 'DICOM'], cd);
  run('sync', []);

  let cpMs = Infinity;
  let cpSyncMs = Infinity;
  let readMs = Infinity;
  let importMs = Infinity;
  for (let round = 0; round < 2; round++) {
    const copy = path.join(root, `cp-${round}`);
    const cpOnce = run('cp', ['-r', cd, copy]);
    cpMs = Math.min(cpMs, cpOnce);
    cpSyncMs = Math.min(cpSyncMs, cpOnce + run('sync', []));
    fs.rmSync(copy, { recursive: true, force: true });

    const dataDir = path.join(root, `data-${round}`);
    const backend = openBackend({ dataDir, appVersion: 'bench' });
    const context = { emit: () => undefined };
    const t0 = performance.now();
    const summary = await backend.handlers['media:read']({ path: cd }, context);
    const t1 = performance.now();
    const studies = summary.patients.flatMap((p) => p.studies.map((s) => s.studyInstanceUid!));
    const report = await backend.handlers['media:import']({ dicomdirPath: summary.dicomdirPath, studyInstanceUids: studies }, context);
    const t2 = performance.now();
    readMs = Math.min(readMs, t1 - t0);
    importMs = Math.min(importMs, t2 - t0);
    backend.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    run('sync', []);
    if (report.imported.length !== IMAGES) throw new Error(`expected ${IMAGES} imported, got ${report.imported.length}: ${JSON.stringify(report.skipped.slice(0, 3))}`);
  }
  const mb = bytes / 1024 / 1024;
  console.log(`CD: ${IMAGES} images, ${mb.toFixed(0)} MB, DICOMDIR by dcmmkdir`);
  console.log(`cp -r of the CD tree:          ${seconds(cpMs)}  (page cache only)`);
  console.log(`cp -r + sync:                  ${seconds(cpSyncMs)}  (durable on disk)`);
  console.log(`media:read (DICOMDIR summary): ${seconds(readMs)}`);
  console.log(`media:read + media:import:     ${seconds(importMs)}  (fsynced store, batched commits)`);
  console.log(`ratio CD import / cp -r:       ${(importMs / cpMs).toFixed(2)}x`);
  console.log(`ratio CD import / (cp -r + sync): ${(importMs / cpSyncMs).toFixed(2)}x`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
