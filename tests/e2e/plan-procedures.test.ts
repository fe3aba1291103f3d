// Browser end-to-end of the procedures other than the medial opening-wedge HTO (issue "choose the
// procedure", clinical-spec §5) on generated phantoms whose deformity suits them: a valgus knee of
// femoral origin (mLDFA 83°) gets a lateral opening-wedge and a medial closing-wedge DFO to 50 %,
// a severe varus with femoral and tibial deformity a double-level plan to 62.5 % and, for
// comparison, a lateral closing-wedge HTO. The true landmarks are clicked on the measuring screen,
// the procedure and target are chosen with the plan screen's own controls; the panel equals
// computePlan on the true landmarks, the right bone changes, the osteotomy is drawn on that bone
// with its wedge on the side the procedure opens or closes, the simulated correction moves that
// bone's fragment only, and a dragged DFO hinge gives computePlan's values for that hinge.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import type { LegGeometryInput } from '../../electron/backend/phantom/geometry';
import { writeLongLegFilm, type PhantomTruth } from '../../electron/backend/phantom/long-leg-film';
import { decideCalibration } from '../../shared/calibration/calibration';
import type { ImageDetail } from '../../shared/ipc/contract';
import { fixed1 } from '../../shared/measurements/format';
import { planDisplayGeometry } from '../../shared/planning/display-geometry';
import { computePlan, type PlanResult } from '../../shared/planning/osteotomy';
import type { Calibration } from '../../shared/schemas/calibration';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import type { Plan, Procedure } from '../../shared/schemas/plan';
import { startApp, TMP, tmpDir, type AppHarness } from './helpers';
import { band, call, disc, dragHingeOfFirstCut, expectSimulatedMotion, flagCodes, measureTrueLegAndOpenPlan, pagePlan, planValues, toCanvasNow, waitPlanSaved, withTruth, zoomOnto, type Pt } from './measure-helpers';

const SHOTS = path.join(TMP, 'plan-procedures');
mkdirSync(SHOTS, { recursive: true });

type Landmarks = NonNullable<PhantomTruth['legs']['R']>['landmarksPx'];

interface Planned {
  app: AppHarness;
  page: Page;
  imageId: number;
  L: Landmarks;
  sphere: NonNullable<PhantomTruth['sphere']>;
  /** The landmark set as clicked and saved. */
  stored: LandmarkSet;
  /** The same set with every point at its true position. */
  truthSet: LandmarkSet;
  calibration: Calibration;
  size: { columns: number; rows: number };
}

/** Generates the phantom, imports it, clicks the right leg's true landmarks and opens the plan screen. */
async function measuredOnPlanScreen(name: string, legs: LegGeometryInput, seed: number): Promise<Planned> {
  const { dicomPath, truth } = writeLongLegFilm(tmpDir(name), { scale: 0.5, seed, legs: { R: legs } }, name);
  const L = truth.legs.R!.landmarksPx;
  const app = await startApp();
  const { page } = app;
  await page.goto(app.bridge.url);
  const imageId = await measureTrueLegAndOpenPlan(page, dicomPath, L);
  const detail = (await call(app, 'library:getImage', { imageId })) as ImageDetail;
  const stored = (await call(app, 'measurement:list', { imageId })).find((s) => s.set.side === 'R')!.set;
  return {
    app,
    page,
    imageId,
    L,
    sphere: truth.sphere!,
    stored,
    truthSet: withTruth(stored, L as unknown as Record<string, unknown>),
    calibration: decideCalibration(detail.header, null),
    size: { columns: detail.header.columns, rows: detail.header.rows },
  };
}

/** Chooses the procedure and a target preset with the plan screen's controls, as a surgeon does. */
async function choose(page: Page, procedure: Procedure, preset: 'neutral' | 'consensus' | 'fujisawa'): Promise<Plan> {
  await page.getByTestId('plan-procedure').selectOption(procedure);
  await page.locator(`[data-target-preset="${preset}"]`).click();
  await expect.poll(async () => {
    const p = await pagePlan(page);
    return [p.procedure, p.target.kind === 'wbl' ? p.target.preset : null];
  }).toEqual([procedure, preset]);
  await waitPlanSaved(page);
  return pagePlan(page);
}

