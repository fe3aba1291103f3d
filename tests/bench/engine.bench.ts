// Engine benchmark (issue 3): microseconds per call for all measurements of one leg and for one
// plan (target ≤ 50 µs). A plain script: `npm run bench` bundles it with esbuild and runs it with node.
import { computeLegAlignment } from '../../shared/measurements/leg-alignment';
import { computePlan } from '../../shared/planning/osteotomy';
import { parsePlan } from '../../shared/schemas/plan';
import { calibrated, legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG } from '../unit/helpers/synthetic-leg';

const TARGET_US = 50;
const set = toLandmarkSet(legPointsMm(TYPICAL_VARUS_LEG));
const cal = calibrated(0.143, 0.143);
const plan = parsePlan({ schemaVersion: 1, name: 'bench', procedure: 'hto-medial-opening', target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' } });
const doubleLevel = parsePlan({ schemaVersion: 1, name: 'bench', procedure: 'double-level', target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' }, doubleLevel: { maxPostOpMptaDeg: 90 } });

let sink = 0;
function bench(name: string, fn: () => number): number {
  for (let i = 0; i < 2000; i++) sink += fn(); // warm-up for the JIT
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  // At least 200 ms or 20 000 calls, whichever is later, so the figure is stable on a shared machine.
  while (elapsed < 200 || iterations < 20_000) {
    for (let i = 0; i < 1000; i++) sink += fn();
    iterations += 1000;
    elapsed = performance.now() - start;
  }
  const us = (elapsed * 1000) / iterations;
  console.log(`${name.padEnd(48)} ${us.toFixed(2).padStart(8)} µs/call ${us <= TARGET_US ? '' : `(above the ${TARGET_US} µs target)`}`);
  return us;
}

// A reference loop in the same process, so the figures can be read as ratios on any machine.
const reference = bench('reference: 1000 Math.hypot', () => {
  let s = 0;
  for (let i = 0; i < 1000; i++) s += Math.hypot(i, s);
  return s;
});
const measure = bench('computeLegAlignment (all measurements)', () => computeLegAlignment(set, cal).measurements.hka.value!);
const single = bench('computePlan (HTO, includes pre + predicted measures)', () => computePlan(set, cal, plan).wedgeAngleDeg);
const both = bench('computeLegAlignment + computePlan', () => computeLegAlignment(set, cal).measurements.hka.value! + computePlan(set, cal, plan).wedgeAngleDeg);
bench('computePlan (double-level)', () => computePlan(set, cal, doubleLevel).wedgeAngleDeg);
console.log(`ratios to reference: measure ${(measure / reference).toFixed(2)}, plan ${(single / reference).toFixed(2)}, both ${(both / reference).toFixed(2)}`);
console.log(both <= TARGET_US ? `OK: all measurements plus one plan in ${both.toFixed(1)} µs (target ≤ ${TARGET_US} µs)` : `SLOW: ${both.toFixed(1)} µs > ${TARGET_US} µs`);
if (!Number.isFinite(sink)) console.log('unreachable');
