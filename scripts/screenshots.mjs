// `npm run screenshots`: the browser end-to-end tests with OSTEOPLAN_UPDATE_SCREENSHOTS=1, so the
// screenshots README.md shows are refreshed in docs/screenshots (a plain `npm test` never writes there).
import { spawnSync } from 'node:child_process';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const run = spawnSync(npx, ['vitest', 'run', '--project', 'e2e'], {
  stdio: 'inherit',
  env: { ...process.env, OSTEOPLAN_UPDATE_SCREENSHOTS: '1' },
});
process.exit(run.status ?? 1);