const MEASURES = ['hka', 'mpta', 'mldfa', 'jlo', 'wbl'] as const;

/**
 * The panel against computePlan: on the TRUE landmarks within display rounding (0.1°, 0.2 mm,
 * 0.2 %), on the clicked landmarks exactly; the text shown is the rounded raw value.
 */
async function expectPanelEqualsEngine(page: Page, ctx: Planned, plan: Plan): Promise<{ onTruth: PlanResult; onStored: PlanResult; v: Record<string, number | null> }> {
  const onTruth = computePlan(ctx.truthSet, ctx.calibration, plan);
  const onStored = computePlan(ctx.stored, ctx.calibration, plan);
  const v = await planValues(page);
  for (const [i, cut] of onTruth.cuts.entries()) {
    const s = i === 0 ? '' : `-${i}`;
    expect(Math.abs(v[`wedgeAngle${s}`]! - cut.wedgeAngleDeg), `wedge angle of the ${cut.bone}`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(v[`gapChord${s}`]! - cut.gapChordMm!), `gap of the ${cut.bone}`).toBeLessThanOrEqual(0.2);
    expect(Math.abs(v[`gapTangent${s}`]! - cut.gapTangentMm!)).toBeLessThanOrEqual(0.2);
    expect(v[`wedgeAngle${s}`]).toBeCloseTo(onStored.cuts[i]!.wedgeAngleDeg, 9);
    expect(v[`gapChord${s}`]).toBeCloseTo(onStored.cuts[i]!.gapChordMm!, 9);
    expect(await page.locator(`[data-plan-value="wedgeAngle${s}"] .value-number`).innerText()).toBe(`${fixed1(v[`wedgeAngle${s}`]!)}°`);
    expect(await page.locator(`[data-plan-value="gapChord${s}"] .value-number`).innerText()).toBe(`${fixed1(v[`gapChord${s}`]!)} mm`);
  }
  expect(await page.locator('[data-plan-value^="wedgeAngle"]').count()).toBe(onTruth.cuts.length);
  expect(Math.abs(v.alignmentChange! - onTruth.alignmentChangeDeg)).toBeLessThanOrEqual(0.1);
  for (const m of MEASURES) {
    const truth = onTruth.predicted.measurements[m].value!;
    expect(Math.abs(v[`post:${m}`]! - truth), `predicted ${m}: ${v[`post:${m}`]} vs ${truth}`).toBeLessThanOrEqual(m === 'wbl' ? 0.2 : 0.1);
    expect(Math.abs(v[`pre:${m}`]! - onTruth.preOp.measurements[m].value!), `pre-op ${m}`).toBeLessThanOrEqual(m === 'wbl' ? 0.2 : 0.1);
    expect(v[`post:${m}`]).toBeCloseTo(onStored.predicted.measurements[m].value!, 9);
  }
  expect(await flagCodes(page)).toEqual(onStored.flags.map((f) => f.code));
  return { onTruth, onStored, v };
}

/** An SVG line's end points (canvas pixels). */
async function overlayLine(page: Page, key: string): Promise<[Pt, Pt]> {
  const line = page.locator(`[data-overlay="${key}"] line`).last();
  const n = async (a: string) => Number(await line.getAttribute(a));
  return [
    { x: await n('x1'), y: await n('y1') },
    { x: await n('x2'), y: await n('y2') },
  ];
}

type Span = 'distal femur' | 'proximal tibia';

/**
 * The osteotomy of cut `i` is drawn where the plan puts it (line ends on the hinge and cut entry
 * handles) and on the right bone: the distal quarter of the femur above the condyles, or the
 * proximal quarter of the tibia below the plateau. The wedge lies on the cut entry's side
 * (opening: where the gap opens; closing: the bone removed), with the hinge on the other.
 */
