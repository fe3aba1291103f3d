// `npm run bench`: bundles every tests/bench/*.bench.ts with esbuild and runs it with this Node.
// Benchmarks print figures (ratios to a reference measured in the same run); they assert nothing.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const only = process.argv.slice(2);
const files = readdirSync('tests/bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

let failed = 0;
for (const file of files) {
  const outfile = path.join('out', 'bench', file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [path.join('tests/bench', file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    logLevel: 'warning',
  });
  console.log(`\n=== ${file} ===`);
  const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
  if (run.status !== 0) {
    failed += 1;
    console.error(`${file} exited with ${run.status}`);
  }
}
process.exit(failed ? 1 : 0);
