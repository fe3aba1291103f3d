// Browser end-to-end of the compare view (clinical-spec §6: "compared side by side at the same
// physical scale") on films that do NOT share a pixel grid: a phantom series whose pre-op, 6-week
// and 3-month films come from detectors with different pixel spacing, magnification and size, and
// a post-op film whose header has no scale at all. Opened from the timeline as a user does, the
// femur and the 25 mm calibration sphere span the same screen pixels on every calibrated film
// (within 1 %), before and after zooming and panning one film; the overlay mode puts the knee
// centres on top of each other; the film without a scale is flagged on screen.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateFollowUpSeries, truthLandmarkSet, type FollowUpFilm } from '../../electron/backend/phantom/follow-up-series';
import { importThroughFileChooser, startApp, TMP, tmpDir, waitForImportDone, type AppHarness } from './helpers';
import { call, waitForComparePanes, type Pt } from './measure-helpers';

const SHOTS = path.join(TMP, 'compare-scale');
mkdirSync(SHOTS, { recursive: true });

interface Probe {
  imageId: number;
  head: Pt;
  knee: Pt;
  sphere: { centre: Pt; radiusPx: number };
}

interface PaneReading {
  scale: number;
  /** H–K and the sphere's diameter, in canvas pixels. */
  femurPx: number;
  spherePx: number;
  /** The knee centre in page (client) pixels, and relative to its canvas centre. */
  kneeClient: Pt;
  kneeFromCentre: Pt;
}

/** Where the femur, the sphere and the knee centre land on each compare pane, as drawn now. */
async function readPanes(page: Page, probes: Probe[]): Promise<PaneReading[]> {
  return page.evaluate((ps) => {
    type C = { view(): { scale: number; canvasWidth: number; canvasHeight: number }; pixelToCanvas(p: Pt): Pt };
    const dist = (a: Pt, b: Pt) => Math.hypot(a.x - b.x, a.y - b.y);
    return ps.map((p) => {
      const el = document.querySelector(`[data-compare-image-id="${p.imageId}"] [data-testid="viewport"]`) as unknown as { osteoplanViewer: C; querySelector(s: string): HTMLCanvasElement };
      const c = el.osteoplanViewer;
      const v = c.view();
      const k = c.pixelToCanvas(p.knee);
      const canvas = el.querySelector('canvas');
      const r = canvas.getBoundingClientRect();
      const left = c.pixelToCanvas({ x: p.sphere.centre.x - p.sphere.radiusPx, y: p.sphere.centre.y });
      const right = c.pixelToCanvas({ x: p.sphere.centre.x + p.sphere.radiusPx, y: p.sphere.centre.y });
      return {
        scale: v.scale,
        femurPx: dist(c.pixelToCanvas(p.head), k),
        spherePx: dist(left, right),
        kneeClient: { x: r.left + (k.x * r.width) / canvas.width, y: r.top + (k.y * r.height) / canvas.height },
        kneeFromCentre: { x: k.x - v.canvasWidth / 2, y: k.y - v.canvasHeight / 2 },
      };
    });
  }, probes);
}


const spread = (xs: number[]) => (Math.max(...xs) - Math.min(...xs)) / Math.min(...xs);

/** One mm scale: the femur and the sphere span the same canvas pixels on every pane (1 %), the knee centres aligned. */
async function expectOneScale(page: Page, probes: Probe[]): Promise<PaneReading[]> {
  // The panes follow one another on their next render (a pan leaves the scales equal while the
  // second pane is still a frame behind): retry the whole check until it holds.
  return vi.waitFor(
    async () => {
      const panes = await readPanes(page, probes);
      expect(spread(panes.map((p) => p.femurPx)), `femur ${panes.map((p) => p.femurPx.toFixed(2)).join(' / ')}`).toBeLessThan(0.01);
      expect(spread(panes.map((p) => p.spherePx)), `sphere ${panes.map((p) => p.spherePx.toFixed(2)).join(' / ')}`).toBeLessThan(0.01);
      for (const p of panes) {
        expect(Math.abs(p.kneeFromCentre.x - panes[0]!.kneeFromCentre.x)).toBeLessThan(0.5);
        expect(Math.abs(p.kneeFromCentre.y - panes[0]!.kneeFromCentre.y)).toBeLessThan(0.5);
      }
      // The films really differ in pixel size: equal mm needs different cornerstone zooms.
      expect(spread(panes.map((p) => p.scale))).toBeGreaterThan(0.1);
      return panes;
    },
    { timeout: 15_000, interval: 100 },
  );
}

