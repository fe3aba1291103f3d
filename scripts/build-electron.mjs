// Bundles the Electron main process, the preload, the browser bridge and the command line with
// esbuild. Main and preload are self-contained (only 'electron' and the native better-sqlite3
// stay external, architecture.md §1); the bridge and CLI run from the repository's node_modules.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

const jobs = [
  { entryPoints: ['electron/main.ts'], outfile: 'out/electron/main.cjs', format: 'cjs', external: ['electron', 'better-sqlite3'] },
  { entryPoints: ['electron/preload.ts'], outfile: 'out/electron/preload.cjs', format: 'cjs', external: ['electron'] },
  { entryPoints: ['electron/backend/start-browser.ts'], outfile: 'out/bridge/start-browser.mjs', format: 'esm', packages: 'external' },
  // Self-contained: it runs in a worker thread of Electron's main process, the bridge, the CLI and tests.
  {
    entryPoints: ['electron/backend/dicom/header-worker.ts'],
    outfile: 'out/workers/header-worker.mjs',
    format: 'esm',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  },
  { entryPoints: ['electron/backend/cli/osteoplan.ts'], outfile: 'out/cli/osteoplan.mjs', format: 'esm', packages: 'external', banner: { js: '#!/usr/bin/env node' } },
];

// `--only <fragment>` builds just the matching entries (the test setup builds the worker this way).
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? process.argv[onlyIndex + 1] : null;

for (const job of jobs) {
  if (only && !job.outfile.includes(only)) continue;
  if (!existsSync(job.entryPoints[0])) {
    console.warn(`build-electron: ${job.entryPoints[0]} does not exist yet; skipped`);
    continue;
  }
  await build({ ...common, ...job });
}
