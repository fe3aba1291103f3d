// Browser end-to-end through the real UI, the bridge and the real backend, each test on a fresh
// data folder: import through the file chooser, render like dcmtk, zoom/pan/window-level change the
// view, the library survives a reload, a 3000×9000 16-bit film displays, no CSP violation.
import { mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canvasHash,
  dataFile,
  dcm2pnmGrey,
  importThroughFileChooser,
  readCanvasGrey,
  renderCount,
  startApp,
  TMP,
  tmpDir,
  waitForImportDone,
  waitForRender,
  type AppHarness,
  publishScreenshot,
  type GreyImage,
} from './helpers';
import { LARGE_COLUMNS, LARGE_ROWS, largeFilmValue, writeLargeFilm } from './large-film';

const SHOTS = path.join(TMP, 'e2e');
mkdirSync(SHOTS, { recursive: true });

interface Snapshot {
  scale: number;
  translation: { x: number; y: number };
  windowCenter: number;
  windowWidth: number;
  invert: boolean;
  zoom: number;
}

const snapshot = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { snapshot(): Snapshot } }).osteoplanViewer.snapshot());

/** Calls a controller method in the page and waits until cornerstone has rendered the result. */
async function viewerCall(page: Page, imageId: number, method: string, ...args: unknown[]): Promise<unknown> {
  const before = await renderCount(page);
  const result = await page.evaluate(
    ([m, a]) => {
      const c = (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: Record<string, (...x: unknown[]) => unknown> }).osteoplanViewer;
      return c[m as string]!(...(a as unknown[]));
    },
    [method, args] as const,
  );
  await waitForRender(page, imageId, before + 1);
  return result;
}

const imageIdFromHash = async (page: Page) => Number((await page.evaluate(() => location.hash)).split('/').pop());

/** Opens the first series card and waits for the first render; returns the image id. */
async function openFirstSeries(page: Page, patientText?: string): Promise<number> {
  if (patientText) await page.locator('.patient-list button', { hasText: patientText }).click();
  await page.locator('.series-card').first().click();
  await page.waitForFunction(() => /^#\/image\/\d+$/.test(location.hash));
  const id = await imageIdFromHash(page);
  await waitForRender(page, id);
  return id;
}

/**
 * Puts the image at scale 1 with image pixel (x0, y0) at canvas (0, 0) and the given window, so
 * canvas pixel (i, j) shows image pixel (x0 + i, y0 + j) without interpolation.
 */
async function alignActualSize(page: Page, imageId: number, x0: number, y0: number, voi: { windowCenter: number; windowWidth: number }, invert: boolean) {
  const view = (await page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): { canvasWidth: number; canvasHeight: number; columns: number; rows: number } } }).osteoplanViewer.view()));
  // canvas = c/2 + t + p - size/2 at scale 1 (cornerstone calculateTransform), solved for canvas(x0) = 0.
  const translation = { x: view.columns / 2 - view.canvasWidth / 2 - x0, y: view.rows / 2 - view.canvasHeight / 2 - y0 };
  await viewerCall(page, imageId, 'setViewport', { scale: 1, translation, voi, invert, rotation: 0, hflip: false, vflip: false });
  return view;
}

