// Browser end-to-end harness (architecture.md §6): the real backend on a fresh data folder, the
// bridge in-process, Debian Chromium through playwright-core. Nothing is built here: `npm test`
// builds first; locally run `npx vite build --config renderer/vite.config.ts`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { openBackend, type Backend } from '../../electron/backend/backend';
import { startBridge, type Bridge } from '../../electron/backend/bridge-server';

export const REPO = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DATA = path.resolve(REPO, '../shared/data');
export const RENDERER_DIR = path.join(REPO, 'out/renderer');
export const TMP = path.join(REPO, 'tests/.tmp');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Copies a screenshot taken during a test into docs/screenshots, which README.md shows. Only on
 * request (`npm run screenshots` sets OSTEOPLAN_UPDATE_SCREENSHOTS=1), so a plain `npm test`
 * leaves the working tree as it found it; the test's own copy under tests/.tmp is always kept.
 */
export function publishScreenshot(file: string, name = path.basename(file)): void {
  if (process.env.OSTEOPLAN_UPDATE_SCREENSHOTS !== '1') return;
  const docs = path.join(REPO, 'docs/screenshots');
  mkdirSync(docs, { recursive: true });
  copyFileSync(file, path.join(docs, name));
}

export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(
      `Chromium not found at ${candidate}. Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary. Browser e2e tests do not skip.`,
    );
  }
  return candidate;
}

export function requireBuiltRenderer(): void {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`The UI is not built (${RENDERER_DIR}/index.html missing): run \`npx vite build --config renderer/vite.config.ts\` (npm test builds it).`);
  }
}

export function dataFile(rel: string): string {
  const file = path.join(DATA, 'dicom', rel);
  if (!existsSync(file)) throw new Error(`Test data file missing: ${file} (see ../shared/data/MANIFEST.md).`);
  return file;
}

export function tmpDir(prefix: string): string {
  mkdirSync(TMP, { recursive: true });
  return mkdtempSync(path.join(os.tmpdir(), `osteoplan-${prefix}-`));
}

export interface AppHarness {
  dataDir: string;
  backend: Backend;
  bridge: Bridge;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console errors, page errors and CSP violations seen so far, in the page and its workers. */
  problems: string[];
  close(): Promise<void>;
}

export async function startApp(opts: { viewport?: { width: number; height: number } } = {}): Promise<AppHarness> {
  requireBuiltRenderer();
  const executablePath = chromiumPath();
  const dataDir = tmpDir('data');
  const backend = openBackend({ dataDir, mode: 'browser', appVersion: 'e2e' });
  let bridge: Bridge | null = null;
  let browser: Browser | null = null;
  try {
    bridge = await startBridge({ backend, staticDir: RENDERER_DIR });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1440, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const problems: string[] = [];
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
      });
    });
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('worker', (worker) => {
      const w = worker as unknown as { on?: (event: string, cb: (msg: { type(): string; text(): string }) => void) => void };
      w.on?.('console', (msg) => {
        if (msg.type() === 'error') problems.push(`worker console: ${msg.text()}`);
      });
    });
    const b = bridge;
    const br = browser;
    return {
      dataDir,
      backend,
      bridge: b,
      browser: br,
      context,
      page,
      problems,
      async close() {
        await br.close().catch(() => {});
        await b.close().catch(() => {});
        backend.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await browser?.close().catch(() => {});
    await bridge?.close().catch(() => {});
    backend.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Imports files through the UI's "Import files" button and the browser's file chooser. */
export async function importThroughFileChooser(page: Page, files: string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import files' }).first().click();
  await (await chooser).setFiles(files);
}

export async function waitForImportDone(page: Page, timeout = 120_000): Promise<{ imported: number; duplicates: number; skipped: number }> {
  await page.locator('[data-import-phase="done"], [data-import-phase="failed"]').waitFor({ timeout });
  if (await page.locator('[data-import-phase="failed"]').count()) {
    throw new Error(`Import failed in the UI: ${await page.locator('[data-import-phase="failed"]').innerText()}`);
  }
  const count = async (k: string) => Number(await page.locator(`[data-count="${k}"] b`).innerText());
  return { imported: await count('imported'), duplicates: await count('duplicates'), skipped: await count('skipped') };
}

/** Waits until the viewport has rendered `imageId` at least `minRenders` times; fails fast on a viewer error. */
export async function waitForRender(page: Page, imageId: number | string, minRenders = 1, timeout = 120_000): Promise<void> {
  const outcome = await page.waitForFunction(
    ([id, n]) => {
      const alert = document.querySelector('.viewport-area [role="alert"]');
      if (alert) return `error: ${alert.textContent}`;
      const el = document.querySelector<HTMLElement>('[data-testid="viewport"]');
      return !!el && el.dataset.imageRendered === String(id) && Number(el.dataset.renderCount) >= Number(n) ? 'rendered' : false;
    },
    [String(imageId), minRenders] as const,
    { timeout },
  );
  const value = await outcome.jsonValue();
  if (value !== 'rendered') throw new Error(`The viewer did not render image ${imageId}: ${String(value)}`);
}

export async function renderCount(page: Page): Promise<number> {
  return page.evaluate(() => Number(document.querySelector<HTMLElement>('[data-testid="viewport"]')?.dataset.renderCount ?? 0));
}

export interface GreyImage {
  width: number;
  height: number;
  /** One grey value per pixel. */
  data: Uint8Array;
}

/** dcmtk's rendering of a file with an explicit window, as the reference the canvas must match. */
export function dcm2pnmGrey(file: string, window: { center: number; width: number } | null, outDir: string): GreyImage {
  const out = path.join(outDir, `${path.basename(file)}.png`);
  const args = ['--write-png', ...(window ? ['--set-window', String(window.center), String(window.width)] : ['--min-max-window']), file, out];
  const run = spawnSync('dcm2pnm', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dcm2pnm failed (${run.status}): ${run.stderr}`);
  const png = PNG.sync.read(readFileSync(out));
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * 4]!;
  return { width: png.width, height: png.height, data };
}

/** Reads a rectangle of the viewport canvas as grey values (red channel: cornerstone renders grey as r=g=b). */
export async function readCanvasGrey(page: Page, rect: { x: number; y: number; width: number; height: number }): Promise<GreyImage> {
  const bytes = await page.evaluate((r) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
    const rgba = canvas.getContext('2d')!.getImageData(r.x, r.y, r.width, r.height).data;
    const grey: number[] = new Array(r.width * r.height);
    for (let i = 0; i < grey.length; i++) grey[i] = rgba[i * 4]!;
    return grey;
  }, rect);
  return { width: rect.width, height: rect.height, data: Uint8Array.from(bytes) };
}

export async function canvasHash(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const digest = await crypto.subtle.digest('SHA-256', data);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  });
}
