// Open → first image on screen in headless Chromium, through the real backend, bridge and UI:
// a generated 3000×9000 16-bit uncompressed film (target ≤ 1 s) and RG2 as JPEG 2000 lossless.
// "Open" starts when the viewer mounts (the click on a series), "on screen" is cornerstone's first
// IMAGE_RENDERED (data-open-ms on the viewport). Each run is a fresh page, so no decoded image
// or HTTP cache is reused. The reference figure is a plain in-page fetch of the same bytes over the
// same bridge, so the ratio shows what decoding and drawing add on this machine.
// Plain script (no vitest): `npm run bench` bundles and runs it; it prints, it asserts nothing.
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { dataFile } from '../e2e/helpers';
import { writeLargeFilm } from '../e2e/large-film';
import { median, runBench, withBrowserApp } from './browser-harness';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function openOnce(context: BrowserContext, origin: string, imageId: number): Promise<{ openMs: number; fetchMs: number }> {
  const page = await context.newPage();
  try {
    // Reference: the same bytes, fetched and fully read in a page of the same origin.
    await page.goto(`${origin}/#/`);
    const fetchMs = await page.evaluate(async (id) => {
      const t0 = performance.now();
      const res = await fetch(`/api/image/${id}`, { cache: 'no-store' });
      await res.arrayBuffer();
      return performance.now() - t0;
    }, imageId);
    await page.close();
    const viewer = await context.newPage();
    try {
      await viewer.goto(`${origin}/#/image/${imageId}`);
      await viewer.waitForFunction(
        (id) => document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.imageRendered === String(id),
        imageId,
        { timeout: 120_000 },
      );
      const openMs = Number(await viewer.getByTestId('viewport').getAttribute('data-open-ms'));
      return { openMs, fetchMs };
    } finally {
      await viewer.close();
    }
  } finally {
    if (!page.isClosed()) await page.close();
  }
}

async function main() {
  await withBrowserApp('osteoplan-bench-', async ({ work, bridge, browser, importFile }) => {
    const large = path.join(work, 'longleg-3000x9000.dcm');
    writeLargeFilm(large);
    const cases: { label: string; file: string }[] = [
      { label: '3000×9000 16-bit uncompressed (54 MB)', file: large },
      { label: 'RG2 2140×1760 JPEG 2000 lossless', file: dataFile('derived-local/RG2_from_JPLL_J2KR.dcm') },
    ];
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const first = await context.newPage();
    await first.goto(bridge.url); // sets the session cookie for the later pages
    await first.close();

    console.log(`Chromium ${browser.version()}, ${RUNS} runs each, median (min–max)`);
    for (const c of cases) {
      const imageId = await importFile(c.file);
      await openOnce(context, bridge.origin, imageId); // warm-up: the browser's code cache, not the image
      const runs: { openMs: number; fetchMs: number }[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await openOnce(context, bridge.origin, imageId));
      const open = runs.map((r) => r.openMs);
      const fetches = runs.map((r) => r.fetchMs);
      const m = median(open);
      console.log(
        `${c.label}: open → first image ${m.toFixed(0)} ms (${Math.min(...open).toFixed(0)}–${Math.max(...open).toFixed(0)})` +
          `; reference fetch of the bytes ${median(fetches).toFixed(0)} ms; ratio ${(m / median(fetches)).toFixed(1)}×` +
          (c.file === large ? `; target ≤ 1000 ms: ${m <= 1000 ? 'met' : 'NOT met'}` : ''),
      );
    }
  });
}

runBench(main);
