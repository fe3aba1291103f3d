// What every browser benchmark needs: a fresh data dir with the real backend, the bridge serving
// the built UI, Debian's Chromium, and an import that returns the image id. Torn down afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { openBackend, type Backend } from '../../electron/backend/backend';
import { startBridge, type Bridge } from '../../electron/backend/bridge-server';
import { dispatch } from '../../electron/backend/dispatch';
import type { ImportReport } from '../../shared/ipc/contract';
import { CHROMIUM_ARGS, chromiumPath, requireBuiltRenderer, RENDERER_DIR } from '../e2e/helpers';

export interface BenchApp {
  work: string;
  backend: Backend;
  bridge: Bridge;
  browser: Browser;
  /** Imports one file through the backend and returns its image id (a duplicate's too). */
  importFile(file: string): Promise<number>;
}

export async function withBrowserApp(prefix: string, run: (app: BenchApp) => Promise<void>): Promise<void> {
  requireBuiltRenderer();
  const executablePath = chromiumPath();
  const work = mkdtempSync(path.join(os.tmpdir(), prefix));
  const backend = openBackend({ dataDir: path.join(work, 'data'), mode: 'browser', appVersion: 'bench' });
  const bridge = await startBridge({ backend, staticDir: RENDERER_DIR });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  const importFile = async (file: string) => {
    const result = (await dispatch(backend.handlers, 'import:paths', { paths: [file] }, { emit() {} })) as { ok: boolean; value?: ImportReport; error?: { message: string } };
    const imageId = result.value?.imported[0]?.imageId ?? result.value?.duplicates[0]?.imageId;
    if (!result.ok || !imageId) throw new Error(`Import of ${file} failed: ${result.error?.message ?? 'nothing imported'}`);
    return imageId;
  };
  try {
    await run({ work, backend, bridge, browser, importFile });
  } finally {
    await browser.close();
    await bridge.close();
    backend.close();
    rmSync(work, { recursive: true, force: true });
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Runs a bench's main and turns a failure into a non-zero exit with the error printed. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
