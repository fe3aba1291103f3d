// `npm run start:browser`: the same backend and UI as the desktop app, in the system browser
// through the bridge (127.0.0.1 only, random per-launch token). Bundled to
// out/bridge/start-browser.mjs, so the UI is found relative to the bundle, not the cwd.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openBackend } from './backend';
import { startBridge } from './bridge-server';
import { defaultDataDir } from './paths';

async function main(): Promise<void> {
  const staticDir = fileURLToPath(new URL('../renderer/', import.meta.url));
  if (!existsSync(`${staticDir}/index.html`)) {
    console.error(`The UI is not built (${staticDir}index.html is missing). Run \`npm run build\` first.`);
    process.exit(1);
  }
  const dataDir = process.env.OSTEOPLAN_DATA_DIR || defaultDataDir();
  const port = process.env.OSTEOPLAN_PORT ? Number(process.env.OSTEOPLAN_PORT) : 0;
  const backend = openBackend({ dataDir, mode: 'browser' });
  let bridge;
  try {
    bridge = await startBridge({ backend, staticDir, port });
  } catch (err) {
    backend.close();
    throw err;
  }
  console.log(`Osteoplan library: ${dataDir}`);
  console.log(`Open this address in your browser (it is private to this launch):\n\n  ${bridge.url}\n`);
  console.log('Press Ctrl+C to stop.');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: closing the library...`);
    try {
      await bridge.close();
    } finally {
      backend.close();
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`Osteoplan could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
