// Drag a landmark handle on a 3000×9000 film in headless Chromium through the real UI: time from
// the pointer move to the overlay and the values panel updated (target ≤ 16 ms median).
// Measured in the page: each pointermove is handled with a synchronous React commit (flushSync),
// so "updated" is the moment the new overlay SVG and values are in the DOM. Two figures per move:
// event → commit (from the event's timestamp, includes input dispatch) and the commit itself.
// The React commit alone (overlay rebuild, label placement, engine, values panel) is printed
// beside it, to show how much of the time is the update itself.
// Plain script (no vitest): `npm run bench` bundles and runs it; it prints, it asserts nothing.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { writeLargeFilm } from '../e2e/large-film';
import { runBench, withBrowserApp } from './browser-harness';

const MOVES = Number(process.env.BENCH_MOVES ?? 300);

type Pt = { x: number; y: number };

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
};

// A plausible right leg on the 3000×9000 matrix (pixels; lateral = −x).
const contour: Pt[] = [-70, -35, 0, 35, 70].map((deg) => ({ x: 1600 + 130 * Math.sin((deg * Math.PI) / 180), y: 1000 - 130 * Math.cos((deg * Math.PI) / 180) }));
const points: Pt[] = [
  { x: 1250, y: 950 }, // greater trochanter
  { x: 1450, y: 2500 }, // shaft proximal
  { x: 1500, y: 4000 }, // shaft distal
  { x: 1750, y: 4700 }, // condyle medial
  { x: 1300, y: 4680 }, // condyle lateral
  { x: 1520, y: 4720 }, // knee centre
  { x: 1760, y: 4760 }, // plateau medial
  { x: 1290, y: 4740 }, // plateau lateral
  { x: 1600, y: 8500 }, // plafond medial
  { x: 1450, y: 8510 }, // plafond lateral
  { x: 1525, y: 8520 }, // ankle centre
];

/** Client position of an image pixel; with `zoom`, first centres the view on it at that scale (as a reader zooms to click). */
async function clientOf(page: Page, p: Pt, zoom?: number): Promise<Pt> {
  return page.evaluate(([pt, z]) => {
    type V = { columns: number; rows: number };
    const el = document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): V; setViewport(v: unknown): void; pixelToCanvas(p: Pt): Pt } };
    if (z) {
      const v = el.osteoplanViewer.view();
      el.osteoplanViewer.setViewport({ scale: z, translation: { x: v.columns / 2 - pt.x, y: v.rows / 2 - pt.y } });
    }
    const c = el.osteoplanViewer.pixelToCanvas(pt);
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
    const r = canvas.getBoundingClientRect();
    return { x: r.left + (c.x * r.width) / canvas.width, y: r.top + (c.y * r.height) / canvas.height };
  }, [p, zoom ?? 0] as const);
}

type Ref = { kind: 'landmark'; id: string } | { kind: 'contour'; index: number };
/** Where a handle is now (a drag moves it). */
async function handlePixel(page: Page, ref: Ref): Promise<Pt> {
  return page.evaluate((r) => {
    const set = (document.querySelector('[data-testid="measure"]') as unknown as { osteoplanMeasure: { set(): { landmarks: Record<string, Pt>; femoralHeadContour: Pt[] } } }).osteoplanMeasure.set();
    const p = r.kind === 'landmark' ? set.landmarks[r.id]! : set.femoralHeadContour[r.index]!;
    return { x: p.x, y: p.y };
  }, ref);
}

async function drag(page: Page, ref: Ref, label: string): Promise<void> {
  await page.evaluate(() => (document.querySelector('[data-testid="measure"]') as unknown as { osteoplanMeasure: { clearDragTimings(): void } }).osteoplanMeasure.clearDragTimings());
  const start = await clientOf(page, await handlePixel(page, ref));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  // Back and forth over 60 screen pixels, ending where it started.
  for (let i = 1; i <= MOVES; i++) await page.mouse.move(start.x + 60 * Math.sin((2 * Math.PI * i) / MOVES), start.y + 3 * Math.sin((4 * Math.PI * i) / MOVES));
  await page.mouse.up();
  const timings = await page.evaluate(
    () => (document.querySelector('[data-testid="measure"]') as unknown as { osteoplanMeasure: { dragTimings(): { commitMs: number; eventToCommitMs: number }[] } }).osteoplanMeasure.dragTimings(),
  );
  if (timings.length < MOVES * 0.9) throw new Error(`Only ${timings.length} of ${MOVES} moves reached the handle drag.`);
  const e2c = timings.map((t) => t.eventToCommitMs);
  const commit = timings.map((t) => t.commitMs);
  const med = quantile(e2c, 0.5);
  console.log(
    `${label}: pointer move → overlay + values updated median ${med.toFixed(2)} ms, p95 ${quantile(e2c, 0.95).toFixed(2)} ms` +
      ` (React commit alone median ${quantile(commit, 0.5).toFixed(2)} ms, p95 ${quantile(commit, 0.95).toFixed(2)} ms; ${timings.length} moves)` +
      `; target ≤ 16 ms median: ${med <= 16 ? 'met' : 'NOT met'}`,
  );
}

async function main() {
  await withBrowserApp('osteoplan-bench-drag-', async ({ work, bridge, browser, importFile }) => {
    const film = path.join(work, 'longleg-3000x9000.dcm');
    writeLargeFilm(film);
    const imageId = await importFile(film);

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(bridge.url);
    await page.goto(`${bridge.origin}/#/image/${imageId}/measure`);
    await page.getByRole('button', { name: 'Right leg' }).click();
    await page.waitForFunction((id) => document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRendered === String(id), imageId, { timeout: 120_000 });

    for (const p of contour) {
      const c = await clientOf(page, p, 0.5);
      await page.mouse.click(c.x, c.y);
    }
    await page.keyboard.press('n');
    for (const p of points) {
      const c = await clientOf(page, p, 0.5);
      await page.mouse.click(c.x, c.y);
    }
    await page.keyboard.press('f');
    await page.waitForTimeout(300);
    const placed = await page.getByTestId('measure').getAttribute('data-landmark-count');
    console.log(`Chromium ${browser.version()}, 3000×9000 16-bit film, ${placed} points placed, ${MOVES} pointer moves per drag`);

    await drag(page, { kind: 'landmark', id: 'kneeCentre' }, 'knee centre at fit to window');
    // 1:1 around the knee: the overlay is large and the labels are placed among more space.
    await page.evaluate((pt) => {
      type V = { canvasWidth: number; canvasHeight: number; columns: number; rows: number };
      const c = (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { view(): V; setViewport(v: unknown): void } }).osteoplanViewer;
      const v = c.view();
      c.setViewport({ scale: 1, translation: { x: v.columns / 2 - pt.x, y: v.rows / 2 - pt.y } });
    }, points[5]!);
    await page.waitForTimeout(300);
    await drag(page, { kind: 'landmark', id: 'kneeCentre' }, 'knee centre at 100 %');
    await clientOf(page, contour[2]!, 1);
    await page.waitForTimeout(300);
    await drag(page, { kind: 'contour', index: 2 }, 'head contour point at 100 % (refits the circle)');
  });
}

runBench(main);
