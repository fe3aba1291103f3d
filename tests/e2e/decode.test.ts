// The viewer decodes every category of radiograph a clinic hands over (issue 7): lossless syntaxes
// give exactly MANIFEST.md's stored-pixel checksums (read back from cornerstone in the page), LUTs,
// signed, colour, palette and multi-frame images look like dcmtk's rendering, and what cannot be
// decoded (unsupported encodings, damaged streams) says so clearly while the app stays usable.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportReport } from '../../shared/ipc/contract';
import { decodePixels } from '../../electron/backend/dicom/decode-pixels';
import { DATA, dataFile, startApp, tmpDir, waitForRender, type AppHarness } from './helpers';

/** MANIFEST.md's Pixel md5 per file, keyed "folder/file" like dataFile() paths. */
function manifestMd5(): Map<string, string> {
  const out = new Map<string, string>();
  let folder = '';
  for (const line of readFileSync(path.join(DATA, 'MANIFEST.md'), 'utf8').split('\n')) {
    const heading = /^### (\S+?)\/\s/.exec(line);
    if (heading) folder = heading[1]!;
    const row = /^\| `([^`]+)` \|/.exec(line);
    if (!row || !folder) continue;
    const cells = line.split('|').map((c) => c.trim());
    const md5 = cells[cells.length - 3]!;
    if (/^[0-9a-f]{32}$/.test(md5)) out.set(`${folder}/${row[1]}`, md5);
  }
  return out;
}

const ctx = { emit() {} };

async function importDirect(app: AppHarness, rels: string[]): Promise<{ report: ImportReport; ids: Map<string, number> }> {
  const report = await app.backend.handlers['import:paths']({ paths: rels.map((r) => dataFile(r)) }, ctx);
  const ids = new Map<string, number>();
  for (const f of report.imported) ids.set(path.relative(path.join(DATA, 'dicom'), f.path), f.imageId);
  return { report, ids };
}

async function open(page: Page, imageId: number): Promise<void> {
  await page.evaluate((id) => (location.hash = `#/image/${id}`), imageId);
  await waitForRender(page, imageId, 1, 60_000);
}

type Controller = {
  image: { getPixelData(): ArrayLike<number>; color: boolean; rows: number; columns: number };
  snapshot(): { windowCenter: number; windowWidth: number; invert: boolean; voiLut: boolean; frame: number };
  view(): { canvasWidth: number; canvasHeight: number; columns: number; rows: number };
};
const controller = (page: Page) => page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: Controller }).osteoplanViewer.snapshot());

/** md5 of cornerstone's decoded stored values as little-endian bytes (what gdcmraw writes). */
async function pageStoredMd5(page: Page): Promise<string> {
  const b64 = await page.evaluate(() => {
    const data = (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: Controller }).osteoplanViewer.image.getPixelData() as unknown as ArrayBufferView;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return createHash('md5').update(Buffer.from(b64, 'base64')).digest('hex');
}

/** Shows the image at scale 1 with its top-left pixel at canvas (0, 0), keeping window and LUTs. */
async function actualSizeAtOrigin(page: Page, imageId: number): Promise<{ width: number; height: number }> {
  const before = Number(await page.getByTestId('viewport').getAttribute('data-render-count'));
  const size = await page.evaluate(() => {
    const c = (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: Controller & { setViewport(p: object): void } }).osteoplanViewer;
    const v = c.view();
    c.setViewport({ scale: 1, translation: { x: v.columns / 2 - v.canvasWidth / 2, y: v.rows / 2 - v.canvasHeight / 2 }, rotation: 0, hflip: false, vflip: false });
    return { width: Math.min(v.columns, v.canvasWidth), height: Math.min(v.rows, v.canvasHeight) };
  });
  await waitForRender(page, imageId, before + 1);
  return size;
}

interface Rgb {
  width: number;
  height: number;
  /** r, g, b per pixel */
  data: Uint8Array;
}

