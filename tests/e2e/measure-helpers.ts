// The measuring screen's e2e steps, shared by the measuring and plan tests: backend calls,
// library → viewer → measuring screen, zooming so an image pixel sits on a whole canvas pixel,
// and clicking the true landmarks of a phantom leg through the guided steps; then the plan
// screen's hooks and panel values and the canvases the simulated correction is read from.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { dispatch } from '../../electron/backend/dispatch';
import type { PhantomTruth } from '../../electron/backend/phantom/long-leg-film';
import type { Channel, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { guidedLandmarkSteps } from '../../shared/landmarks/catalogue';
import { DEFAULT_VARIANTS, type LandmarkId } from '../../shared/landmarks/ids';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import type { Plan } from '../../shared/schemas/plan';
import { applyAffine, type Affine } from '../../shared/planning/display-geometry';
import { pixelToCanvasTransform, type ViewState } from '../../renderer/src/viewer/projection';
import { importThroughFileChooser, waitForImportDone, waitForRender, type AppHarness } from './helpers';

export type Pt = { x: number; y: number };

export async function call<C extends Channel>(app: AppHarness, channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
  const result = (await dispatch(app.backend.handlers, channel, request, { emit() {} })) as { ok: boolean; value?: ResponseOf<C>; error?: { message: string } };
  if (!result.ok) throw new Error(`${channel} failed: ${result.error?.message}`);
  return result.value!;
}

export const imageIdFromHash = async (page: Page) => Number(/#\/image\/(\d+)/.exec(await page.evaluate(() => location.hash))![1]);

/** Library → viewer → measuring screen for the right leg; returns the image id. */
export async function openMeasure(page: Page, side: 'R' | 'L' = 'R'): Promise<number> {
  await page.locator('.series-card').first().click();
  await page.waitForFunction(() => /^#\/image\/\d+$/.test(location.hash));
  const imageId = await imageIdFromHash(page);
  await waitForRender(page, imageId);
  await page.getByTestId('open-measure').click();
  await page.waitForFunction(() => /^#\/image\/\d+\/measure$/.test(location.hash));
  await page.getByTestId('side-ask').or(page.getByTestId('measure')).first().waitFor();
  if (await page.getByTestId('side-ask').isVisible()) {
    await page.getByRole('button', { name: side === 'R' ? 'Right leg' : 'Left leg' }).click();
  }
  await page.getByTestId('measure').waitFor();
  await waitForRender(page, imageId);
  return imageId;
}

/**
 * Zooms to `scale` with image pixel `p` exactly on an integer canvas pixel near the centre (as a
 * surgeon zooms in before clicking), and returns the client position of that pixel.
 */
export async function zoomOnto(page: Page, p: Pt, scale = 8): Promise<Pt> {
  return page.evaluate(
    ([pt, s]) => {
      type V = { canvasWidth: number; canvasHeight: number; columns: number; rows: number; scale: number; translation: Pt };
      const el = document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): V; setViewport(v: unknown): void; pixelToCanvas(p: Pt): Pt } };
      const c = el.osteoplanViewer;
      const v = c.view();
      const at = { x: Math.round(v.canvasWidth / 2), y: Math.round(v.canvasHeight / 2) };
      // Square pixels, no rotation: canvas = (p − size/2 + t)·s + canvas/2, solved for t.
      const translation = { x: (at.x - v.canvasWidth / 2) / s - pt.x + v.columns / 2, y: (at.y - v.canvasHeight / 2) / s - pt.y + v.rows / 2 };
      c.setViewport({ scale: s, translation });
      const canvasPt = c.pixelToCanvas(pt);
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
      const r = canvas.getBoundingClientRect();
      return { x: r.left + (canvasPt.x * r.width) / canvas.width, y: r.top + (canvasPt.y * r.height) / canvas.height };
    },
    [p, scale] as const,
  );
}

export const landmarkCount = (page: Page) => page.getByTestId('measure').evaluate((el) => Number((el as HTMLElement).dataset.landmarkCount));

export async function clickPixel(page: Page, p: Pt): Promise<void> {
  const before = await landmarkCount(page);
  const client = await zoomOnto(page, p);
  await page.mouse.click(client.x, client.y);
  await expect.poll(() => landmarkCount(page)).toBeGreaterThan(before);
}

/** Clicks every landmark of one phantom leg through the guided steps (default variants), in order. */
export async function placeTrueLandmarks(page: Page, landmarksPx: NonNullable<PhantomTruth['legs']['R']>['landmarksPx']): Promise<void> {
  const L = landmarksPx;
  for (const p of L.femoralHeadContour) await clickPixel(page, p);
  await page.keyboard.press('n');
  for (const step of guidedLandmarkSteps(DEFAULT_VARIANTS).slice(1)) {
    await clickPixel(page, L[step.id as keyof typeof L] as Pt);
  }
}

export const hook = <T,>(page: Page, fn: string) =>
  page.getByTestId('plan').evaluate((el, f) => {
    const h = (el as unknown as { osteoplanPlan: Record<string, () => unknown> }).osteoplanPlan;
    return h[f]!() as T;
  }, fn) as Promise<T>;
export const pagePlan = (page: Page) => hook<Plan>(page, 'plan');

/** The plan's numbers as the panel shows them (raw values from data-value). */
export async function planValues(page: Page): Promise<Record<string, number | null>> {
  return page.evaluate(() => {
    const out: Record<string, number | null> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-plan-value]'))) {
      const v = el.dataset.value ?? '';
      out[el.dataset.planValue!] = v === '' ? null : Number(v);
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-plan-measure]'))) {
      const pre = el.dataset.preop ?? '';
      const post = el.dataset.predicted ?? '';
      out[`pre:${el.dataset.planMeasure}`] = pre === '' ? null : Number(pre);
      out[`post:${el.dataset.planMeasure}`] = post === '' ? null : Number(post);
    }
    return out;
  });
}

