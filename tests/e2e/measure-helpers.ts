// The measuring screen's e2e steps, shared by the measuring and plan tests: backend calls,
// library → viewer → measuring screen, zooming so an image pixel sits on a whole canvas pixel,
// and clicking the true landmarks of a phantom leg through the guided steps.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { dispatch } from '../../electron/backend/dispatch';
import type { PhantomTruth } from '../../electron/backend/phantom/long-leg-film';
import type { Channel, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { guidedLandmarkSteps } from '../../shared/landmarks/catalogue';
import { DEFAULT_VARIANTS } from '../../shared/landmarks/ids';
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
