// Broken input (issue 7): a seeded corpus of 2,000+ mutations of real files goes through the
// import (header reading, store, database) and the Node decoder one file at a time. Every file must
// end in a clean outcome — imported, duplicate, or skipped with a code and a reason; decoded or an
// AppError — within a per-file time limit, and afterwards the database rows and the store files
// must correspond exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePixels } from '../../electron/backend/dicom/decode-pixels';
import { fuzzCorpus, type MutationKind } from '../../electron/backend/dicom/fuzz-mutations';
import { AppError } from '../../shared/ipc/result';
import { dicomData, testBackend, type TestBackend } from './helpers';

const SEEDS = [
  'pydicom/MR_small.dcm',
  'pydicom/MR_small_implicit.dcm',
  'pydicom/MR_small_expb.dcm',
  'pydicom/CT_small.dcm',
  'pydicom/image_dfl.dcm',
  'pydicom/MR_small_RLE.dcm',
  'pydicom/MR_small_jpeg_ls_lossless.dcm',
  'pydicom/MR_small_jp2klossless.dcm',
  'pydicom/JPGExtended.dcm',
  'pydicom/SC_rgb_jpeg_gdcm.dcm',
  'pydicom/dicomdirtests/77654033/CR1/6154',
  'pylibjpeg-data/JPEGLossless_1s_1f_u_16_12.dcm',
].map((f) => ({ name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(path.join(dicomData, f))) }));

const COUNT = Number(process.env.OSTEOPLAN_FUZZ_COUNT ?? 2400);
// A hang cannot stall this run: headers are read under the worker pool's per-file time limit
// (tests/backend/header-reader-pool.test.ts); the slowest file is printed, not asserted.
const CLEAN_CODES = new Set(['DICOM_UNREADABLE', 'UNSUPPORTED_TRANSFER_SYNTAX', 'INVALID_INPUT']);

let t: TestBackend;
let work: string;
beforeAll(() => {
  t = testBackend();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-fuzz-'));
});
afterAll(() => {
  t.dispose();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('fuzzing the import and the decoder', () => {
  it('the generator is deterministic and makes every kind of damage', () => {
    const a = [...fuzzCorpus(SEEDS, 60)];
    const b = [...fuzzCorpus(SEEDS, 60)];
    expect(a.map((m) => m.name)).toEqual(b.map((m) => m.name));
    expect(a.every((m, i) => Buffer.from(m.bytes).equals(Buffer.from(b[i]!.bytes)))).toBe(true);
    expect(new Set(a.map((m) => m.kind))).toEqual(new Set(['truncate', 'bit-flip', 'huge-length', 'bad-vr', 'absurd-size']));
    expect(a.filter((m, i) => !Buffer.from(m.bytes).equals(Buffer.from(SEEDS[i % SEEDS.length]!.bytes))).length).toBeGreaterThan(50);
  });

  it('refuses a file cut right after its file meta (found by this fuzz run: it escaped as INTERNAL)', async () => {
    const bytes = fs.readFileSync(path.join(dicomData, 'pydicom/MR_small_expb.dcm'));
    const metaEnd = 132 + 12 + bytes.readUInt32LE(140);
    const file = path.join(work, 'meta-only.dcm');
    fs.writeFileSync(file, bytes.subarray(0, metaEnd));
    const report = await t.value('import:paths', { paths: [file] });
    expect(report.skipped).toEqual([{ path: file, code: 'DICOM_UNREADABLE', reason: 'The file ends right after its file meta: there is no dataset (truncated file).' }]);
  });

  it(`${COUNT} mutations: each a clean outcome, and store and rows agree after`, async () => {
    const started = performance.now();
    const outcomes: Record<MutationKind, { imported: number; duplicate: number; skipped: number }> = {
      truncate: { imported: 0, duplicate: 0, skipped: 0 },
      'bit-flip': { imported: 0, duplicate: 0, skipped: 0 },
      'huge-length': { imported: 0, duplicate: 0, skipped: 0 },
      'bad-vr': { imported: 0, duplicate: 0, skipped: 0 },
      'absurd-size': { imported: 0, duplicate: 0, skipped: 0 },
    };
    const imageIds = new Set<number>();
    const unclean: string[] = [];
    const reasons = new Set<string>();
    let decoded = 0;
    let decodeRefused = 0;
    let slowest = { name: '', ms: 0 };
    for (const m of fuzzCorpus(SEEDS, COUNT)) {
      const file = path.join(work, m.name);
      fs.writeFileSync(file, m.bytes);
      const t0 = performance.now();
      const result = await t.call('import:paths', { paths: [file] });
      if (!result.ok) {
        unclean.push(`${m.name}: the import itself failed: ${result.error.code} ${result.error.message}`);
        continue;
      }
      const report = result.value;
      const bucket = outcomes[m.kind];
      if (report.imported.length) {
        bucket.imported += 1;
        imageIds.add(report.imported[0]!.imageId);
      } else if (report.duplicates.length) bucket.duplicate += 1;
      else {
        bucket.skipped += 1;
        const skip = report.skipped[0];
        if (!skip || !CLEAN_CODES.has(skip.code) || skip.reason.trim().length < 10) unclean.push(`${m.name}: ${JSON.stringify(report.skipped)}`);
        else reasons.add(skip.reason.replace(/\d+/g, 'N'));
      }
      if (report.imported.length || report.duplicates.length) {
        try {
          await decodePixels(m.bytes, 0);
          decoded += 1;
        } catch (err) {
          if (!(err instanceof AppError)) unclean.push(`${m.name}: the decoder threw ${String(err)}`);
          else decodeRefused += 1;
        }
      }
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { name: m.name, ms };
      fs.rmSync(file);
    }
    const elapsed = performance.now() - started;
    console.log(
      `fuzz: ${COUNT} files in ${(elapsed / 1000).toFixed(1)} s; slowest ${slowest.name} ${slowest.ms.toFixed(0)} ms; ` +
        `decoded ${decoded}, decode refused ${decodeRefused}; distinct refusal reasons ${reasons.size}\n${JSON.stringify(outcomes)}`,
    );
    expect(unclean).toEqual([]);
    expect(COUNT).toBeGreaterThanOrEqual(2000);
    // The corpus really breaks files: every kind gets refusals, and the absurd sizes are refused up front.
    for (const kind of Object.keys(outcomes) as MutationKind[]) expect(outcomes[kind].skipped).toBeGreaterThan(0);
    expect([...reasons].some((r) => /not a plausible image, refused/.test(r))).toBe(true);

    // No orphans, nothing partial: one store file per image row, each whole and readable.
    const storeFiles = t.storeFiles();
    expect(storeFiles.some((f) => f.startsWith('tmp-'))).toBe(false);
    expect(storeFiles).toHaveLength(imageIds.size);
    for (const id of imageIds) expect(fs.statSync(t.backend.resolveImagePath(id)).size).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(t.dataDir, 'staging'))).toEqual([]);
    // The app stays usable: a real file still imports.
    const after = await t.value('import:paths', { paths: [path.join(dicomData, 'derived-local/CD_WG04_RG/IMAGES/RG2J2KR')] });
    expect(after.imported).toHaveLength(1);
  }, 240_000);
});
