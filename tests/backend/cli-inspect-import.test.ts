// `osteoplan inspect` and `osteoplan import` (issue 7), called directly (one smoke test runs the
// built bundle). The inspect sweep is also the dcmdump comparison over ALL of ../shared/data: every
// file dcmdump parses must give the same header fields through the command's JSON.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runImportCommand } from '../../electron/backend/cli/import-command';
import { runInspectCommand, type InspectedFile } from '../../electron/backend/cli/inspect-command';
import { pixelMd5 } from '../../electron/backend/dicom/decode-pixels';
import { expectedHeaderFromDcmdump } from './dcmdump';
import { dicomData, filesUnder, sharedData } from './helpers';

const repo = path.resolve(__dirname, '../..');
const wg04 = path.join(dicomData, 'derived-local/CD_WG04_RG');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) } };
}

async function inspectJson(args: string[]): Promise<{ code: number; files: InspectedFile[]; summary: Record<string, number> }> {
  const c = io();
  const code = await runInspectCommand([...args, '--json'], c.io);
  const doc = JSON.parse(c.out.join('')) as { files: InspectedFile[]; summary: Record<string, number> };
  return { code, ...doc };
}

/** dcmdump parses the file (bounded: one file of the set crashes or hangs it). */
function dcmdumpParses(file: string): boolean {
  const run = spawnSync('dcmdump', ['-q', file], { timeout: 10_000, stdio: 'ignore' });
  return run.status === 0;
}

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-cli-'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('osteoplan inspect', () => {
  it('agrees with dcmdump on the header of every file of ../shared/data that both read', async () => {
    const all = filesUnder(sharedData); // MANIFEST.md included: refused as not DICOM
    const { files, summary } = await inspectJson([sharedData, '--no-decode']);
    expect(summary.files).toBe(all.length);
    let compared = 0;
    let dcmdumpFailed = 0;
    let withoutMeta = 0;
    for (const r of files) {
      if (!r.ok) continue;
      if (!dcmdumpParses(r.path)) {
        dcmdumpFailed += 1;
        continue;
      }
      let expected;
      try {
        expected = expectedHeaderFromDcmdump(r.path);
      } catch {
        withoutMeta += 1; // no (0002,0010) to compare with: dcmdump infers the encoding as we do
        continue;
      }
      expect({ file: r.path, header: r.header }).toEqual({ file: r.path, header: expected });
      compared += 1;
    }
    console.log(`inspect vs dcmdump: ${compared} compared, ${summary.unreadable} refused by our reader, ${dcmdumpFailed} dcmdump could not parse, ${withoutMeta} without meta`);
    expect(compared).toBeGreaterThan(180);
    expect(dcmdumpFailed).toBeLessThan(10);
  }, 180_000);

  it('reports the calibration decision, decode status and pixel md5 of each file', async () => {
    const { code, files, summary } = await inspectJson([
      path.join(dicomData, 'derived-local/RG2_from_JPLL_RLE.dcm'),
      path.join(dicomData, 'nema-wg04/RG3_J2KR.dcm'),
      path.join(dicomData, 'dcm4che/will-jxl.dcm'),
      path.join(sharedData, 'xray/radoss-creative-commons/331_DDH_1.jpg'),
      path.join(dicomData, 'nema-wg04/NM1_JPLY_fixed.dcm'),
    ]);
    expect(code).toBe(1);
    expect(summary).toEqual({ files: 5, read: 4, unreadable: 1, decoded: 3, unsupported: 1, decodeFailed: 0 });
    const [rg2, rg3, jxl, jpg, jpeg12] = files;
    // 12-bit JPEG extended (lossy): decoded; its values are compared with dcmtk in decode-pixels.test.ts.
    expect(jpeg12).toMatchObject({ ok: true, decode: { status: 'decoded', frames: 1, pixelMd5: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    expect(rg2).toMatchObject({ ok: true, decode: { status: 'decoded', frames: 1, pixelMd5: '06900ee4323a91b7f5ffab8655e3c845' } });
    // RG2 has PixelSpacing 0.2 on a CR: detector spacing, not calibrated at the patient (clinical-spec §4).
    expect(rg2!.ok && rg2!.calibration).toMatchObject({ rowSpacingMm: 0.2, columnSpacingMm: 0.2 });
    expect(rg2!.ok && rg2!.calibration.type).not.toBe('uncalibrated');
    expect(rg3).toMatchObject({ ok: true, calibration: { type: 'uncalibrated' }, decode: { status: 'decoded', pixelMd5: expect.stringMatching(/^e7c857ef/) } });
    expect(jxl).toMatchObject({ ok: true, decode: { status: 'unsupported', code: 'UNSUPPORTED_TRANSFER_SYNTAX', message: expect.stringMatching(/JPEG XL/) } });
    expect(jpg).toMatchObject({ ok: false, error: { code: 'DICOM_UNREADABLE', message: expect.stringMatching(/Not a DICOM file/) } });
  });

  it('prints a readable report, and refuses bad usage with exit code 2', async () => {
    const c = io();
    expect(await runInspectCommand([path.join(wg04, 'IMAGES/RG2J2KR')], c.io)).toBe(0);
    const text = c.out.join('');
    expect(text).toMatch(/patient CompressedSamples\^RG2 \[10RG2\]/);
    expect(text).toMatch(/CR 2140 × 1760 × 1 frame\(s\), 10\/16 bits, MONOCHROME2/);
    expect(text).toMatch(/JPEG 2000 Lossless \(1\.2\.840\.10008\.1\.2\.4\.90\)/);
    expect(text).toMatch(/pixels: decoded 1 frame\(s\), pixel md5 06900ee4323a91b7f5ffab8655e3c845/);
    expect(text).toMatch(/1 file\(s\): 1 read, 0 unreadable; 1 decoded/);
    const bad = io();
    expect(await runInspectCommand(['--frobnicate', 'x'], bad.io)).toBe(2);
    expect(bad.err.join('')).toMatch(/unknown option --frobnicate/);
    expect(await runInspectCommand([], io().io)).toBe(2);
  });
});

describe('osteoplan import', () => {
  it('imports a folder into the given data dir, then finds the same files already there', async () => {
    const dataDir = path.join(work, 'library');
    const first = io();
    expect(await runImportCommand([path.join(wg04, 'IMAGES'), '--data-dir', dataDir, '--json'], first.io)).toBe(0);
    const report = JSON.parse(first.out.join('')) as { dataDir: string; report: { imported: unknown[]; duplicates: unknown[]; skipped: unknown[] } };
    expect(report.dataDir).toBe(dataDir);
    expect([report.report.imported.length, report.report.duplicates.length, report.report.skipped.length]).toEqual([3, 0, 0]);
    expect(fs.existsSync(path.join(dataDir, 'library.sqlite'))).toBe(true);
    const second = io();
    // A DICOMDIR stands for the files it lists.
    expect(await runImportCommand([path.join(wg04, 'DICOMDIR'), '--data-dir', dataDir], second.io)).toBe(0);
    expect(second.out.join('')).toMatch(/0 imported, 3 already in the library, 0 skipped/);
  });

  it('uses OSTEOPLAN_DATA_DIR by default and lists skipped files with exit code 1', async () => {
    const dataDir = path.join(work, 'env-library');
    fs.writeFileSync(path.join(work, 'notes.txt'), 'not a film');
    const c = io();
    const code = await runImportCommand([path.join(work, 'notes.txt'), path.join(wg04, 'IMAGES/RG3J2KR')], c.io, { OSTEOPLAN_DATA_DIR: dataDir });
    expect(code).toBe(1);
    const text = c.out.join('');
    expect(text).toMatch(new RegExp(`Library: ${dataDir}`));
    expect(text).toMatch(/1 imported, 0 already in the library, 1 skipped/);
    expect(text).toMatch(/skipped .*notes\.txt: DICOM_UNREADABLE: Not a DICOM file/);
  });
});

describe('the built command line', () => {
  const bundle = path.join(repo, 'out/cli/osteoplan.mjs');
  it.skipIf(!fs.existsSync(bundle))('runs inspect from out/cli/osteoplan.mjs (codecs found from the bundle)', async () => {
    const jpeg12 = path.join(dicomData, 'nema-wg04/RG2_JPLY.dcm');
    const out = execFileSync(process.execPath, [bundle, 'inspect', path.join(dicomData, 'nema-wg04/RG2_JLSL.dcm'), jpeg12, '--json'], { encoding: 'utf8', timeout: 60_000 });
    const doc = JSON.parse(out) as { files: InspectedFile[] };
    expect(doc.files[0]).toMatchObject({ ok: true, decode: { status: 'decoded', pixelMd5: '06900ee4323a91b7f5ffab8655e3c845' } });
    // The 12-bit JPEG decoder is evaluated from cornerstone-wado-image-loader's files, found from the bundle too.
    expect(doc.files[1]).toMatchObject({ ok: true, decode: { status: 'decoded', frames: 1, pixelMd5: (await pixelMd5(jpeg12)).md5 } });
  });
});
