// Browser end-to-end of the plan screen (issue 5, "Plan the osteotomy on the film") on a generated
// phantom with known geometry: the true landmarks of the right leg are clicked on the measuring
// screen, then a medial opening-wedge HTO to Fujisawa 62.5 % is planned. Wedge angle, alignment
// change and gap equal computePlan on the true landmarks; a hinge drag by a known offset gives
// computePlan's values for that hinge; the plan and its chosen mark survive a reload; the simulated
// correction moves the distal fragment's pixels exactly by the fragment transform and leaves the
// rest alone; an over-correcting target raises the safety flags; a re-measured leg is announced.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLongLegFilm } from '../../electron/backend/phantom/long-leg-film';
import { decideCalibration } from '../../shared/calibration/calibration';
import type { ImageDetail } from '../../shared/ipc/contract';
import { planDisplayGeometry } from '../../shared/planning/display-geometry';
import { computePlan } from '../../shared/planning/osteotomy';
import type { Plan } from '../../shared/schemas/plan';
import { newPlan } from '../../renderer/src/screens/plan/plan-model';
import { startApp, TMP, tmpDir, waitForRender, type AppHarness, publishScreenshot } from './helpers';
import { band, call, dragHingeOfFirstCut, expectSimulatedMotion, flagCodes, hook, measureTrueLegAndOpenPlan, pagePlan, planValues, waitPlanSaved, withTruth, zoomOnto } from './measure-helpers';

const SHOTS = path.join(TMP, 'plan');
mkdirSync(SHOTS, { recursive: true });

