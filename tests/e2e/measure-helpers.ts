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
import type { ViewState } from '../../renderer/src/viewer/projection';
import { waitForRender, type AppHarness } from './helpers';

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