describe('browser e2e: compare view at one mm scale across detectors', () => {
  let app: AppHarness | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = null;
  });

  it('films with 0.5, 0.35 and 0.42 mm pixels (ERMF 1.1, 1.1, 1.2) show the femur and the 25 mm sphere at equal screen length, synced zoom and pan, overlay aligned; a film without scale is flagged', async () => {
    dir = tmpDir('compare-scale');
    // Coarse pixels keep the films small; their ratios are those of 0.15 / 0.10 / 0.125 mm detectors.
    const films = generateFollowUpSeries(dir, {
      film: { scale: 0.5 },
      films: {
        'post-op': { calibrationInHeader: false },
        '6-weeks': { scale: 0.35 },
        '3-months': { scale: 0.42, ermf: 1.2, sizeMm: { width: 420, height: 1040 } },
      },
    });
    expect(new Set(films.map((f) => f.truth.image.patientPixelSpacingMm.column.toFixed(4))).size).toBe(3);
    // The sphere lies whole on every film (a film's own size must not cut it off).
    for (const f of films) {
      const { centrePx, diameterPx } = f.truth.sphere!;
      expect(centrePx.x - diameterPx.x / 2).toBeGreaterThan(0);
      expect(centrePx.x + diameterPx.x / 2).toBeLessThan(f.truth.image.columns);
    }
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, films.map((f) => f.dicomPath));
    expect(await waitForImportDone(page)).toEqual({ imported: 4, duplicates: 0, skipped: 0 });

    const patient = (await call(app, 'library:listPatients', {}))[0]!;
    const detail = await call(app, 'library:getPatient', { patientId: patient.id });
    const imageIdOf = (f: FollowUpFilm) => detail.studies.flatMap((s) => s.series.flatMap((se) => se.images)).find((i) => i.sopInstanceUid === f.truth.dicom.sopInstanceUid)!.id;
    // SETUP through the backend, as follow-up.test.ts does: each film's true landmark set (in its own pixels).
    for (const f of films) await call(app, 'measurement:save', { imageId: imageIdOf(f), set: truthLandmarkSet(f.truth, 'R') });
    const probe = (f: FollowUpFilm): Probe => ({
      imageId: imageIdOf(f),
      head: f.truth.legs.R!.landmarksPx.femoralHeadCentre,
      knee: f.truth.legs.R!.landmarksPx.kneeCentre,
      sphere: { centre: f.truth.sphere!.centrePx, radiusPx: f.truth.sphere!.diameterPx.x / 2 },
    });

    // Library → timeline → pick the three calibrated films → Compare.
    await page.locator(`[data-patient-id="${patient.patientId}"]`).click();
    await page.getByTestId('open-timeline').click();
    await page.getByTestId('timeline').waitFor();
    const calibrated = [films[0]!, films[2]!, films[3]!];
    for (const f of calibrated) await page.locator(`.timeline-film[data-image-id="${imageIdOf(f)}"]`).getByTestId('compare-pick').check();
    await page.getByTestId('open-compare').click();
    await page.getByTestId('compare').waitFor();
    const probes = calibrated.map(probe);
    await waitForComparePanes(page, probes.map((p) => p.imageId));
    expect(await page.locator('[data-compare-image-id] [data-calibration]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.calibration))).toEqual([
      'magnification-corrected',
      'magnification-corrected',
      'magnification-corrected',
    ]);
    const atFit = await expectOneScale(page, probes);
    await page.screenshot({ path: path.join(SHOTS, 'compare-three-detectors.png') });

    // Wheel-zoom on the 6-week film: the others follow, still one mm scale.
    const box = (await page.locator(`[data-compare-image-id="${probes[1]!.imageId}"] canvas`).first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.55);
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => (await readPanes(page, probes))[1]!.femurPx).toBeGreaterThan(atFit[0]!.femurPx * 1.5);
    const zoomed = await expectOneScale(page, probes);
    // Drag-pan on the 3-month film: the others move by the same screen offset.
    const box3 = (await page.locator(`[data-compare-image-id="${probes[2]!.imageId}"] canvas`).first().boundingBox())!;
    await page.mouse.move(box3.x + 80, box3.y + 200);
    await page.mouse.down();
    await page.mouse.move(box3.x + 120, box3.y + 140, { steps: 4 });
    await page.mouse.up();
    await expect.poll(async () => (await readPanes(page, probes))[0]!.kneeFromCentre.y).not.toBeCloseTo(zoomed[0]!.kneeFromCentre.y, 0);
    const panned = await expectOneScale(page, probes);
    for (const [k, p] of panned.entries()) {
      expect(p.kneeFromCentre.x - zoomed[k]!.kneeFromCentre.x).toBeCloseTo(40, 0);
      expect(p.kneeFromCentre.y - zoomed[k]!.kneeFromCentre.y).toBeCloseTo(-60, 0);
    }
    await page.screenshot({ path: path.join(SHOTS, 'compare-three-detectors-zoomed.png') });

    // Overlay mode: the three films stacked, knee centres on the same screen point within a pixel or two.
    await page.getByTestId('mode-overlay').click();
    await page.getByTestId('overlay-opacity').fill('0.5');
    await expect
      .poll(async () => {
        const ps = await readPanes(page, probes);
        return Math.max(...ps.map((p) => Math.hypot(p.kneeClient.x - ps[0]!.kneeClient.x, p.kneeClient.y - ps[0]!.kneeClient.y)));
      })
      .toBeLessThan(2);
    await expectOneScale(page, probes);
    // Only the later films' images fade: the first film is opaque, every film's label and the first film's lines stay fully legible.
    expect(await page.locator('[data-compare-image-id] .compare-viewport').evaluateAll((els) => els.map((e) => getComputedStyle(e).opacity))).toEqual(['1', '0.5', '0.5']);
    const faded = (sel: string) =>
      page.locator(sel).evaluateAll((els) =>
        els.map((e) => {
          let o = 1;
          for (let n: Element | null = e; n; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
          return o;
        }),
      );
    expect(await faded('.compare-label')).toEqual([1, 1, 1]);
    const top = page.getByTestId('compare-top-overlay');
    expect(new Set(await faded('[data-testid="compare-top-overlay"] [data-label]'))).toEqual(new Set([1]));
    expect(await top.locator('[data-label]').count()).toBeGreaterThan(4);
    // The first film's overlay lies exactly over its canvas: its knee centre marker is where that film's knee centre is.
    const svgBox = (await top.locator('svg').boundingBox())!;
    const canvasBox = (await page.locator(`[data-compare-image-id="${probes[0]!.imageId}"] canvas`).first().boundingBox())!;
    expect(Math.abs(svgBox.x - canvasBox.x) + Math.abs(svgBox.y - canvasBox.y)).toBeLessThan(0.5);
    expect(await page.locator(`[data-compare-image-id="${probes[0]!.imageId}"] [data-testid="overlay"]`).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'compare-overlay.png') });
    await page.getByTestId('mode-side').click();
    await page.getByTestId('compare-fit').click();
    await expectOneScale(page, probes);

    // Back to the timeline; compare the pre-op film with the post-op film that has no scale: flagged.
    await page.getByRole('button', { name: '← Timeline' }).click();
    await page.getByTestId('timeline').waitFor();
    for (const f of [films[2]!, films[3]!]) await page.locator(`.timeline-film[data-image-id="${imageIdOf(f)}"]`).getByTestId('compare-pick').uncheck();
    for (const f of [films[0]!, films[1]!]) await page.locator(`.timeline-film[data-image-id="${imageIdOf(f)}"]`).getByTestId('compare-pick').check();
    await page.getByTestId('open-compare').click();
    await page.getByTestId('compare').waitFor();
    await waitForComparePanes(page, [imageIdOf(films[0]!), imageIdOf(films[1]!)]);
    const flag = page.locator(`[data-compare-image-id="${imageIdOf(films[1]!)}"] [data-calibration]`);
    expect(await flag.getAttribute('data-calibration')).toBe('uncalibrated');
    expect(await flag.innerText()).toBe('UNCALIBRATED: not at true scale');
    expect(await flag.isVisible()).toBe(true);
    expect(await page.locator(`[data-compare-image-id="${imageIdOf(films[0]!)}"] [data-calibration]`).innerText()).toBe('magnification-corrected');
    await page.screenshot({ path: path.join(SHOTS, 'compare-uncalibrated.png') });
    expect(app.problems).toEqual([]);
  });
});