async function expectCutDrawn(page: Page, ctx: Planned, result: PlanResult, i: number, span: Span, entrySide: 'lateral' | 'medial'): Promise<void> {
  const { L } = ctx;
  const cut = result.cuts[i]!;
  const hingeHandle = page.locator(`[data-handle="hinge-${i}"]`);
  const entryHandle = page.locator(`[data-handle="cut-entry-${i}"]`);
  const hinge = { x: Number(await hingeHandle.getAttribute('data-x')), y: Number(await hingeHandle.getAttribute('data-y')) };
  const entry = { x: Number(await entryHandle.getAttribute('data-x')), y: Number(await entryHandle.getAttribute('data-y')) };
  expect(hinge.x).toBeCloseTo(cut.hinge.x, 6);
  expect(entry.y).toBeCloseTo(cut.cutEntry.y, 6);
  const toCanvas = await toCanvasNow(page);
  const [a, b] = await overlayLine(page, `osteotomy-${i}`);
  for (const [drawn, want] of [
    [a, toCanvas(entry)],
    [b, toCanvas(hinge)],
  ] as const) {
    expect(Math.abs(drawn.x - want.x) + Math.abs(drawn.y - want.y), `osteotomy-${i} ends on its handles`).toBeLessThan(0.5);
  }
  for (const p of [hinge, entry]) {
    if (span === 'distal femur') {
      expect(p.y, 'below the proximal three quarters of the femur').toBeGreaterThan(L.kneeCentre.y - 0.25 * (L.kneeCentre.y - L.femoralHeadCentre.y));
      expect(p.y, 'above the condyles').toBeLessThan(Math.min(L.femoralCondyleMedial.y, L.femoralCondyleLateral.y));
    } else {
      expect(p.y, 'below the plateau').toBeGreaterThan(Math.max(L.tibialPlateauMedial.y, L.tibialPlateauLateral.y));
      expect(p.y, 'in the proximal quarter of the tibia').toBeLessThan(L.kneeCentre.y + 0.25 * (L.ankleCentre.y - L.kneeCentre.y));
    }
  }
  // Right leg on an AP film: lateral is toward the lateral condyle from the knee centre.
  const lateralSign = Math.sign(L.femoralCondyleLateral.x - L.kneeCentre.x);
  const sideOf = (p: Pt) => (Math.sign(p.x - L.kneeCentre.x) === lateralSign ? 'lateral' : 'medial');
  expect(sideOf(entry), `cut entry of cut ${i}`).toBe(entrySide);
  expect(sideOf(hinge), `hinge of cut ${i}`).toBe(entrySide === 'lateral' ? 'medial' : 'lateral');
  const wedge = await page.locator(`[data-overlay="wedge-${i}"] polygon`).first().getAttribute('points');
  const pts = wedge!.split(' ').map((s) => s.split(',').map(Number) as [number, number]);
  const centroidX = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  expect(Math.sign(centroidX - toCanvas(hinge).x), `wedge ${i} lies toward its cut entry`).toBe(Math.sign(toCanvas(entry).x - toCanvas(hinge).x));
}

async function screenshots(page: Page, L: Landmarks, name: string): Promise<void> {
  await page.keyboard.press('f');
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(SHOTS, `${name}-fit.png`) });
  await zoomOnto(page, { x: L.kneeCentre.x, y: L.kneeCentre.y - 20 }, 1.4);
  await page.mouse.move(5, 5);
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(SHOTS, `${name}-knee.png`) });
}