export const flagCodes = (page: Page) => page.locator('[data-flag]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.flag!));

export async function waitPlanSaved(page: Page) {
  await page.locator('[data-testid="plan"][data-save-status="saved"]').waitFor({ timeout: 10_000 });
}

/** Grey values (red channel) of a canvas in the viewport: the cornerstone one or the simulation. */
export async function canvasGrey(page: Page, selector: string): Promise<{ width: number; height: number; data: number[] }> {
  return page.evaluate((sel) => {
    const c = document.querySelector<HTMLCanvasElement>(sel)!;
    const rgba = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const data = new Array<number>(c.width * c.height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4]!;
    return { width: c.width, height: c.height, data };
  }, selector);
}

export const viewState = (page: Page) =>
  page.evaluate(() => (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): unknown } }).osteoplanViewer.view()) as Promise<ViewState>;

export function withTruth(set: LandmarkSet, L: Record<string, unknown>): LandmarkSet {
  const landmarks = { ...set.landmarks };
  for (const id of Object.keys(landmarks) as LandmarkId[]) {
    const p = L[id] as Pt | undefined;
    if (p) landmarks[id] = { x: p.x, y: p.y, placedBy: 'user' };
  }
  const contour = (L.femoralHeadContour as Pt[]).map((p) => ({ x: p.x, y: p.y, placedBy: 'user' as const }));
  return { ...set, landmarks, femoralHeadContour: contour };
}

/**
 * Drags the first cut's hinge by (+20, −12) image pixels at 200 % (40, −24 screen pixels), checks
 * the hinge moved by exactly that and the cut entry stayed pinned, and returns the plan after it.
 */
export async function dragHingeOfFirstCut(page: Page): Promise<{ hinge0: Pt; dragged: Plan }> {
  const result = await hook<{ cuts: { hinge: Pt; cutEntry: Pt }[] }>(page, 'result');
  const hinge0 = result.cuts[0]!.hinge;
  const entry0 = result.cuts[0]!.cutEntry;
  const at = await zoomOnto(page, hinge0, 2);
  await page.mouse.move(at.x, at.y);
  await page.mouse.down();
  await page.mouse.move(at.x + 40, at.y - 24, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await pagePlan(page)).hinge?.x ?? null).not.toBeNull();
  const dragged = await pagePlan(page);
  expect(dragged.hinge!.x).toBeCloseTo(hinge0.x + 20, 6);
  expect(dragged.hinge!.y).toBeCloseTo(hinge0.y - 12, 6);
  expect(dragged.cutEntry).toEqual({ x: entry0.x, y: entry0.y }); // pinned where it was
  return { hinge0, dragged };
}

/** Waits until every compare pane has rendered its film. */
export async function waitForComparePanes(page: Page, imageIds: number[]): Promise<void> {
  await page.waitForFunction(
    (ids) =>
      ids.every((id) => {
        const el = document.querySelector<HTMLElement>(`[data-compare-image-id="${id}"] [data-testid="viewport"]`);
        return !!el && el.dataset.imageRendered === String(id) && Number(el.dataset.renderCount) >= 1;
      }),
    imageIds,
    { timeout: 120_000 },
  );
}

