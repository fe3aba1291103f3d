// `npm test`: typecheck, lint, build, then every test layer (architecture.md §6). Vitest runs twice:
// the fast layers in parallel, then the browser end-to-end tests alone so Chromium has the cores.
// The last line is a plain "Tests: N passed, N failed, N skipped" summary for CI.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const resultsDir = 'out/test-results';
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

function step(title, cmd, args) {
  console.log(`\n▶ ${title}`);
  const run = spawnSync(cmd, args, { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`✖ ${title} failed (exit ${run.status ?? run.signal})`);
    return false;
  }
  return true;
}

const totals = { passed: 0, failed: 0, skipped: 0 };
function vitest(title, projects, file) {
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p]), '--reporter=default', '--reporter=json', `--outputFile.json=${resultsDir}/${file}`];
  const okRun = step(title, npx, args);
  try {
    const report = JSON.parse(readFileSync(`${resultsDir}/${file}`, 'utf8'));
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests + (report.numRuntimeErrors ?? 0);
    totals.skipped += report.numPendingTests + report.numTodoTests;
    if (!okRun && report.numFailedTests === 0) totals.failed += 1; // e.g. a suite that failed to load
  } catch {
    if (!okRun) totals.failed += 1;
  }
  return okRun;
}

let ok = true;
ok = step('typecheck', npx, ['tsc', '-p', 'tsconfig.json', '--noEmit']) && ok;
ok = step('lint', npx, ['eslint', '.']) && ok;
const built = step('build', 'npm', ['run', '--silent', 'build']);
ok = built && ok;
ok = vitest('unit, database and backend tests', ['unit', 'db', 'backend'], 'fast.json') && ok;
if (built) ok = vitest('browser and Electron end-to-end tests', ['e2e'], 'e2e.json') && ok;
else console.error('✖ end-to-end tests not run: the build failed');

if (!ok && totals.failed === 0) totals.failed = 1;
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(ok ? 0 : 1);