describe('browser e2e: DFO and double-level plans', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('valgus knee of femoral origin (mLDFA 83°): lateral opening-wedge and medial closing-wedge DFO to 50 %, hinge drag, simulated correction', async () => {
    const ctx = await measuredOnPlanScreen('valgus-dfo', { mldfaDeg: 83, mptaDeg: 87, jlcaDeg: 0 }, 21);
    app = ctx.app;
    const { page, L } = ctx;

    // Lateral opening-wedge DFO to the neutral 50 % a valgus knee is corrected to (clinical-spec §5).
    const low = await choose(page, 'dfo-lateral-opening', 'neutral');
    expect(low.hinge).toBeNull();
    const { onTruth, onStored, v } = await expectPanelEqualsEngine(page, ctx, low);
    expect(onTruth.cuts.map((c) => [c.bone, c.wedge])).toEqual([['femur', 'opening']]);
    expect(Math.abs(v['pre:mldfa']! - 83)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(v['pre:hka']! - 4)).toBeLessThanOrEqual(0.1);
    // The femur is corrected: mLDFA changes by the alignment change, MPTA does not move at all.
    expect(v['post:mldfa']! - v['pre:mldfa']!).toBeGreaterThan(3);
    expect(v['post:mpta']).toBeCloseTo(v['pre:mpta']!, 9);
    expect(Math.abs(v['post:hka']!)).toBeLessThan(0.5);
    expect(await page.locator('[data-plan-value="wedgeAngle"] .value-label').innerText()).toBe('Wedge angle α (what you open)');
    expect(await page.locator('[data-plan-value="gapChord"] .value-label').innerText()).toBe('Gap at the cortex, 2L·sin(α/2)');
    await expectCutDrawn(page, ctx, onStored, 0, 'distal femur', 'lateral');
    expect(await page.locator('[data-label="wedge-0"]').textContent()).toBe(`α ${fixed1(v.wedgeAngle!)}°`);
    expect(await page.locator('[data-label="gap-0"]').textContent()).toBe(`gap ${fixed1(v.gapChord!)} mm`);
    await screenshots(page, L, 'dfo-lateral-opening');

    // Drag the femoral hinge by (+20, −12) image pixels at 200 %: computePlan's values for that hinge.
    const { dragged } = await dragHingeOfFirstCut(page);
    const afterDrag = await planValues(page);
    const engineDragged = computePlan(ctx.stored, ctx.calibration, dragged);
    expect(afterDrag.wedgeAngle).toBeCloseTo(engineDragged.wedgeAngleDeg, 9);
    expect(afterDrag.gapChord).toBeCloseTo(engineDragged.cuts[0]!.gapChordMm!, 9);
    expect(afterDrag['post:mldfa']).toBeCloseTo(engineDragged.predicted.measurements.mldfa.value!, 9);
    expect(Math.abs(afterDrag.wedgeAngle! - v.wedgeAngle!)).toBeGreaterThan(0.05);
    expect(afterDrag.gapChord).not.toBeCloseTo(v.gapChord!, 3);
    expect(afterDrag['post:mpta']).toBeCloseTo(v['pre:mpta']!, 9);
    await waitPlanSaved(page);

    // Simulated correction: the proximal fragment (femoral head and shaft) turns about the hinge; the tibia stays.
    const g = planDisplayGeometry(ctx.stored, ctx.calibration, engineDragged, ctx.size);
    expect(g.cuts[0]!.fragment.part).toBe('proximal');
    const cutTop = Math.min(engineDragged.cuts[0]!.hinge.y, engineDragged.cuts[0]!.cutEntry.y);
    await expectSimulatedMotion(page, [
      { name: 'femoral shaft', points: band(L.femoralShaftProximal, { x: L.femoralShaftDistal.x, y: cutTop - 30 }, 50), moved: g.cuts[0]!.fragment.transform },
      { name: 'tibia', points: band({ x: L.kneeCentre.x, y: L.kneeCentre.y + 60 }, L.ankleCentre, 60), moved: null },
    ]);
    await screenshots(page, L, 'dfo-lateral-opening-simulated');
    await page.getByTestId('toggle-simulation').click();

    // A second plan: medial closing-wedge DFO, hinge lateral, wedge medial.
    await page.getByTestId('plan-new').click();
    await expect.poll(() => page.locator('[data-plan-item]').count()).toBe(2);
    const mcw = await choose(page, 'dfo-medial-closing', 'neutral');
    expect(mcw.hinge).toBeNull();
    const closing = await expectPanelEqualsEngine(page, ctx, mcw);
    expect(closing.onTruth.cuts.map((c) => [c.bone, c.wedge])).toEqual([['femur', 'closing']]);
    expect(closing.v['post:mldfa']! - closing.v['pre:mldfa']!).toBeGreaterThan(3);
    expect(closing.v['post:mpta']).toBeCloseTo(closing.v['pre:mpta']!, 9);
    expect(await page.locator('[data-plan-value="wedgeAngle"] .value-label').innerText()).toBe('Wedge angle α (what you close)');
    expect(await page.locator('[data-plan-value="gapChord"] .value-label').innerText()).toBe('Wedge base, 2L·sin(α/2)');
    await expectCutDrawn(page, ctx, closing.onStored, 0, 'distal femur', 'medial');
    expect(await page.locator('[data-overlay="second-cut-0"]').count()).toBe(1);
    expect(await page.locator('[data-label="gap-0"]').textContent()).toBe(`base ${fixed1(closing.v.gapChord!)} mm`);
    await screenshots(page, L, 'dfo-medial-closing');
    const gc = planDisplayGeometry(ctx.stored, ctx.calibration, closing.onStored, ctx.size);
    const closingTop = Math.min(closing.onStored.cuts[0]!.hinge.y, closing.onStored.cuts[0]!.cutEntry.y);
    await expectSimulatedMotion(page, [
      { name: 'femoral shaft', points: band(L.femoralShaftProximal, { x: L.femoralShaftDistal.x, y: closingTop - 30 }, 50), moved: gc.cuts[0]!.fragment.transform },
      { name: 'tibia', points: band({ x: L.kneeCentre.x, y: L.kneeCentre.y + 60 }, L.ankleCentre, 60), moved: null },
    ]);
    await screenshots(page, L, 'dfo-medial-closing-simulated');
    expect(app.problems).toEqual([]);
  });

  it('severe varus with femoral and tibial deformity: double-level (tibia to MPTA 90°, femur the rest) and a lateral closing-wedge HTO', async () => {
    // MPTA 82°, mLDFA 92°, JLCA 1°: HKA −11° (clinical-spec §3 identity).
    const ctx = await measuredOnPlanScreen('varus-double', { mptaDeg: 82, mldfaDeg: 92, jlcaDeg: 1 }, 23);
    app = ctx.app;
    const { page, L } = ctx;

    const dl = await choose(page, 'double-level', 'fujisawa');
    expect(dl.doubleLevel).toEqual({ maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null });
    const { onTruth, onStored, v } = await expectPanelEqualsEngine(page, ctx, dl);
    expect(onTruth.cuts.map((c) => [c.bone, c.wedge])).toEqual([
      ['tibia', 'opening'],
      ['femur', 'closing'],
    ]);
    expect(Math.abs(v['pre:hka']! + 11)).toBeLessThanOrEqual(0.1);
    // clinical-spec §5: the tibia brings MPTA to the limit (90°), the femur does the rest; both bones change.
    expect(Math.abs(v['post:mpta']! - 90)).toBeLessThanOrEqual(0.1);
    expect(v['post:mpta']! - v['pre:mpta']!).toBeGreaterThan(5);
    expect(v['pre:mldfa']! - v['post:mldfa']!).toBeGreaterThan(3);
    expect(Math.abs(v['post:wbl']! - 62.5)).toBeLessThanOrEqual(0.2);
    expect(v.wedgeAngle).toBeGreaterThan(0);
    expect(v['wedgeAngle-1']).toBeGreaterThan(0);
    expect(await page.locator('[data-plan-value="wedgeAngle"] .value-label').innerText()).toBe('Wedge angle α (what you open) — tibia');
    expect(await page.locator('[data-plan-value="wedgeAngle-1"] .value-label').innerText()).toBe('Wedge angle α (what you close) — femur');
    expect(await page.getByTestId('plan-max-mpta').inputValue()).toBe('90');
    await expectCutDrawn(page, ctx, onStored, 0, 'proximal tibia', 'medial');
    await expectCutDrawn(page, ctx, onStored, 1, 'distal femur', 'lateral');
    expect(await page.locator('[data-label="wedge-0"]').textContent()).toBe(`α tibia ${fixed1(v.wedgeAngle!)}°`);
    expect(await page.locator('[data-label="wedge-1"]').textContent()).toBe(`α femur ${fixed1(v['wedgeAngle-1']!)}°`);
    await screenshots(page, L, 'double-level');

    // Simulated correction: the tibia below its cut and the femur above its cut both move, each by its own transform; the knee between stays.
    const g = planDisplayGeometry(ctx.stored, ctx.calibration, onStored, ctx.size);
    expect(g.cuts.map((c) => c.fragment.part)).toEqual(['distal', 'proximal']);
    const tibialCutLow = Math.max(onStored.cuts[0]!.hinge.y, onStored.cuts[0]!.cutEntry.y);
    const femoralCutHigh = Math.min(onStored.cuts[1]!.hinge.y, onStored.cuts[1]!.cutEntry.y);
    const femoralCutLow = Math.max(onStored.cuts[1]!.hinge.y, onStored.cuts[1]!.cutEntry.y);
    const tibialCutHigh = Math.min(onStored.cuts[0]!.hinge.y, onStored.cuts[0]!.cutEntry.y);
    const halfPlateau = Math.abs(L.tibialPlateauMedial.x - L.tibialPlateauLateral.x) / 2;
    await expectSimulatedMotion(page, [
      { name: 'tibial shaft', points: band({ x: L.kneeCentre.x, y: tibialCutLow + 60 }, L.ankleCentre, 60), moved: g.cuts[0]!.fragment.transform },
      { name: 'femoral shaft', points: band(L.femoralShaftProximal, { x: L.femoralShaftDistal.x, y: femoralCutHigh - 30 }, 50), moved: g.cuts[1]!.fragment.transform },
      // The saw stops at each hinge: condyles and plateau between the two cuts stay, and so does the sphere beside the knee.
      { name: 'knee between the cuts', points: band({ x: L.kneeCentre.x, y: femoralCutLow + 10 }, { x: L.kneeCentre.x, y: tibialCutHigh - 10 }, halfPlateau), moved: null },
      { name: 'calibration sphere', points: disc(ctx.sphere.centrePx, ctx.sphere.diameterPx.x * 0.45), moved: null },
    ]);
    await screenshots(page, L, 'double-level-simulated');
    await page.getByTestId('toggle-simulation').click();

    // A lower limit for the tibia (MPTA 88°) shifts correction to the femur.
    await page.getByTestId('plan-max-mpta').fill('88');
    await page.getByTestId('plan-max-mpta').press('Enter');
    await expect.poll(async () => (await pagePlan(page)).doubleLevel?.maxPostOpMptaDeg).toBe(88);
    const at88 = await expectPanelEqualsEngine(page, ctx, await pagePlan(page));
    expect(Math.abs(at88.v['post:mpta']! - 88)).toBeLessThanOrEqual(0.1);
    expect(at88.v['wedgeAngle-1']!).toBeGreaterThan(v['wedgeAngle-1']! + 1);
    expect(at88.v.wedgeAngle!).toBeLessThan(v.wedgeAngle! - 1);
    await waitPlanSaved(page);

    // For comparison on the same leg: a lateral closing-wedge HTO alone over-tilts the plateau and is flagged.
    await page.getByTestId('plan-new').click();
    await expect.poll(() => page.locator('[data-plan-item]').count()).toBe(2);
    const lcw = await choose(page, 'hto-lateral-closing', 'fujisawa');
    const single = await expectPanelEqualsEngine(page, ctx, lcw);
    expect(single.onTruth.cuts.map((c) => [c.bone, c.wedge])).toEqual([['tibia', 'closing']]);
    expect(single.v['post:mldfa']).toBeCloseTo(single.v['pre:mldfa']!, 9);
    expect(single.v['post:mpta']!).toBeGreaterThan(95);
    expect(await flagCodes(page)).toEqual(expect.arrayContaining(['MPTA_VERY_HIGH', 'FEMORAL_DEFORMITY']));
    await expectCutDrawn(page, ctx, single.onStored, 0, 'proximal tibia', 'lateral');
    await screenshots(page, L, 'hto-lateral-closing');
    expect(app.problems).toEqual([]);
  });
});