/** Imports one phantom film, clicks its right leg's true landmarks and goes on to the plan screen; returns the image id. */
export async function measureTrueLegAndOpenPlan(page: Page, dicomPath: string, landmarksPx: NonNullable<PhantomTruth['legs']['R']>['landmarksPx']): Promise<number> {
  await importThroughFileChooser(page, [dicomPath]);
  expect(await waitForImportDone(page)).toMatchObject({ imported: 1 });
  const imageId = await openMeasure(page, 'R');
  await placeTrueLandmarks(page, landmarksPx);
  await page.locator('[data-testid="measure"][data-save-status="saved"]').waitFor({ timeout: 10_000 });
  // Measuring screen → plan screen for the right leg.
  await page.getByTestId('open-plan').click();
  await page.getByTestId('plan').waitFor();
  await waitForRender(page, imageId);
  return imageId;
}

/** Image pixel → canvas pixel with the viewport's current view. */
export async function toCanvasNow(page: Page): Promise<(p: Pt) => Pt> {
  const m = pixelToCanvasTransform(await viewState(page));
  return (p) => applyAffine(m, p);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Image points on a band of ±halfWidth pixels around the segment from → to (41 × 13 points). */
export function band(from: Pt, to: Pt, halfWidth: number): Pt[] {
  const pts: Pt[] = [];
  for (let i = 0; i <= 40; i++) {
    for (let j = -6; j <= 6; j++) pts.push({ x: from.x + ((to.x - from.x) * i) / 40 + (halfWidth * j) / 6, y: from.y + ((to.y - from.y) * i) / 40 });
  }
  return pts;
}

/** Image points on a disc (the calibration sphere). */
export function disc(centre: Pt, radius: number): Pt[] {
  const pts: Pt[] = [];
  for (let y = -radius; y <= radius; y += radius / 12) {
    for (let x = -radius; x <= radius; x += radius / 12) if (x * x + y * y <= radius * radius) pts.push({ x: centre.x + x, y: centre.y + y });
  }
  return pts;
}

/**
 * Reads the film and the simulated correction at fit and checks each region: `null` = it stays
 * (the same grey values in the same place), an affine = its pixels moved exactly by that fragment
 * transform (medians, so the few pixels on a bone edge, where resampling a rotated image differs,
 * do not decide).
 */
export async function expectSimulatedMotion(page: Page, regions: { name: string; points: Pt[]; moved: Affine | null }[]): Promise<void> {
  await page.keyboard.press('f');
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  const toCanvas = await toCanvasNow(page);
  const preOp = await canvasGrey(page, '[data-testid="viewport"] canvas:not(.simulation-canvas)');
  await page.getByTestId('toggle-simulation').click();
  await page.locator('[data-testid="simulation"][data-draws]').waitFor();
  await page.waitForTimeout(200);
  expect(await page.getByTestId('simulation').getAttribute('data-source')).toBe('image');
  const sim = await canvasGrey(page, '[data-testid="simulation"]');
  const grey = (img: typeof sim, p: Pt) => {
    const q = toCanvas(p);
    return img.data[Math.round(q.y) * img.width + Math.round(q.x)]!;
  };
  const inside = (p: Pt) => {
    const q = toCanvas(p);
    return q.x >= 1 && q.y >= 1 && q.x < sim.width - 1 && q.y < sim.height - 1;
  };
  for (const r of regions) {
    const pts = r.points.filter((p) => inside(p) && (!r.moved || inside(applyAffine(r.moved, p))));
    expect(pts.length, r.name).toBeGreaterThan(300);
    const unmoved = pts.map((p) => Math.abs(grey(sim, p) - grey(preOp, p)));
    if (!r.moved) {
      expect(median(unmoved), `${r.name} stays`).toBe(0);
      expect(Math.max(...unmoved), `${r.name} stays`).toBeLessThanOrEqual(2);
      continue;
    }
    const T = r.moved;
    const followed = pts.map((p) => Math.abs(grey(sim, applyAffine(T, p)) - grey(preOp, p)));
    expect(median(followed), `${r.name} follows its fragment transform`).toBeLessThanOrEqual(2);
    expect(median(unmoved), `${r.name} moved`).toBeGreaterThan(median(followed) + 5);
  }
}
