// Browser end-to-end of "Follow the patient" (issue 6; clinical-spec §6) on the generated phantom
// series: four films imported through the file chooser, roles and operation date set on the
// timeline; the timeline lists the studies in order with weeks after surgery, planned vs achieved
// shows the engine's deltas, the 2° loss is flagged on the 3-month film only, findings are saved,
// the trend chart has its points at the right weeks, a value on hover and a PNG export; the
// compare view shows a known length at equal screen pixels on both films and keeps zoom and pan in
// sync. Screenshots of the timeline, chart and compare view go to docs/screenshots.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../electron/backend/dispatch';
import { generateFollowUpSeries, truthCalibration, truthLandmarkSet, type FollowUpFilm } from '../../electron/backend/phantom/follow-up-series';
import type { Channel, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { computeLegAlignment } from '../../shared/measurements/leg-alignment';
import { plannedMeasurements, storeSeriesTruth, type CallChannel } from '../backend/follow-up-truth';
import { importThroughFileChooser, startApp, TMP, tmpDir, waitForImportDone, type AppHarness, publishScreenshot } from './helpers';
import { waitForComparePanes } from './measure-helpers';

const SHOTS = path.join(TMP, 'follow-up');
mkdirSync(SHOTS, { recursive: true });

type Pt = { x: number; y: number };

/** Calls the app's backend through dispatch (validation and envelope), for setting up and checking what the UI cannot show. */
function backendOf(app: AppHarness): CallChannel {
  return async <C extends Channel>(channel: C, request: RequestOf<C>) => {
    const result = (await dispatch(app.backend.handlers, channel, request, { emit() {} })) as { ok: boolean; value?: ResponseOf<C>; error?: { message: string } };
    if (!result.ok) throw new Error(`${channel} failed: ${result.error?.message}`);
    return result.value!;
  };
}

interface PaneState {
  scale: number;
  translation: Pt;
  canvas: { width: number; height: number };
  femurPx: number;
  knee: Pt;
}

/** Scale, translation and where the femur (head centre → knee centre) lands on each compare pane. */
async function paneStates(page: Page, films: { imageId: number; head: Pt; knee: Pt }[]): Promise<PaneState[]> {
  return page.evaluate((fs) => {
    type C = { view(): { scale: number; translation: Pt; canvasWidth: number; canvasHeight: number }; pixelToCanvas(p: Pt): Pt };
    return fs.map((f) => {
      const el = document.querySelector(`[data-compare-image-id="${f.imageId}"] [data-testid="viewport"]`) as unknown as { osteoplanViewer: C };
      const c = el.osteoplanViewer;
      const v = c.view();
      const h = c.pixelToCanvas(f.head);
      const k = c.pixelToCanvas(f.knee);
      return { scale: v.scale, translation: v.translation, canvas: { width: v.canvasWidth, height: v.canvasHeight }, femurPx: Math.hypot(h.x - k.x, h.y - k.y), knee: k };
    });
  }, films);
}


describe('browser e2e: following the patient', () => {
  let app: AppHarness | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('timeline, planned vs achieved, loss on the 3-month film, findings, trend chart and PNG, compare at one mm scale with synced zoom and pan', async () => {
    dir = tmpDir('follow-up-series');
    // Coarse 0.5 mm pixels keep the four films small (≈ 1.9 MB each); the geometry is the same at any scale.
    const films = generateFollowUpSeries(dir, { film: { scale: 0.5 } });
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, films.map((f) => f.dicomPath));
    expect(await waitForImportDone(page)).toEqual({ imported: 4, duplicates: 0, skipped: 0 });

    const call = backendOf(app);
    const patient = (await call('library:listPatients', {}))[0]!;
    const detail = await call('library:getPatient', { patientId: patient.id });
    const imageIdOf = (f: FollowUpFilm) => detail.studies.flatMap((s) => s.series.flatMap((se) => se.images)).find((i) => i.sopInstanceUid === f.truth.dicom.sopInstanceUid)!.id;
    const imageIds = films.map(imageIdOf);

    // SETUP through the API: the true landmark sets of the operated leg (placing landmarks through
    // the UI is covered by the measure e2e test) and the chosen plan from the truth (the plan e2e
    // test covers the planning screen).
    await storeSeriesTruth(call, films, imageIds);

    // Library → the patient's Timeline entry.
    await page.locator(`[data-patient-id="${patient.patientId}"]`).click();
    await page.getByTestId('open-timeline').click();
    await page.getByTestId('timeline').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe(`#/patient/${patient.id}/timeline`);

    // Roles and operation date through the timeline, as the truth says.
    for (const f of films) {
      const row = page.locator(`[data-study-date="${f.truth.dicom.studyDate.replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3')}"]`);
      await row.getByTestId('timeline-role').selectOption(f.truth.followUp.role);
      await row.getByTestId('timeline-operation-date').fill(f.truth.followUp.operationDate);
      await row.getByTestId('timeline-save-clinical').click();
      await expect.poll(() => row.getAttribute('data-days-after-surgery')).toBe(String(f.truth.followUp.daysAfterSurgery));
    }

    // The four studies in date order with weeks after surgery.
    const rows = page.locator('[data-timeline-study]');
    expect(await rows.evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.studyDate, Number((e as HTMLElement).dataset.daysAfterSurgery)]))).toEqual([
      ['2024-06-11', -7],
      ['2024-06-19', 1],
      ['2024-07-30', 42],
      ['2024-09-18', 92],
    ]);
    expect(await page.getByTestId('weeks-after-surgery').allInnerTexts()).toEqual([
      '7 day(s) before surgery',
      '0 wk 1 d after surgery',
      '6 wk after surgery',
      '13 wk 1 d after surgery',
    ]);
    await expect.poll(() => page.locator('[data-operation-date="2024-06-18"] [data-plan-id]').innerText()).toMatch(/Right leg · Medial opening-wedge HTO · plan “Fujisawa HTO” · target WBL 62.5 %/);

    // Planned vs achieved: the engine on the truth (plan prediction vs the post-op film).
    const cal = truthCalibration(films[0]!.truth);
    const planned = plannedMeasurements(films);
    const achieved = computeLegAlignment(truthLandmarkSet(films[1]!.truth, 'R'), truthCalibration(films[1]!.truth)).measurements;
    const deltas = await page.locator('[data-delta-measure]').evaluateAll((els) => Object.fromEntries(els.map((e) => [(e as HTMLElement).dataset.deltaMeasure, Number((e as HTMLElement).dataset.delta)])));
    expect(deltas.hkaDeg).toBeCloseTo(achieved.hka.value! - planned.hka.value!, 1);
    expect(deltas.wblPercent).toBeCloseTo(achieved.wbl.value! - planned.wbl.value!, 1);
    expect(deltas.mptaDeg).toBeCloseTo(achieved.mpta.value! - planned.mpta.value!, 1);
    const hkaRow = await page.locator('[data-delta-measure="hkaDeg"]').innerText();
    expect(hkaRow).toContain(`${(180 + planned.hka.value!).toFixed(1)}° (${planned.hka.value!.toFixed(1)}° valgus)`);
    expect(await page.locator('[data-delta-measure="wblPercent"]').innerText()).toContain(`${planned.wbl.value!.toFixed(1)} %`);

    // Loss of correction: flagged on the 3-month film only.
    expect(await page.getByTestId('loss-status').getAttribute('data-loss-status')).toBe('loss');
    const loss = await page.locator('.timeline-film').evaluateAll((els) => els.map((e) => [Number((e as HTMLElement).dataset.imageId), (e as HTMLElement).dataset.loss]));
    expect(loss).toEqual([
      [imageIds[0], 'none'],
      [imageIds[1], 'baseline'],
      [imageIds[2], 'stable'],
      [imageIds[3], 'flagged'],
    ]);
    expect(await page.getByTestId('loss-flag').count()).toBe(1);
    const wblLoss = computeLegAlignment(truthLandmarkSet(films[3]!.truth, 'R'), cal).measurements.wbl.value! - achieved.wbl.value!;
    expect(await page.getByTestId('loss-flag').innerText()).toBe(`Loss of correction: HKA −2.0°, WBL −${Math.abs(wblLoss).toFixed(1)} % (toward varus)`);

    // Findings on the 6-week film.
    const sixWeeks = page.locator(`.timeline-film[data-image-id="${imageIds[2]}"]`);
    await sixWeeks.getByTestId('edit-findings').click();
    await sixWeeks.getByTestId('findings-hinge').selectOption('I');
    await sixWeeks.getByTestId('findings-gap').fill('35');
    await sixWeeks.getByTestId('findings-hardware').selectOption('intact');
    await sixWeeks.getByTestId('findings-notes').fill('Lateral hinge crack, no displacement.');
    await sixWeeks.getByTestId('findings-save').click();
    await expect.poll(() => sixWeeks.getByTestId('findings-summary').innerText()).toBe(
      'hinge fracture Takeuchi I · gap 35 % filled · hardware intact · Lateral hinge crack, no displacement.',
    );
    const tl = await call('followUp:getTimeline', { patientId: patient.id });
    expect(tl.studies[2]!.films[0]!.findings[0]).toMatchObject({ side: 'R', hingeFracture: 'I', gapFillPercent: 35, hardware: 'intact', revision: 1 });

    // Trend chart: one point per film at its weeks after surgery.
    const hkaChart = page.locator('canvas[data-measure-canvas="hka"]');
    const series = await hkaChart.evaluate((c) => {
      const chart = (c as unknown as { osteoplanChart: { data: { datasets: { data: Pt[] }[] } } }).osteoplanChart;
      return chart.data.datasets[0]!.data;
    });
    expect(series.map((p) => p.x)).toEqual([-1, 1 / 7, 6, 92 / 7]);
    films.forEach((f, k) => expect(series[k]!.y).toBeCloseTo(f.truth.followUp.hkaDeg, 9));
    // Hover on the 3-month point shows its value.
    const at = await hkaChart.evaluate((c) => {
      const chart = (c as unknown as { osteoplanChart: { getDatasetMeta(i: number): { data: Pt[] } } }).osteoplanChart;
      const p = chart.getDatasetMeta(0).data[3]!;
      const r = c.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    });
    await page.mouse.move(at.x - 20, at.y);
    await page.mouse.move(at.x, at.y);
    await expect.poll(() => page.getByTestId('trend-tooltip').innerText()).toBe(`HKA ${films[3]!.truth.followUp.hkaDeg.toFixed(1)}° · 2024-09-18 · 13.1 wk · Follow-up`);
    await page.locator('.timeline-main').evaluate((e) => e.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, 'timeline.png') });
    await page.locator('.timeline-side').screenshot({ path: path.join(SHOTS, 'chart.png') });
    // PNG export: a real PNG with every chart in it.
    const download = page.waitForEvent('download');
    await page.getByTestId('export-png').click();
    const file = path.join(SHOTS, 'export.png');
    await (await download).saveAs(file);
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBeGreaterThan(200);
    expect(png.height).toBeGreaterThan(3 * 170);

    // Compare the pre-op and the 3-month films.
    await page.locator(`.timeline-film[data-image-id="${imageIds[0]}"]`).getByTestId('compare-pick').check();
    await page.locator(`.timeline-film[data-image-id="${imageIds[3]}"]`).getByTestId('compare-pick').check();
    await page.getByTestId('open-compare').click();
    await page.getByTestId('compare').waitFor();
    const compared = [films[0]!, films[3]!].map((f) => ({
      imageId: imageIdOf(f),
      head: f.truth.legs.R!.landmarksPx.femoralHeadCentre,
      knee: f.truth.legs.R!.landmarksPx.kneeCentre,
    }));
    await waitForComparePanes(page, [compared[0]!.imageId, compared[1]!.imageId]);
    // The panes follow each other through React state, a frame or two apart: poll until they agree
    // (under load the second pane can still be a step behind when the first has moved).
    const sameLength = () => vi.waitFor(() => agree(), { timeout: 15_000, interval: 100 });
    const agree = async () => {
      const [a, b] = await paneStates(page, compared);
      // The femur (same bone, same mm) spans equal screen pixels within 1 %, knee centres aligned.
      expect(Math.abs(a!.femurPx - b!.femurPx) / a!.femurPx).toBeLessThan(0.01);
      expect(Math.abs(a!.knee.x - a!.canvas.width / 2 - (b!.knee.x - b!.canvas.width / 2))).toBeLessThan(0.5);
      expect(Math.abs(a!.knee.y - b!.knee.y)).toBeLessThan(0.5);
      return [a!, b!];
    };
    const [before] = await sameLength();
    expect(await page.locator('[data-compare-image-id] [data-calibration]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.calibration))).toEqual([
      'magnification-corrected',
      'magnification-corrected',
    ]);
    await page.screenshot({ path: path.join(SHOTS, 'compare.png') });

    // Wheel-zoom on the first film: the second follows.
    const box = (await page.locator(`[data-compare-image-id="${compared[0]!.imageId}"] canvas`).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.6);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => (await paneStates(page, compared))[0]!.scale).toBeGreaterThan(before!.scale * 1.5);
    await expect.poll(async () => {
      const [a, b] = await paneStates(page, compared);
      return Math.abs(a!.scale - b!.scale) / a!.scale;
    }).toBeLessThan(1e-6);
    const [zoomedA] = await sameLength();
    // Drag-pan on the second film: the first moves identically.
    const box2 = (await page.locator(`[data-compare-image-id="${compared[1]!.imageId}"] canvas`).boundingBox())!;
    await page.mouse.move(box2.x + 100, box2.y + 200);
    await page.mouse.down();
    await page.mouse.move(box2.x + 160, box2.y + 120, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await paneStates(page, compared))[0]!.knee.y).not.toBeCloseTo(zoomedA!.knee.y, 0);
    const [pa, pb] = await sameLength();
    expect(pa!.knee.x - zoomedA!.knee.x).toBeCloseTo(60, 0);
    expect(pa!.knee.y - zoomedA!.knee.y).toBeCloseTo(-80, 0);
    expect(pb!.translation.x).toBeCloseTo(pa!.translation.x, 6);
    expect(pb!.translation.y).toBeCloseTo(pa!.translation.y, 6);

    // Overlay mode with the opacity slider.
    await page.getByTestId('mode-overlay').click();
    await page.getByTestId('overlay-opacity').fill('0.4');
    expect(await page.locator(`[data-compare-image-id="${compared[1]!.imageId}"] .compare-viewport`).evaluate((e) => getComputedStyle(e).opacity)).toBe('0.4');
    await page.getByTestId('mode-side').click();
    await page.getByTestId('compare-fit').click();
    await sameLength();
    await page.screenshot({ path: path.join(SHOTS, 'compare.png') });

    for (const name of ['timeline.png', 'chart.png', 'compare.png']) publishScreenshot(path.join(SHOTS, name));
    expect(app.problems).toEqual([]);
  });
});