function compareGrey(actual: GreyImage, expected: (i: number, j: number) => number, tolerance = 2) {
  let within = 0;
  let maxDiff = 0;
  let sum = 0;
  let sumSq = 0;
  for (let j = 0; j < actual.height; j++) {
    for (let i = 0; i < actual.width; i++) {
      const a = actual.data[j * actual.width + i]!;
      const d = Math.abs(a - expected(i, j));
      if (d <= tolerance) within++;
      maxDiff = Math.max(maxDiff, d);
      sum += a;
      sumSq += a * a;
    }
  }
  const n = actual.width * actual.height;
  const mean = sum / n;
  return { fractionWithin: within / n, maxDiff, stdDev: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

describe('browser e2e: library and viewer over the bridge', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('imports RG2 through the file chooser, renders it like dcmtk, reacts to zoom/pan/window, survives a reload', async () => {
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    await expect.poll(() => page.getByTestId('welcome').isVisible()).toBe(true);
    // The launch token leaves the address bar once the cookie is set.
    expect(page.url()).not.toContain('token=');

    const rg2 = dataFile('derived-local/RG2_from_JPLL_EVRLE.dcm');
    await importThroughFileChooser(page, [rg2]);
    expect(await waitForImportDone(page)).toEqual({ imported: 1, duplicates: 0, skipped: 0 });
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(1);
    await expect.poll(() => page.locator('.patient-list').innerText()).toContain('10RG2');

    const imageId = await openFirstSeries(page);
    expect(await page.getByTestId('info-matrix').innerText()).toBe('1760 × 2140');
    expect(await page.getByTestId('info-patient-id').innerText()).toBe('10RG2');
    expect(await page.getByTestId('info-study-date').innerText()).toBe('2004-08-26');
    // CR with PixelSpacing and no calibration type: detector plane (clinical-spec §4 rule 4).
    expect(await page.getByTestId('info-calibration').getAttribute('data-calibration')).toBe('detector');
    const initial = await snapshot(page);
    expect(initial.windowCenter).toBe(511);
    expect(initial.windowWidth).toBe(1024);
    expect(initial.invert).toBe(false);

    // projection.ts agrees with cornerstone's own pixelToCanvas for plain, rotated and flipped views.
    for (const vp of [{}, { rotation: 90 }, { rotation: 30, hflip: true }, { rotation: 0, vflip: true, scale: 2.5, translation: { x: 40, y: -70 } }]) {
      await viewerCall(page, imageId, 'setViewport', vp);
      const pairs = await page.evaluate(() => {
        const c = (document.querySelector('[data-testid="viewport"]') as unknown as {
          osteoplanViewer: { pixelToCanvas(p: object): { x: number; y: number }; cornerstonePixelToCanvas(p: object): { x: number; y: number }; canvasToPixel(p: object): { x: number; y: number } };
        }).osteoplanViewer;
        return [{ x: 0, y: 0 }, { x: 1760, y: 2140 }, { x: 300.25, y: 1777.5 }].map((p) => ({ p, ours: c.pixelToCanvas(p), cs: c.cornerstonePixelToCanvas(p), back: c.canvasToPixel(c.pixelToCanvas(p)) }));
      });
      for (const { p, ours, cs, back } of pairs) {
        expect(Math.abs(ours.x - cs.x)).toBeLessThan(1e-6);
        expect(Math.abs(ours.y - cs.y)).toBeLessThan(1e-6);
        expect(Math.abs(back.x - p.x)).toBeLessThan(1e-6);
        expect(Math.abs(back.y - p.y)).toBeLessThan(1e-6);
      }
    }

    // Pixels: scale 1, window 511/1024, against dcmtk's rendering of the same window.
    const x0 = 500;
    const y0 = 700;
    const view = await alignActualSize(page, imageId, x0, y0, { windowCenter: 511, windowWidth: 1024 }, false);
    const size = { width: Math.min(600, view.canvasWidth), height: Math.min(600, view.canvasHeight) };
    const canvas = await readCanvasGrey(page, { x: 0, y: 0, ...size });
    const ref = dcm2pnmGrey(rg2, { center: 511, width: 1024 }, tmpDir('dcm2pnm'));
    expect([ref.width, ref.height]).toEqual([1760, 2140]);
    const cmp = compareGrey(canvas, (i, j) => ref.data[(y0 + j) * ref.width + (x0 + i)]!);
    expect(cmp.stdDev).toBeGreaterThan(10); // a region with anatomy, not a flat background
    expect(cmp.fractionWithin).toBeGreaterThanOrEqual(0.99);

    // Zoom with the wheel: scale grows and the image point under the cursor stays under it.
    await viewerCall(page, imageId, 'fit');
    const box = (await page.getByTestId('viewport').boundingBox())!;
    const cursor = { x: box.x + box.width * 0.4, y: box.y + box.height * 0.55 };
    const canvasAt = { x: cursor.x - box.x, y: cursor.y - box.y };
    const under = async () =>
      page.evaluate((p) => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { canvasToPixel(p: object): { x: number; y: number } } }).osteoplanViewer.canvasToPixel(p), canvasAt);
    const beforeZoom = { snap: await snapshot(page), hash: await canvasHash(page), pixel: await under() };
    await page.mouse.move(cursor.x, cursor.y);
    let count = await renderCount(page);
    await page.mouse.wheel(0, -400);
    await waitForRender(page, imageId, count + 1);
    await page.waitForTimeout(200);
    const afterZoom = { snap: await snapshot(page), hash: await canvasHash(page), pixel: await under() };
    expect(afterZoom.snap.scale).toBeGreaterThan(beforeZoom.snap.scale * 1.3);
    expect(Math.abs(afterZoom.pixel.x - beforeZoom.pixel.x)).toBeLessThan(1);
    expect(Math.abs(afterZoom.pixel.y - beforeZoom.pixel.y)).toBeLessThan(1);
    expect(afterZoom.hash).not.toBe(beforeZoom.hash);

    // Pan with the middle button: the image follows the pointer exactly.
    const probe = { x: 880, y: 1070 };
    const canvasOf = () =>
      page.evaluate((p) => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { pixelToCanvas(p: object): { x: number; y: number } } }).osteoplanViewer.pixelToCanvas(p), probe);
    const beforePan = await canvasOf();
    count = await renderCount(page);
    await page.mouse.move(cursor.x, cursor.y);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(cursor.x + 60, cursor.y + 40, { steps: 4 });
    await page.mouse.move(cursor.x + 120, cursor.y + 80, { steps: 4 });
    await page.mouse.up({ button: 'middle' });
    await waitForRender(page, imageId, count + 1);
    await page.waitForTimeout(200);
    const afterPan = await canvasOf();
    expect(afterPan.x - beforePan.x).toBeCloseTo(120, 3);
    expect(afterPan.y - beforePan.y).toBeCloseTo(80, 3);
    const panSnap = await snapshot(page);
    expect(panSnap.translation).not.toEqual(afterZoom.snap.translation);
    const afterPanHash = await canvasHash(page);
    expect(afterPanHash).not.toBe(afterZoom.hash);

    // Window/level with the right button: right widens the window, up lowers the level.
    count = await renderCount(page);
    await page.mouse.move(cursor.x, cursor.y);
    await page.mouse.down({ button: 'right' });
    await page.mouse.move(cursor.x + 100, cursor.y - 60, { steps: 5 });
    await page.mouse.up({ button: 'right' });
    await waitForRender(page, imageId, count + 1);
    await page.waitForTimeout(200);
    const wl = await snapshot(page);
    expect(wl.windowWidth).toBeGreaterThan(1024 + 50);
    expect(wl.windowCenter).toBeLessThan(511 - 25);
    expect(wl.scale).toBe(panSnap.scale);
    expect(await canvasHash(page)).not.toBe(afterPanHash);

    // Invert and reset from the keyboard.
    await page.keyboard.press('i');
    await expect.poll(async () => (await snapshot(page)).invert).toBe(true);
    await page.keyboard.press('r');
    await expect.poll(async () => snapshot(page)).toMatchObject({ windowCenter: 511, windowWidth: 1024, invert: false, translation: { x: 0, y: 0 } });

    // Reload: the cookie keeps the session, the viewer route reopens, the library still has the study.
    await page.reload();
    await waitForRender(page, imageId);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.patient-list').innerText()).toContain('10RG2');
    await page.goto(`${app.bridge.origin}/#/`);
    await page.reload();
    await expect.poll(() => page.locator('.study').count()).toBe(1);
    expect(await page.locator('.study-date').first().innerText()).toBe('2004-08-26');

    expect(app.problems).toEqual([]);
  });

  it('shows MONOCHROME1 with bone bright, like dcmtk', async () => {
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    const rg3 = dataFile('derived-local/RG3_from_J2KR_EVRLE.dcm');
    await importThroughFileChooser(page, [rg3]);
    expect((await waitForImportDone(page)).imported).toBe(1);
    const imageId = await openFirstSeries(page);
    expect(await page.getByTestId('info-calibration').getAttribute('data-calibration')).toBe('uncalibrated');
    const initial = await snapshot(page);
    expect(initial.invert).toBe(true); // cornerstone's MONOCHROME1 handling is an inverted LUT
    const x0 = 600;
    const y0 = 500;
    const view = await alignActualSize(page, imageId, x0, y0, { windowCenter: 550, windowWidth: 1024 }, true);
    const size = { width: Math.min(500, view.canvasWidth), height: Math.min(500, view.canvasHeight) };
    const canvas = await readCanvasGrey(page, { x: 0, y: 0, ...size });
    const ref = dcm2pnmGrey(rg3, { center: 550, width: 1024 }, tmpDir('dcm2pnm'));
    const cmp = compareGrey(canvas, (i, j) => ref.data[(y0 + j) * ref.width + (x0 + i)]!);
    expect(cmp.stdDev).toBeGreaterThan(10);
    expect(cmp.fractionWithin).toBeGreaterThanOrEqual(0.99);
    expect(app.problems).toEqual([]);
  });

  // Compressed syntaxes decode in the codec web workers under the app's CSP (no 'unsafe-eval'):
  // every lossless variant of RG2 must show the pixels dcmtk renders from the uncompressed file.
  it.each([
    ['JPEG 2000 lossless', 'derived-local/RG2_from_JPLL_J2KR.dcm'],
    ['JPEG-LS lossless', 'nema-wg04/RG2_JLSL.dcm'],
    ['JPEG lossless SV1', 'nema-wg04/RG2_JPLL.dcm'],
    ['RLE lossless', 'derived-local/RG2_from_JPLL_RLE.dcm'],
  ])('decodes RG2 as %s to the same pixels as dcmtk', async (_name, rel) => {
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, [dataFile(rel)]);
    expect((await waitForImportDone(page)).imported).toBe(1);
    const imageId = await openFirstSeries(page);
    const x0 = 300;
    const y0 = 900;
    const view = await alignActualSize(page, imageId, x0, y0, { windowCenter: 511, windowWidth: 1024 }, false);
    const canvas = await readCanvasGrey(page, { x: 0, y: 0, width: Math.min(400, view.canvasWidth), height: Math.min(400, view.canvasHeight) });
    const ref = dcm2pnmGrey(dataFile('derived-local/RG2_from_JPLL_EVRLE.dcm'), { center: 511, width: 1024 }, tmpDir('dcm2pnm'));
    const cmp = compareGrey(canvas, (i, j) => ref.data[(y0 + j) * ref.width + (x0 + i)]!);
    expect(cmp.stdDev).toBeGreaterThan(10);
    expect(cmp.fractionWithin).toBeGreaterThanOrEqual(0.99);
    expect(app.problems).toEqual([]);
  });

  it('decodes a lossy JPEG baseline film close to dcmtk', async () => {
    app = await startApp();
    const { page } = app;
    const file = dataFile('derived-local/RG2_from_JPLL_JPEGBaseline8.dcm');
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, [file]);
    expect((await waitForImportDone(page)).imported).toBe(1);
    const imageId = await openFirstSeries(page);
    const initial = await snapshot(page);
    const x0 = 300;
    const y0 = 900;
    const view = await alignActualSize(page, imageId, x0, y0, { windowCenter: initial.windowCenter, windowWidth: initial.windowWidth }, false);
    const canvas = await readCanvasGrey(page, { x: 0, y: 0, width: Math.min(400, view.canvasWidth), height: Math.min(400, view.canvasHeight) });
    // dcm2pnm reads only native pixels: let dcmtk's own JPEG decoder unpack the file first.
    const work = tmpDir('dcmdjpeg');
    const native = path.join(work, 'native.dcm');
    const run = spawnSync('dcmdjpeg', [file, native], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const ref = dcm2pnmGrey(native, { center: initial.windowCenter, width: initial.windowWidth }, work);
    // Two JPEG decoders may round the IDCT differently: allow a few grey levels.
    const cmp = compareGrey(canvas, (i, j) => ref.data[(y0 + j) * ref.width + (x0 + i)]!, 4);
    expect(cmp.stdDev).toBeGreaterThan(10);
    expect(cmp.fractionWithin).toBeGreaterThanOrEqual(0.98);
    expect(app.problems).toEqual([]);
  });

  it('displays a generated 3000×9000 16-bit film pixel-exactly', async () => {
    app = await startApp();
    const { page } = app;
    const dir = tmpDir('large');
    const file = path.join(dir, 'longleg-3000x9000.dcm');
    writeLargeFilm(file);
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, [file]);
    expect((await waitForImportDone(page)).imported).toBe(1);
    const imageId = await openFirstSeries(page);
    expect(await page.getByTestId('info-matrix').innerText()).toBe(`${LARGE_COLUMNS} × ${LARGE_ROWS}`);
    expect(await page.getByTestId('info-calibration').getAttribute('data-calibration')).toBe('magnification-corrected');
    const openMs = await page.getByTestId('viewport').getAttribute('data-open-ms');
    console.log(`3000×9000 16-bit: open → first image ${openMs} ms (thumbnail may have warmed the cache)`);

    // Fit shows the whole film: its height fills the viewport height.
    const fitView = await page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): { canvasHeight: number; scale: number } } }).osteoplanViewer.view());
    expect(fitView.scale * LARGE_ROWS).toBeLessThanOrEqual(fitView.canvasHeight + 1e-6);
    expect(fitView.scale * LARGE_ROWS).toBeGreaterThan(fitView.canvasHeight * 0.9);

    for (const [x0, y0] of [
      [0, 0],
      [2600, 8600],
      [1400, 4321],
    ] as const) {
      const view = await alignActualSize(page, imageId, x0, y0, { windowCenter: 32768, windowWidth: 65536 }, false);
      const size = { width: Math.min(400, view.canvasWidth), height: Math.min(400, view.canvasHeight) };
      const canvas = await readCanvasGrey(page, { x: 0, y: 0, ...size });
      // cornerstone's linear VOI: ((v − c) / w + 0.5) · 255
      const cmp = compareGrey(canvas, (i, j) => Math.max(0, Math.min(255, ((largeFilmValue(x0 + i, y0 + j) - 32768) / 65536 + 0.5) * 255)));
      expect(cmp.fractionWithin, `region at ${x0},${y0}`).toBeGreaterThanOrEqual(0.99);
    }
    expect(app.problems).toEqual([]);
  });

  it('refuses a file without Modality with a clear message instead of hanging', async () => {
    app = await startApp();
    const { page } = app;
    const dir = tmpDir('nomodality');
    const file = path.join(dir, 'no-modality.dcm');
    copyFileSync(dataFile('dwv/gdcm-CR-MONO1-10-chest.dcm'), file);
    const run = spawnSync('dcmodify', ['-nb', '-ea', '(0008,0060)', file], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, [file]);
    expect((await waitForImportDone(page)).imported).toBe(1);
    await page.locator('.series-card').first().click();
    await expect.poll(() => page.locator('.viewport-area [role="alert"]').innerText(), { timeout: 15_000 }).toContain('Modality (0008,0060)');
    expect(app.problems).toEqual([]);
  });

  it('shows upload progress and the import report (screenshots for review)', async () => {
    app = await startApp();
    const { page, context } = app;
    const dir = tmpDir('mixed');
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'not a DICOM file\n');
    const files = [
      dataFile('derived-local/RG2_from_JPLL_EVRLE.dcm'),
      dataFile('derived-local/RG2_from_JPLL_RLE.dcm'), // same SOP Instance UID: a duplicate
      dataFile('derived-local/RG3_from_J2KR_EVRLE.dcm'),
      notes,
    ];
    await page.goto(app.bridge.url);
    // Slow the upload so the progress state can be seen and photographed.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 6 * 1024 * 1024 });
    await importThroughFileChooser(page, files);
    await page.waitForFunction(() => {
      const bar = document.querySelector('[data-import-phase="uploading"] [role="progressbar"]');
      return !!bar && Number(bar.getAttribute('aria-valuenow')) >= 10;
    });
    await page.screenshot({ path: path.join(SHOTS, 'import-progress.png') });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const counts = await waitForImportDone(page);
    expect(counts).toEqual({ imported: 2, duplicates: 1, skipped: 1 });
    expect(await page.locator('.skipped').innerText()).toContain('notes.txt');
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(2);
    // Thumbnails render lazily; wait until the visible ones are drawn.
    await page.waitForFunction(() => document.querySelectorAll('.thumb canvas:not([hidden])').length >= 1, undefined, { timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, 'import-report.png') });
    publishScreenshot(path.join(SHOTS, 'import-report.png'));

    // Search by name or ID narrows the list.
    await page.getByLabel('Search patients by name or ID').fill('11RG3');
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(1);
    await page.getByLabel('Search patients by name or ID').fill('');
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(2);

    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.patient-list button', { hasText: '10RG2' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.thumb canvas:not([hidden])').length >= 1, undefined, { timeout: 60_000 });
    await page.screenshot({ path: path.join(SHOTS, 'library.png') });
    publishScreenshot(path.join(SHOTS, 'library.png'));
    const imageId = await openFirstSeries(page);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'viewer.png') });
    publishScreenshot(path.join(SHOTS, 'viewer.png'));
    await waitForRender(page, imageId);
    expect(app.problems).toEqual([]);
  });
});