describe('browser e2e: planning an osteotomy', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('HTO to 62.5 % on a phantom: engine values, hinge drag, reload, simulated correction, flags, re-measured', async () => {
    const dir = tmpDir('plan-phantom');
    const { dicomPath, truth } = writeLongLegFilm(dir, { scale: 0.5, seed: 11 }, 'plan-phantom');
    const L = truth.legs.R!.landmarksPx;

    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    const imageId = await measureTrueLegAndOpenPlan(page, dicomPath, L);
    expect(await page.getByTestId('plan').getAttribute('data-side')).toBe('R');
    await page.getByTestId('plan-procedure').selectOption('hto-medial-opening');
    await page.locator('[data-target-preset="fujisawa"]').click();
    await waitPlanSaved(page);
    const planId = Number(await page.getByTestId('plan').getAttribute('data-plan-id'));
    expect(planId).toBeGreaterThan(0);
    expect(await page.evaluate(() => location.hash)).toBe(`#/image/${imageId}/plan/R/${planId}`);

    // The panel equals computePlan on the TRUE landmarks within 0.1° / 0.2 mm.
    const detail = (await call(app, 'library:getImage', { imageId })) as ImageDetail;
    const calibration = decideCalibration(detail.header, null);
    const stored = (await call(app, 'measurement:list', { imageId })).find((s) => s.set.side === 'R')!.set;
    const truthSet = withTruth(stored, L as unknown as Record<string, unknown>);
    const plan62 = { ...newPlan({ name: 'x', surgeon: null }), procedure: 'hto-medial-opening', target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' } } as Plan;
    const onTruth = computePlan(truthSet, calibration, plan62);
    const v = await planValues(page);
    expect(onTruth.cuts[0]!.wedge).toBe('opening');
    expect(Math.abs(v.wedgeAngle! - onTruth.wedgeAngleDeg), `wedge ${v.wedgeAngle} vs ${onTruth.wedgeAngleDeg}`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(v.alignmentChange! - onTruth.alignmentChangeDeg)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(v.gapChord! - onTruth.cuts[0]!.gapChordMm!)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(v.gapTangent! - onTruth.cuts[0]!.gapTangentMm!)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(v['post:wbl']! - 62.5)).toBeLessThanOrEqual(0.2);
    // α is what is opened, the alignment change is smaller (the hinge is not the knee centre).
    expect(v.wedgeAngle!).toBeGreaterThan(v.alignmentChange!);
    expect(await page.locator('[data-plan-value="wedgeAngle"] .value-label').innerText()).toBe('Wedge angle α (what you open)');
    expect(await page.locator('[data-plan-value="alignmentChange"] .value-label').innerText()).toBe('Alignment change (HKA)');
    expect(await page.getByTestId('plan-results').innerText()).not.toMatch(/1 mm = 1°/);
    // On the film: osteotomy line, wedge, gap chord, new axis, target, hinge and cut entry.
    for (const key of ['osteotomy-0', 'wedge-0', 'gap-0', 'new-axis', 'target']) expect(await page.locator(`[data-overlay="${key}"]`).count(), key).toBe(1);
    expect(await page.locator('[data-label="wedge-0"]').textContent()).toBe(`α ${v.wedgeAngle!.toFixed(1)}°`);
    expect(await page.locator('[data-label="gap-0"]').textContent()).toBe(`gap ${v.gapChord!.toFixed(1)} mm`);

    // Screenshot of the plan on the knee.
    await zoomOnto(page, { x: (L.kneeCentre.x + L.tibialPlateauLateral.x) / 2, y: L.kneeCentre.y + 120 }, 1.6);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(SHOTS, 'plan.png') });

    // Drag the hinge by (+20, −12) image pixels at 200 %: the values are computePlan's for that hinge.
    const before = await planValues(page);
    const { dragged } = await dragHingeOfFirstCut(page);
    const afterDrag = await planValues(page);
    const engineDragged = computePlan(stored, calibration, dragged);
    expect(afterDrag.wedgeAngle).toBeCloseTo(engineDragged.wedgeAngleDeg, 9);
    expect(afterDrag.alignmentChange).toBeCloseTo(engineDragged.alignmentChangeDeg, 9);
    expect(afterDrag.gapChord).toBeCloseTo(engineDragged.cuts[0]!.gapChordMm!, 9);
    expect(afterDrag['post:mpta']).toBeCloseTo(engineDragged.predicted.measurements.mpta.value!, 9);
    // A hinge 20 px lateral-ish and higher shortens nothing by chance: the wedge really changed.
    expect(Math.abs(afterDrag.wedgeAngle! - before.wedgeAngle!)).toBeGreaterThan(0.05);
    // The alignment change does not depend on the hinge (Dugdale: H, A, T only).
    expect(afterDrag.alignmentChange).toBeCloseTo(before.alignmentChange!, 9);
    expect(afterDrag.gapChord).not.toBeCloseTo(before.gapChord!, 3);

    // Mark as chosen, then reload: the same plan, hinge, values and chosen mark.
    await page.getByTestId('plan-surgeon').fill('Dr. Test');
    await page.getByTestId('plan-surgeon').press('Enter');
    await page.getByTestId('plan-choose').click();
    await expect.poll(() => page.locator(`[data-plan-item="${planId}"]`).getAttribute('data-chosen')).toBe('true');
    await waitPlanSaved(page);
    await hook<void>(page, 'flush');
    const savedPlans = await call(app, 'plan:list', { patientId: detail.patient.id });
    expect(savedPlans).toHaveLength(1);
    expect(savedPlans[0]!.plan.hinge).toEqual(dragged.hinge);
    expect(savedPlans[0]!.plan.surgeon).toBe('Dr. Test');
    await page.reload();
    await page.getByTestId('plan').waitFor();
    await waitForRender(page, imageId);
    expect(Number(await page.getByTestId('plan').getAttribute('data-plan-id'))).toBe(planId);
    expect((await pagePlan(page)).hinge).toEqual(dragged.hinge);
    expect(await planValues(page)).toEqual(afterDrag);
    expect(await page.locator(`[data-plan-item="${planId}"]`).getAttribute('data-chosen')).toBe('true');
    expect(await page.getByTestId('chosen-mark').count()).toBe(1);
    expect(await page.locator(`[data-plan-item="${planId}"]`).innerText()).toContain('Dr. Test');

    // Simulated correction: the distal fragment's pixels move by exactly the fragment transform; the rest stays.
    const result = computePlan(stored, calibration, dragged);
    const g = planDisplayGeometry(stored, calibration, result, { columns: detail.header.columns, rows: detail.header.rows });
    await expectSimulatedMotion(page, [
      { name: 'femur', points: band(L.femoralShaftProximal, { x: L.kneeCentre.x, y: L.kneeCentre.y - 40 }, 60), moved: null },
      { name: 'tibia below the cut', points: band({ x: L.kneeCentre.x, y: g.cuts[0]!.cutEntry.y + 60 }, L.ankleCentre, 60), moved: g.cuts[0]!.fragment.transform },
    ]);
    await zoomOnto(page, { x: (L.kneeCentre.x + L.tibialPlateauLateral.x) / 2, y: L.kneeCentre.y + 120 }, 1.6);
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'plan-simulated.png') });
    await page.keyboard.press('f');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(SHOTS, 'plan-simulated-fit.png') });
    await page.getByTestId('toggle-simulation').click();
    expect(await page.getByTestId('simulation').count()).toBe(0);

    // An over-correcting target: WBL 80 % raises the MPTA and the unusual-target flags.
    await page.getByTestId('target-wbl').fill('80');
    await page.getByTestId('target-wbl').press('Enter');
    await expect.poll(async () => (await pagePlan(page)).target).toEqual({ kind: 'wbl', percent: 80, preset: 'custom' });
    const over = computePlan(stored, calibration, await pagePlan(page));
    const codes = await flagCodes(page);
    expect(codes).toEqual(over.flags.map((f) => f.code));
    expect(codes).toContain('TARGET_UNUSUAL');
    expect(codes.some((c) => c === 'MPTA_HIGH' || c === 'MPTA_VERY_HIGH')).toBe(true);
    expect(over.predicted.measurements.mpta.value!).toBeGreaterThan(93);
    for (const f of over.flags) expect(await page.locator(`[data-flag="${f.code}"]`).innerText()).toContain(f.message);
    await page.locator('.plan-side').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.screenshot({ path: path.join(SHOTS, 'plan-flags.png') });
    // The same with an HKA target of 186° (6° valgus).
    await page.getByTestId('target-hka').fill('186');
    await page.getByTestId('target-hka').press('Enter');
    await expect.poll(async () => (await pagePlan(page)).target).toEqual({ kind: 'hka', deg: 6 });
    const hka6 = computePlan(stored, calibration, await pagePlan(page));
    expect((await planValues(page))['post:hka']).toBeCloseTo(6, 6);
    expect(await flagCodes(page)).toEqual(hka6.flags.map((f) => f.code));
    expect(hka6.flags.some((f) => f.code.startsWith('MPTA'))).toBe(true);
    // A target out of range is refused with a message and changes nothing.
    await page.getByTestId('target-wbl').fill('120');
    await page.getByTestId('target-wbl').press('Enter');
    expect(await page.locator('.plan-field [role="alert"]').innerText()).toContain('0 to 100');
    expect((await pagePlan(page)).target).toEqual({ kind: 'hka', deg: 6 });
    await waitPlanSaved(page);

    // Re-measuring the leg after the plan was saved is announced beside the plan.
    const moved = { ...stored, landmarks: { ...stored.landmarks, ankleCentre: { ...stored.landmarks.ankleCentre!, x: stored.landmarks.ankleCentre!.x + 4 } } };
    await call(app, 'measurement:save', { imageId, set: moved });
    await page.reload();
    await page.getByTestId('plan').waitFor();
    await expect.poll(() => page.getByTestId('plan-remeasured').count()).toBe(1);

    publishScreenshot(path.join(SHOTS, 'plan.png'));
    publishScreenshot(path.join(SHOTS, 'plan-simulated.png'));
    expect(app.problems).toEqual([]);
  });
});