async function readCanvasRgb(page: Page, width: number, height: number): Promise<Rgb> {
  const values = await page.evaluate(
    ([w, h]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
      const rgba = canvas.getContext('2d')!.getImageData(0, 0, w, h).data;
      const out: number[] = new Array(w * h * 3);
      for (let i = 0; i < w * h; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = rgba[i * 4 + k]!;
      return out;
    },
    [width, height] as const,
  );
  return { width, height, data: Uint8Array.from(values) };
}

/** dcmtk's rendering (dcm2pnm, 8-bit PNG) as r, g, b per pixel; grey files give r = g = b. */
function dcm2pnm(file: string, args: string[]): Rgb {
  const dir = tmpDir('dcm2pnm');
  const out = path.join(dir, 'ref.png');
  // dcm2pnm reads native pixels only: gdcm unpacks compressed files (JPEG, RLE, JPEG 2000) first.
  const native = path.join(dir, 'native.dcm');
  const unpack = spawnSync('gdcmconv', ['--raw', file, native], { encoding: 'utf8' });
  if (unpack.status !== 0) throw new Error(`gdcmconv --raw ${file} failed: ${unpack.stderr}`);
  const run = spawnSync('dcm2pnm', ['--write-png', ...args, native, out], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dcm2pnm ${args.join(' ')} failed: ${run.stderr}`);
  const png = PNG.sync.read(readFileSync(out));
  const data = new Uint8Array(png.width * png.height * 3);
  for (let i = 0; i < png.width * png.height; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = png.data[i * 4 + k]!;
  return { width: png.width, height: png.height, data };
}

/** Fraction of canvas values within `tolerance` of dcmtk's, and the canvas spread (not blank). */
function compare(canvas: Rgb, ref: Rgb, tolerance: number) {
  let within = 0;
  let sum = 0;
  let sumSq = 0;
  const n = canvas.width * canvas.height * 3;
  for (let j = 0; j < canvas.height; j++) {
    for (let i = 0; i < canvas.width; i++) {
      for (let k = 0; k < 3; k++) {
        const a = canvas.data[(j * canvas.width + i) * 3 + k]!;
        const b = ref.data[(j * ref.width + i) * 3 + k]!;
        if (Math.abs(a - b) <= tolerance) within++;
        sum += a;
        sumSq += a * a;
      }
    }
  }
  const mean = sum / n;
  return { fractionWithin: within / n, stdDev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

async function expectLikeDcmtk(page: Page, imageId: number, file: string, args: string[], tolerance = 2, minFraction = 0.99) {
  const size = await actualSizeAtOrigin(page, imageId);
  const canvas = await readCanvasRgb(page, size.width, size.height);
  const ref = dcm2pnm(file, args);
  const cmp = compare(canvas, ref, tolerance);
  if (process.env.B2_DEBUG) {
    const diffs = new Map<number, number>();
    for (let i = 0; i < canvas.data.length; i += 3) {
      const d = canvas.data[i]! - ref.data[Math.floor(i / 3 / canvas.width) * ref.width * 3 + ((i / 3) % canvas.width) * 3]!;
      diffs.set(d, (diffs.get(d) ?? 0) + 1);
    }
    console.log(path.basename(file), [...diffs].sort((a, b) => b[1] - a[1]).slice(0, 8));
  }
  expect(cmp.stdDev, `${path.basename(file)} is not blank`).toBeGreaterThan(5);
  expect(cmp.fractionWithin, `${path.basename(file)} matches dcm2pnm ${args.join(' ')}`).toBeGreaterThanOrEqual(minFraction);
}

describe('browser e2e: decoding every kind of radiograph', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  // One library per batch: the RG2 variants share one SOP Instance UID, so each needs its own.
  const md5 = manifestMd5();
  it.each([
    [['nema-wg04/RG2_JPLL.dcm', 'nema-wg04/NM1_JPLL.dcm', 'nema-wg04/MR2_J2KR.dcm', 'dicomparser/encapsulated/single-frame/CT1_UNC.fragmented_bot_jpeg_ls.80.dcm', 'cornerstone-wado-image-loader/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm']],
    [['nema-wg04/RG2_JLSL.dcm', 'pylibjpeg-data/JPEGLossless_1s_1f_u_16_12.dcm']],
    [['derived-local/RG2_from_JPLL_J2KR.dcm', 'cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm']],
    [['derived-local/RG2_from_JPLL_RLE.dcm']],
    [['derived-local/RG2_from_JPLL_EVRBE.dcm']],
    [['derived-local/RG2_from_JPLL_deflated.dcm']],
  ])('lossless decodes equal MANIFEST.md pixel checksums: %j', async (rels) => {
    app = await startApp();
    const { page } = app;
    const { report, ids } = await importDirect(app, rels);
    expect(report.skipped).toEqual([]);
    expect(report.imported.length).toBe(rels.length);
    await page.goto(app.bridge.url);
    for (const rel of rels) {
      const expected = md5.get(rel);
      expect(expected, `MANIFEST.md has a Pixel md5 for ${rel}`).toMatch(/^[0-9a-f]{32}$/);
      await open(page, ids.get(rel)!);
      expect(await pageStoredMd5(page), rel).toBe(expected);
    }
    expect(app.problems).toEqual([]);
  });

  it('decodes 12-bit JPEG extended (lossy) within one step of dcmtk, the broken-SOS files included', async () => {
    app = await startApp();
    const { page } = app;
    const rels = ['nema-wg04/RG2_JPLY_fixed.dcm', 'nema-wg04/NM1_JPLY.dcm'];
    const { report, ids } = await importDirect(app, rels);
    expect(report.skipped).toEqual([]);
    await page.goto(app.bridge.url);
    const work = tmpDir('jpeg12');
    for (const rel of rels) {
      await open(page, ids.get(rel)!);
      const ours = await page.evaluate(() => Array.from((document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: Controller }).osteoplanViewer.image.getPixelData()));
      const native = path.join(work, `${path.basename(rel)}.native.dcm`);
      const run = spawnSync('dcmdjpeg', [dataFile(rel), native], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const theirs = await decodePixels(native);
      const reference = new Uint16Array(theirs.bytes.buffer.slice(theirs.bytes.byteOffset, theirs.bytes.byteOffset + theirs.bytes.byteLength));
      expect(ours.length, rel).toBe(reference.length);
      let max = 0;
      let sum = 0;
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs(ours[i]! - reference[i]!);
        max = Math.max(max, d);
        sum += d;
      }
      // The inverse DCTs round differently (pdf.js vs libjpeg): one step at most. Without the
      // level-shift fix (shared/dicom/jpeg12-level-shift.ts) every sample was 15 too high.
      expect(max, rel).toBeLessThanOrEqual(1);
      expect(sum / ours.length, rel).toBeLessThan(0.1);
    }
    expect(app.problems).toEqual([]);
  });

  it('applies Modality LUT Sequences, VOI LUT Sequences and signed pixels like dcmtk', async () => {
    app = await startApp();
    const { page } = app;
    const rels = ['fo-dicom/CR-ModalitySequenceLUT.dcm', 'pydicom-data/mlut_18.dcm', 'pydicom-data/vlut_04.dcm', 'dcm4che/test16signed.dcm', 'nema-wg04/NM1_JPLL.dcm'];
    const { ids } = await importDirect(app, rels);
    await page.goto(app.bridge.url);

    // Modality LUT, both without a window: the LUT output's range is windowed, as dcmtk's min-max window.
    await open(page, ids.get('fo-dicom/CR-ModalitySequenceLUT.dcm')!);
    expect((await controller(page)).invert).toBe(true); // MONOCHROME1
    await expectLikeDcmtk(page, ids.get('fo-dicom/CR-ModalitySequenceLUT.dcm')!, dataFile('fo-dicom/CR-ModalitySequenceLUT.dcm'), ['--min-max-window']);
    await open(page, ids.get('pydicom-data/mlut_18.dcm')!);
    await expectLikeDcmtk(page, ids.get('pydicom-data/mlut_18.dcm')!, dataFile('pydicom-data/mlut_18.dcm'), ['--min-max-window']);

    // VOI LUT Sequence: used by default, then an explicit window replaces it.
    const vlut = ids.get('pydicom-data/vlut_04.dcm')!;
    await open(page, vlut);
    expect((await controller(page)).voiLut).toBe(true);
    await expect.poll(() => page.getByTestId('viewport-status').innerText()).toContain('VOI LUT');
    await expectLikeDcmtk(page, vlut, dataFile('pydicom-data/vlut_04.dcm'), ['--use-voi-lut', '1']);
    await page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { setVoi(c: number, w: number): void } }).osteoplanViewer.setVoi(100, 50));
    expect(await controller(page)).toMatchObject({ voiLut: false, windowCenter: 100, windowWidth: 50 });
    await page.keyboard.press('r');
    await expect.poll(async () => (await controller(page)).voiLut).toBe(true);

    // Signed: the header window (0/65536) and, without one, the full range of a signed JPEG lossless film.
    await open(page, ids.get('dcm4che/test16signed.dcm')!);
    await expectLikeDcmtk(page, ids.get('dcm4che/test16signed.dcm')!, dataFile('dcm4che/test16signed.dcm'), ['--use-window', '1']);
    await open(page, ids.get('nema-wg04/NM1_JPLL.dcm')!);
    await expectLikeDcmtk(page, ids.get('nema-wg04/NM1_JPLL.dcm')!, dataFile('nema-wg04/NM1_JPLL.dcm'), ['--min-max-window']);
    expect(app.problems).toEqual([]);
  });

  it('shows RGB, YBR and palette colour like dcmtk', async () => {
    app = await startApp();
    const { page } = app;
    const rels = [
      'pydicom/SC_rgb_rle.dcm',
      'pydicom/SC_rgb_jpeg_dcmtk.dcm',
      'cornerstone-wado-image-loader/US-YBR_FULL_422-EVRLE.dcm',
      'dcm4che/YBR_FULL-RLE.dcm',
      'dwv/nema-vl2_j2kr.dcm',
      'pydicom/examples_palette.dcm',
    ];
    const { ids } = await importDirect(app, rels);
    await page.goto(app.bridge.url);
    for (const rel of rels) {
      await open(page, ids.get(rel)!);
      // Colour conversion (YBR → RGB, JPEG chroma) rounds differently in the two decoders.
      await expectLikeDcmtk(page, ids.get(rel)!, dataFile(rel), [], rel.includes('jpeg') ? 6 : 3, 0.97);
    }
    expect(app.problems).toEqual([]);
  });

  it('steps through the frames of multi-frame images with the selector and the keyboard', async () => {
    app = await startApp();
    const { page } = app;
    const rels = ['dwv/multiframe-test1.dcm', 'dcm4che/jpeg-ls-Palette.dcm'];
    const { ids } = await importDirect(app, rels);
    await page.goto(app.bridge.url);
    const id = ids.get('dwv/multiframe-test1.dcm')!;
    await open(page, id);
    await expect.poll(() => page.getByTestId('frame-position').innerText()).toBe('1 / 16');
    const frameRendered = (n: number) => page.waitForFunction((f) => document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.frameRendered === String(f), n);
    const hashes = new Set<string>();
    const file = dataFile('dwv/multiframe-test1.dcm');
    for (const [key, frame] of [[']', 1], ['PageDown', 2], ['End', 15], ['[', 14], ['Home', 0]] as const) {
      await page.keyboard.press(key);
      await frameRendered(frame);
      expect((await controller(page)).frame).toBe(frame);
      expect(await page.getByTestId('frame-position').innerText()).toBe(`${frame + 1} / 16`);
      hashes.add(await pageStoredMd5(page));
      const { windowCenter, windowWidth } = await controller(page); // frame 1's window, kept across frames
      await expectLikeDcmtk(page, id, file, ['--frame', String(frame + 1), '--set-window', String(windowCenter), String(windowWidth)]);
    }
    expect(hashes.size).toBe(5); // five different frames, not the first one five times
    // The slider and the next button reach the same frames; zoom and window survive a frame change.
    await page.getByTestId('frame-slider').fill('8');
    await frameRendered(7);
    await page.getByRole('button', { name: 'Next frame' }).click();
    await frameRendered(8);

    const palette = ids.get('dcm4che/jpeg-ls-Palette.dcm')!;
    await open(page, palette);
    await expect.poll(() => page.getByTestId('frame-position').innerText()).toBe('1 / 10');
    await page.keyboard.press('End');
    await frameRendered(9);
    await expectLikeDcmtk(page, palette, dataFile('dcm4che/jpeg-ls-Palette.dcm'), ['--frame', '10'], 3, 0.97);
    expect(app.problems).toEqual([]);
  });

  it('names unsupported transfer syntaxes at import and in the viewer instead of hanging', async () => {
    app = await startApp();
    const { page } = app;
    const unsupported = [
      ['dcm4che/will-jxl.dcm', 'JPEG XL JPEG Recompression (1.2.840.10008.1.2.4.111)'],
      ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm', 'JPEG Spectral Selection (retired) (1.2.840.10008.1.2.4.53)'],
      ['cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess10_12TransferSyntax_1.2.840.10008.1.2.4.55.dcm', 'JPEG Full Progression (retired) (1.2.840.10008.1.2.4.55)'],
    ] as const;
    const { report } = await importDirect(app, unsupported.map(([rel]) => rel));
    expect(report.imported).toEqual([]);
    for (const [rel, name] of unsupported) {
      const skipped = report.skipped.find((s) => s.path.endsWith(rel));
      expect(skipped?.code).toBe('UNSUPPORTED_TRANSFER_SYNTAX');
      expect(skipped?.reason).toContain(name);
    }

    // A library entry in an encoding the viewer cannot decode (another tool wrote it, or an older
    // version imported it): the record's syntax is refused before any fetch...
    const { ids } = await importDirect(app, ['cornerstone-wado-image-loader/CTImage.dcm', 'dwv/multiframe-test1.dcm']);
    const ct = ids.get('cornerstone-wado-image-loader/CTImage.dcm')!;
    const stored = app.backend.resolveImagePath(ct);
    const db = new Database(path.join(app.dataDir, 'library.sqlite'));
    db.prepare('UPDATE images SET transfer_syntax_uid = ? WHERE id = ?').run('1.2.840.10008.1.2.4.203', ct);
    db.close();
    await page.goto(app.bridge.url);
    await page.evaluate((id) => (location.hash = `#/image/${id}`), ct);
    await expect.poll(() => page.locator('.viewport-area [role="alert"]').innerText(), { timeout: 20_000 }).toContain('Unsupported transfer syntax: HTJ2K (1.2.840.10008.1.2.4.203)');

    // ...and a file whose bytes turn out to be in such a syntax is named by the loader's refusal.
    const db2 = new Database(path.join(app.dataDir, 'library.sqlite'));
    db2.prepare('UPDATE images SET transfer_syntax_uid = ? WHERE id = ?').run('1.2.840.10008.1.2', ct);
    db2.close();
    rmSync(stored, { force: true });
    copyFileSync(dataFile('cornerstone-wado-image-loader/CTImage.dcm_JPEGProcess6_8TransferSyntax_1.2.840.10008.1.2.4.53.dcm'), stored);
    await page.reload();
    await expect.poll(() => page.locator('.viewport-area [role="alert"]').innerText(), { timeout: 30_000 }).toContain(
      'Unsupported transfer syntax: JPEG Spectral Selection (retired) (1.2.840.10008.1.2.4.53)',
    );
    // The app stays usable: back to the library, another image opens.
    await page.getByRole('button', { name: 'Back to the library' }).or(page.getByRole('button', { name: '← Library' })).first().click();
    await expect.poll(() => page.locator('.patient-list button').count()).toBeGreaterThan(0);
    await open(page, ids.get('dwv/multiframe-test1.dcm')!);
    expect(app.problems).toEqual([]);
  });

  it('reports a damaged image stream clearly and keeps the app usable', async () => {
    app = await startApp();
    const { page } = app;
    const damaged = 'pylibjpeg-data/966_DX_chest_J2KR_badCOM.dcm';
    const { ids, report } = await importDirect(app, [damaged, 'pydicom/JPEG2000-embedded-sequence-delimiter.dcm', 'derived-local/RG3_from_J2KR_EVRLE.dcm']);
    expect(report.imported.length).toBe(3);
    await page.goto(app.bridge.url);
    for (const rel of [damaged, 'pydicom/JPEG2000-embedded-sequence-delimiter.dcm']) {
      await page.evaluate((id) => (location.hash = `#/image/${id}`), ids.get(rel)!);
      await expect.poll(() => page.locator('.viewport-area [role="alert"]').innerText(), { timeout: 30_000 }).toContain('could not be decoded (the file may be damaged)');
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(3);
    await open(page, ids.get('derived-local/RG3_from_J2KR_EVRLE.dcm')!);
    expect(app.problems).toEqual([]);
  });
});
