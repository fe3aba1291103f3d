// The plan overlay and the simulated-correction recipe, without a browser: the hinge and cut entry
// handles and the osteotomy line land where projection puts the engine's points, the new axis
// passes through the target, labels carry the engine's numbers and stay off the handles, the
// simulation swaps the pre-op axis for the new one; the canvas recipe clips the still part to every
// stationary polygon and draws each fragment through composeAffine(view, fragment transform).
import { describe, expect, it } from 'vitest';
import { decideCalibration } from '../../../shared/calibration/calibration';
import { landmarkLabel } from '../../../shared/landmarks/catalogue';
import { fixed1 } from '../../../shared/measurements/format';
import { composeAffine, planDisplayGeometry, type Affine } from '../../../shared/planning/display-geometry';
import { computePlan } from '../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { Plan } from '../../../shared/schemas/plan';
import { hitTest } from '../../../renderer/src/overlays/leg-overlay';
import { buildPlanOverlay } from '../../../renderer/src/overlays/plan-overlay';
import { drawSimulatedCorrection, type SimulationContext } from '../../../renderer/src/overlays/simulated-correction';
import { newPlan, withProcedure } from '../../../renderer/src/screens/plan/plan-model';
import { pixelToCanvas, pixelToCanvasTransform, type ViewState } from '../../../renderer/src/viewer/projection';
import golden from '../../fixtures/golden/landmark-set.v1.json';

const set = { ...(golden as unknown as LandmarkSet), userCalibration: null };
const calibration = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1, pixelSpacingCalibrationType: null });
const size = { columns: 2000, rows: 7000 };
// Zoomed on the knee, so the wedge is a few hundred canvas pixels wide.
const knee = set.landmarks.kneeCentre!;
const view: ViewState = { canvasWidth: 1000, canvasHeight: 800, ...size, scale: 0.8, translation: { x: size.columns / 2 - knee.x, y: size.rows / 2 - knee.y - 150 }, rotation: 0, hflip: false, vflip: false };
const toCanvas = (p: { x: number; y: number }) => pixelToCanvas(view, p);

function scene(plan: Plan, simulated = false) {
  const result = computePlan(set, calibration, plan);
  const geometry = planDisplayGeometry(set, calibration, result, size);
  const s = buildPlanOverlay({
    set: simulated ? result.transformedSet : set,
    alignment: simulated ? result.predicted : result.preOp,
    geometry,
    target: plan.target,
    simulated,
    toCanvas,
    bounds: { width: view.canvasWidth, height: view.canvasHeight },
    selected: { cut: 0, point: 'hinge' },
    labelFor: landmarkLabel,
  });
  return { result, geometry, s };
}

const line = (s: ReturnType<typeof scene>['s'], key: string) => {
  const p = s.primitives.find((q) => q.key === key);
  if (!p || p.kind !== 'line') throw new Error(`no line ${key}`);
  return p;
};

