import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runMeasureCommand } from '../../../electron/backend/cli/measure-command';

const goldenDir = fileURLToPath(new URL('../../fixtures/golden/', import.meta.url));
const g = (name: string) => `${goldenDir}${name}`;

function run(args: string[], files: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = runMeasureCommand(args, {
    readFile: (path) => (path in files ? files[path]! : readFileSync(path, 'utf8')),
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
  });
  return { code, stdout, stderr };
}

/** Deep comparison with a relative tolerance on numbers, so a golden file survives last-bit float differences. */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

/** Compares with the golden output; UPDATE_GOLDEN=1 rewrites it (review the diff before committing). */
function expectGolden(stdout: string, name: string) {
  const actual = JSON.parse(stdout);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(g(name), `${JSON.stringify(actual, null, 2)}\n`);
  expectClose(actual, JSON.parse(readFileSync(g(name), 'utf8')));
}

describe('osteoplan measure --json (golden output)', () => {
  it('prints every measurement of the golden landmark set', () => {
    const r = run(['measure', g('landmark-set.v1.json'), '--spacing', '0.143,0.143', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectGolden(r.stdout, 'cli/measure.v1.json');
    const out = JSON.parse(r.stdout);
    // The golden set is the typical varus leg: MPTA 84, mLDFA 88, JLCA 1.5 → HKA −5.5° (coordinates rounded to 0.01 px).
    expect(out.measurements.hka.value).toBeCloseTo(-5.5, 2);
    expect(out.measurements.hka.display).toBe('174.5° (5.5° varus)');
    expect(out.measurements.mpta.value).toBeCloseTo(84, 2);
    expect(out.calibration).toMatchObject({ type: 'calibrated', rowSpacingMm: 0.143, source: '--spacing' });
    expect(out.plan).toBeNull();
  });

  it('with --plan adds wedge angle, gap, predicted values and flags', () => {
    const r = run([g('landmark-set.v1.json'), '--plan', g('plan.v1.json'), '--spacing', '0.143,0.143', '--json']);
    expect(r.code).toBe(0);
    expectGolden(r.stdout, 'cli/measure-plan.v1.json');
    const plan = JSON.parse(r.stdout).plan;
    expect(plan.predicted.measurements.wbl.value).toBeCloseTo(62.5, 9);
    expect(plan.cuts[0].gapChordMm).toBeCloseTo(2 * plan.cuts[0].osteotomyLengthMm * Math.sin((plan.cuts[0].wedgeAngleDeg * Math.PI) / 360), 9);
    expect(Math.abs(plan.alignmentChangeDeg - plan.hkaChangeDeg)).toBeLessThan(0.01);
  });

  it('runs the double-level golden plan with an HKA target', () => {
    const r = run([g('landmark-set.v1.json'), '--plan', g('plan.v1.double-level.json'), '--spacing', '0.143\\0.143', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout).plan;
    expect(plan.cuts).toHaveLength(2);
    expect(plan.cuts[0].hingeSource).toBe('plan');
    expect(plan.predicted.measurements.mpta.value).toBeLessThanOrEqual(92 + 1e-9);
  });

  it('a user marker in the set wins over --spacing; a half-placed set prints what it can', () => {
    const r = run([g('landmark-set.v1.partial.json'), '--spacing', '0.2,0.2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.calibration.type).toBe('user');
    expect(out.calibration.rowSpacingMm).toBeCloseTo(0.1, 3);
    expect(out.measurements.jlca.status).not.toBe('unavailable');
    expect(out.measurements.hka).toMatchObject({ status: 'unavailable', value: null, missing: ['femoralHeadCentre', 'malleolusMedial', 'malleolusLateral'] });
    expect(r.stdout).not.toMatch(/NaN/);
  });

  it('without spacing the image is uncalibrated: angles yes, mm no', () => {
    const out = JSON.parse(run([g('landmark-set.v1.json'), '--json']).stdout);
    expect(out.calibration.type).toBe('uncalibrated');
    expect(out.measurements.hka.value).toBeCloseTo(-5.5, 2);
    expect(out.measurements.mad).toMatchObject({ status: 'unavailable', value: null });
  });

  it('a calibration file is accepted', () => {
    const cal = JSON.stringify({ type: 'detector', rowSpacingMm: 0.143, columnSpacingMm: 0.143, source: 'ImagerPixelSpacing', note: null });
    const out = JSON.parse(run([g('landmark-set.v1.json'), '--calibration', 'cal.json', '--json'], { 'cal.json': cal }).stdout);
    expect(out.calibration.type).toBe('detector');
    expect(out.measurements.mad.display).toMatch(/mm medial \(detector\)$/);
  });
});

describe('osteoplan measure, readable output', () => {
  it('prints a table with displays, normals and the verdicts', () => {
    const r = run([g('landmark-set.v1.json'), '--plan', g('plan.v1.json'), '--spacing', '0.143,0.143']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/HKA\s+174\.5° \(5\.5° varus\)\s+normal 180 ± 3°\s+low/);
    expect(r.stdout).toMatch(/Self-check: HKA = MPTA − mLDFA − JLCA holds\./);
    expect(r.stdout).toMatch(/tibia opening wedge: wedge angle \d+\.\d\d°/);
    expect(r.stdout).toMatch(/Predicted:/);
  });
});

describe('osteoplan measure, bad input: a clear message and an exit code', () => {
  it('usage errors exit 2', () => {
    expect(run([]).code).toBe(2);
    expect(run(['a.json', 'b.json']).stderr).toMatch(/Expected one landmarks file, got 2/);
    expect(run(['a.json', '--frobnicate']).code).toBe(2);
    expect(run(['a.json', '--plan']).stderr).toMatch(/--plan needs a value/);
    expect(run(['a.json', '--spacing', '1', '--calibration', 'c']).code).toBe(2);
    expect(run(['a.json', '--spacing', '0.1']).code).toBe(2);
    expect(run(['--help']).code).toBe(0);
  });

  it('unreadable, non-JSON and invalid files exit 1 naming the problem', () => {
    const missing = run(['/nonexistent/landmarks.json', '--json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read the landmark set \/nonexistent\/landmarks\.json/);
    const notJson = run(['x.json'], { 'x.json': '{ nope' });
    expect(notJson).toMatchObject({ code: 1, stdout: '' });
    expect(notJson.stderr).toMatch(/x\.json is not valid JSON/);
    const invalid = run(['x.json'], { 'x.json': JSON.stringify({ schemaVersion: 1, side: 'Q' }) });
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/Invalid landmark set/);
    expect(invalid.stderr).toMatch(/side/);
    const future = run(['x.json'], { 'x.json': JSON.stringify({ schemaVersion: 9 }) });
    expect(future.stderr).toMatch(/schemaVersion 9/);
  });

  it('zero spacing is refused with INVALID_SPACING wording', () => {
    const r = run([g('landmark-set.v1.json'), '--spacing', '0,0.1', '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row spacing from --spacing is 0 mm\/px: it must be a finite number greater than zero/);
  });

  it('a plan that cannot be computed exits 1 with the missing landmarks', () => {
    const r = run([g('landmark-set.v1.partial.json'), '--plan', g('plan.v1.json'), '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/A plan needs Femoral head centre/);
  });
});