describe('plan overlay', () => {
  const plan = newPlan({ name: 'A', surgeon: null });

  it('hinge and cut entry handles and the osteotomy line sit on the engine’s points; the hinge is hit-tested', () => {
    const { result, s } = scene(plan);
    const cut = result.cuts[0]!;
    const hinge = s.handles.find((h) => h.key === 'hinge-0')!;
    const entry = s.handles.find((h) => h.key === 'cut-entry-0')!;
    expect(hinge.at).toEqual(toCanvas(cut.hinge));
    expect(hinge.pixel).toEqual({ x: cut.hinge.x, y: cut.hinge.y });
    expect(hinge.ref).toEqual({ cut: 0, point: 'hinge' });
    expect(hinge.selected).toBe(true);
    expect(entry.at).toEqual(toCanvas(cut.cutEntry));
    const osteotomy = line(s, 'osteotomy-0');
    expect(osteotomy.a).toEqual(toCanvas(cut.cutEntry));
    expect(osteotomy.b).toEqual(toCanvas(cut.hinge));
    expect(hitTest(s.handles, { x: hinge.at.x + 4, y: hinge.at.y })?.ref).toEqual({ cut: 0, point: 'hinge' });
    // No landmark handles: the landmarks are moved on the measuring screen.
    expect(s.handles.map((h) => h.key).sort()).toEqual(['cut-entry-0', 'hinge-0']);
  });

  it('the new axis passes through the target; labels carry α, the gap and the target and avoid the handles', () => {
    const { result, geometry, s } = scene(plan);
    const axis = line(s, 'new-axis');
    const T = toCanvas(geometry.targetPoint);
    const cross = (axis.b.x - axis.a.x) * (T.y - axis.a.y) - (axis.b.y - axis.a.y) * (T.x - axis.a.x);
    expect(Math.abs(cross) / Math.hypot(axis.b.x - axis.a.x, axis.b.y - axis.a.y)).toBeLessThan(1e-6);
    const text = (key: string) => s.labels.find((l) => l.key === key)?.text;
    expect(text('wedge-0')).toBe(`α ${fixed1(result.wedgeAngleDeg)}°`);
    expect(text('gap-0')).toBe(`gap ${fixed1(result.cuts[0]!.gapChordMm!)} mm`);
    expect(text('target')).toBe('Target 62.5 %');
    for (const l of s.labels) {
      for (const h of s.handles) {
        const nx = Math.max(l.rect.x, Math.min(h.at.x, l.rect.x + l.rect.width));
        const ny = Math.max(l.rect.y, Math.min(h.at.y, l.rect.y + l.rect.height));
        expect(Math.hypot(nx - h.at.x, ny - h.at.y), `${l.key} over ${h.key}`).toBeGreaterThanOrEqual(h.radius);
      }
    }
    expect(s.primitives.some((p) => p.key === 'mechanical-axis')).toBe(true);
    expect(s.primitives.some((p) => p.key === 'femoral-axis' || p.key === 'tibial-axis')).toBe(false);
  });

  it('on the simulation the leg’s axis is the new one (pre-op axis faint) and the moved cut edge is drawn', () => {
    const { geometry, s } = scene(plan, true);
    expect(s.primitives.some((p) => p.key === 'mechanical-axis')).toBe(false);
    expect(line(s, 'preop-axis').a).toEqual(toCanvas(geometry.preOpAxis.from));
    expect(line(s, 'moved-cut-0').b).toEqual(toCanvas(geometry.cuts[0]!.movedCutEntry));
    expect(line(s, 'new-axis').dash).toBeUndefined();
  });

  it('a closing wedge shows the bone to remove pre-op and hides it on the simulation; double-level has a handle pair per cut', () => {
    const closing = withProcedure(plan, 'hto-lateral-closing');
    expect(scene(closing).s.primitives.some((p) => p.key === 'second-cut-0')).toBe(true);
    expect(scene(closing).s.primitives.some((p) => p.key === 'wedge-0')).toBe(true);
    expect(scene(closing, true).s.primitives.some((p) => p.key === 'wedge-0')).toBe(false);
    const dl = scene({ ...withProcedure(plan, 'double-level'), target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' } });
    expect(dl.result.cuts).toHaveLength(2);
    expect(dl.s.handles.map((h) => h.key).sort()).toEqual(['cut-entry-0', 'cut-entry-1', 'hinge-0', 'hinge-1']);
    expect(dl.s.labels.find((l) => l.key === 'wedge-1')?.text).toMatch(/^α femur \d+\.\d°$/);
  });
});

type Call = { op: string; args: unknown[]; transform: Affine };

function recorder(): SimulationContext & { calls: Call[] } {
  let transform: Affine = [1, 0, 0, 1, 0, 0];
  const stack: Affine[] = [];
  const calls: Call[] = [];
  const rec = (op: string) => (...args: unknown[]) => void calls.push({ op, args, transform });
  return {
    calls,
    fillStyle: '',
    imageSmoothingEnabled: true,
    save: () => (stack.push(transform), calls.push({ op: 'save', args: [], transform })),
    restore: () => ((transform = stack.pop()!), calls.push({ op: 'restore', args: [], transform })),
    setTransform: (a, b, c, d, e, f) => void (transform = [a, b, c, d, e, f]),
    fillRect: rec('fillRect'),
    beginPath: rec('beginPath'),
    moveTo: rec('moveTo'),
    lineTo: rec('lineTo'),
    closePath: rec('closePath'),
    clip: rec('clip'),
    fill: rec('fill'),
    drawImage: rec('drawImage'),
  } as SimulationContext & { calls: Call[] };
}

describe('simulated correction recipe', () => {
  it('draws the film, blanks each fragment where it was, and draws each fragment through its transform', () => {
    const plan = { ...withProcedure(newPlan({ name: 'A', surgeon: null }), 'double-level') };
    const result = computePlan(set, calibration, plan);
    const geometry = planDisplayGeometry(set, calibration, result, size);
    const imageToCanvas = pixelToCanvasTransform(view);
    const source = {} as CanvasImageSource;
    const ctx = recorder();
    drawSimulatedCorrection(ctx, { source, sourceToImage: [1, 0, 0, 1, 0, 0], imageToCanvas, geometry, canvasSize: { width: 1000, height: 800 }, smoothing: false });
    expect(ctx.calls[1]).toMatchObject({ op: 'fillRect', args: [0, 0, 1000, 800], transform: [1, 0, 0, 1, 0, 0] });
    expect(ctx.imageSmoothingEnabled).toBe(false);
    const draws = ctx.calls.filter((c) => c.op === 'drawImage');
    expect(draws).toHaveLength(1 + geometry.cuts.length);
    expect(draws[0]!.transform).toEqual(imageToCanvas);
    geometry.cuts.forEach((cut, i) => expect(draws[i + 1]!.transform).toEqual(composeAffine(imageToCanvas, cut.fragment.transform)));
    // After the still draw: each fragment's polygon filled black in pre-op pixels (the gap it leaves).
    const firstDraw = ctx.calls.indexOf(draws[0]!);
    const secondDraw = ctx.calls.indexOf(draws[1]!);
    const fills = ctx.calls.slice(firstDraw, secondDraw).filter((c) => c.op === 'fill');
    expect(fills).toHaveLength(geometry.cuts.length);
    for (const f of fills) expect(f.transform).toEqual(imageToCanvas);
    // Then the first fragment's clip path: its own polygon in pre-op pixels, under the moved transform.
    const paths = ctx.calls.slice(firstDraw, secondDraw).filter((c) => c.op === 'moveTo' || c.op === 'lineTo');
    const blanked = geometry.cuts.flatMap((c) => c.fragment.polygon);
    expect(paths.map((c) => ({ x: c.args[0], y: c.args[1] }))).toEqual([...blanked, ...geometry.cuts[0]!.fragment.polygon]);
    expect(paths[blanked.length]!.transform).toEqual(composeAffine(imageToCanvas, geometry.cuts[0]!.fragment.transform));
    // save/restore balance: nothing leaks into the next frame.
    expect(ctx.calls.filter((c) => c.op === 'save').length).toBe(ctx.calls.filter((c) => c.op === 'restore').length);
  });
});
