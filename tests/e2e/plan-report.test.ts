// Browser end-to-end of the theatre report on a generated phantom with known geometry: the true
// landmarks of the right leg are clicked on the measuring screen, a medial opening-wedge HTO to
// Fujisawa 62.5 % is saved and chosen, and the report is opened through the plan list's link. Its
// wedge angle, gap and predicted WBL equal what the plan screen shows and what computePlan gives
// on the phantom's true landmarks; the default hinge reads 10 mm inside the lateral cortex and
// 15 mm below the joint line (clinical-spec §5). Printed to PDF (A4, print media) it fits on at
// most two pages and carries the key values as text (poppler's pdftotext). Editing the landmarks
// afterwards puts a warning on the report; an uncalibrated film shows no mm value at all; a
// double-level plan lists both cuts and still prints on at most two pages.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLongLegFilm } from '../../electron/backend/phantom/long-leg-film';
import { decideCalibration } from '../../shared/calibration/calibration';
import type { ImageDetail } from '../../shared/ipc/contract';
import { DEFAULT_VARIANTS, LANDMARK_IDS } from '../../shared/landmarks/ids';
import { fixed1 } from '../../shared/measurements/format';
import { computePlan } from '../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import { newPlan } from '../../renderer/src/screens/plan/plan-model';
import golden from '../fixtures/golden/landmark-set.v1.json';
import { dataFile, importThroughFileChooser, publishScreenshot, startApp, TMP, tmpDir, waitForImportDone, type AppHarness } from './helpers';
import { call, measureTrueLegAndOpenPlan, withTruth, type Pt } from './measure-helpers';

const SHOTS = path.join(TMP, 'plan-report');
mkdirSync(SHOTS, { recursive: true });

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} is needed for this test (Debian: apt-get install poppler-utils): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The numbers a screen carries in data-* hooks: the plan screen's panel or the report's tiles and table. */
async function shownValues(page: Page): Promise<Record<string, { value: number | null; text: string }>> {
  return page.evaluate(() => {
    const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
    const out: Record<string, { value: number | null; text: string }> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-plan-value], [data-report-value]'))) {
      const id = el.dataset.planValue ?? el.dataset.reportValue!;
      out[id] = { value: num(el.dataset.value), text: (el.querySelector('.value-number, .report-number-value') as HTMLElement).innerText };
    }
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-plan-measure], [data-report-row]'))) {
      const id = el.dataset.planMeasure ?? el.dataset.reportRow!;
      const cells = Array.from(el.querySelectorAll('td')).map((c) => c.innerText);
      out[`pre:${id}`] = { value: num(el.dataset.preop), text: cells[0] ?? '' };
      out[`post:${id}`] = { value: num(el.dataset.predicted), text: cells[1] ?? '' };
    }
    return out;
  });
}

/** The report with both film views fitted and drawn. */
async function waitReport(page: Page, imageId: number) {
  await page.getByTestId('plan-report').waitFor();
  for (const id of ['report-leg-figure', 'report-knee-figure']) {
    await page.locator(`[data-testid="${id}"][data-ready="true"] [data-image-rendered="${imageId}"]`).waitFor({ timeout: 60_000 });
  }
}

/** Prints the page as Chromium's "Save as PDF" does and returns its page count, text and one PNG per page. */
async function printToPdf(page: Page, name: string): Promise<{ pages: number; text: string; pngs: string[] }> {
  await page.emulateMedia({ media: 'print' });
  const file = path.join(SHOTS, `${name}.pdf`);
  await page.pdf({ path: file, format: 'A4', printBackground: true });
  await page.emulateMedia({ media: 'screen' });
  const pages = Number(/^Pages:\s+(\d+)/m.exec(run('pdfinfo', [file]))![1]);
  const text = run('pdftotext', ['-layout', file, '-']);
  for (const f of readdirSync(SHOTS)) if (f.startsWith(`${name}-`) && f.endsWith('.png')) rmSync(path.join(SHOTS, f));
  run('pdftoppm', ['-png', '-r', '60', file, path.join(SHOTS, name)]);
  const pngs = readdirSync(SHOTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
  return { pages, text, pngs };
}

describe('browser e2e: the theatre report', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('HTO to 62.5 % on a phantom: the plan screen’s and the engine’s numbers, on screen and in a PDF of at most two A4 pages; re-measured warning', async () => {
    const dir = tmpDir('report-phantom');
    const { dicomPath, truth } = writeLongLegFilm(dir, { scale: 0.5, seed: 11, patient: { name: 'THEATRE^Tess', id: 'RPT-0042', birthDate: '19610704', sex: 'F' } }, 'report-phantom');
    const L = truth.legs.R!.landmarksPx;

    app = await startApp({ viewport: { width: 1000, height: 1300 } });
    const { page } = app;
    await page.goto(app.bridge.url);
    const imageId = await measureTrueLegAndOpenPlan(page, dicomPath, L);

    // The plan: a new plan is a medial opening-wedge HTO to Fujisawa 62.5 %; name the surgeon and choose it.
    await page.locator('[data-target-preset="fujisawa"]').click();
    await page.getByTestId('plan-surgeon').fill('Dr. Report');
    await page.getByTestId('plan-surgeon').press('Enter');
    await page.locator('[data-testid="plan"][data-save-status="saved"]').waitFor({ timeout: 10_000 });
    const planId = Number(await page.getByTestId('plan').getAttribute('data-plan-id'));
    expect(planId).toBeGreaterThan(0);
    await page.getByTestId('plan-choose').click();
    await expect.poll(() => page.locator(`[data-plan-item="${planId}"]`).getAttribute('data-chosen')).toBe('true');
    const onPlanScreen = await shownValues(page);
    await page.locator('[data-testid="plan-list"]').screenshot({ path: path.join(SHOTS, 'plan-list-link.png') });

    // The report, through the plan list's link.
    await page.locator(`[data-plan-report="${planId}"]`).click();
    await waitReport(page, imageId);
    expect(await page.evaluate(() => location.hash)).toBe(`#/image/${imageId}/plan/R/${planId}/report`);
    const shown = await shownValues(page);

    // The same numbers as the plan screen, to the last digit, and the same text.
    for (const id of ['wedgeAngle', 'gapChord', 'gapTangent', 'osteotomyLength', 'alignmentChange']) {
      expect(shown[id]!.value, id).toBe(onPlanScreen[id]!.value);
      expect(shown[id]!.text, id).toBe(onPlanScreen[id]!.text);
    }
    for (const id of ['hka', 'mpta', 'mldfa', 'jlo', 'wbl', 'mad']) {
      expect(shown[`pre:${id}`]!.value, id).toBe(onPlanScreen[`pre:${id}`]!.value);
      expect(shown[`post:${id}`]!.value, id).toBe(onPlanScreen[`post:${id}`]!.value);
    }
    // ... and computePlan's on the phantom's TRUE landmarks within display rounding.
    const detail = (await call(app, 'library:getImage', { imageId })) as ImageDetail;
    const calibration = decideCalibration(detail.header, null);
    const stored = (await call(app, 'measurement:list', { imageId })).find((s) => s.set.side === 'R')!.set;
    const onTruth = computePlan(withTruth(stored, L as unknown as Record<string, unknown>), calibration, { ...newPlan({ name: 'x', surgeon: null }), procedure: 'hto-medial-opening' });
    const wedge = shown.wedgeAngle!.value!;
    const gap = shown.gapChord!.value!;
    const wblPost = shown['post:wbl']!.value!;
    expect(Math.abs(wedge - onTruth.wedgeAngleDeg), `α ${wedge} vs ${onTruth.wedgeAngleDeg}`).toBeLessThanOrEqual(0.05);
    expect(Math.abs(gap - onTruth.cuts[0]!.gapChordMm!), `gap ${gap} vs ${onTruth.cuts[0]!.gapChordMm}`).toBeLessThanOrEqual(0.05);
    expect(Math.abs(wblPost - onTruth.predicted.measurements.wbl.value!)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(wblPost - 62.5)).toBeLessThanOrEqual(0.05);
    expect(shown.wedgeAngle!.text).toBe(`${fixed1(wedge)}°`);
    expect(shown.gapChord!.text).toBe(`${fixed1(gap)} mm`);
    expect(shown['post:wbl']!.text).toBe(`${fixed1(wblPost)} %`);
    // The gap is the chord 2L·sin(α/2); L·tan α is there for comparison only (clinical-spec §5).
    expect(gap).toBeCloseTo(2 * shown.osteotomyLength!.value! * Math.sin((wedge * Math.PI) / 360), 9);
    expect(shown.gapTangent!.value).toBeCloseTo(shown.osteotomyLength!.value! * Math.tan((wedge * Math.PI) / 180), 9);
    const report = page.getByTestId('plan-report');
    expect(await page.locator('[data-report-value="wedgeAngle"] .report-number-label').innerText()).toBe('Wedge angle α (what you open)');
    expect(await page.locator('[data-report-value="alignmentChange"] .report-number-label').innerText()).toBe('Alignment change (HKA)');
    expect(await report.innerText()).not.toMatch(/1 mm = 1°/);
    // mm values carry their calibration (clinical-spec §4).
    expect(calibration.type).toBe('magnification-corrected');
    expect(await page.locator('[data-report-value="gapChord"] .report-number-cal').innerText()).toBe('mm magnification-corrected');
    expect(await page.locator('[data-report-row="mad"] td').last().innerText()).toBe('magnification-corrected');
    // The default hinge: 10 mm inside the lateral cortex, 15 mm below the joint line; the cut entry 40 mm below, on the medial cortex.
    const position = async (key: string) => {
      const el = page.locator(`[data-report-position="${key}"]`);
      return { inside: Number(await el.getAttribute('data-inside')), fromJoint: Number(await el.getAttribute('data-from-joint')), text: await el.innerText() };
    };
    const hinge = await position('hinge-0');
    expect(hinge.inside).toBeCloseTo(10, 9);
    expect(hinge.fromJoint).toBeCloseTo(15, 9);
    expect(hinge.text).toBe('10.0 mm inside the lateral cortex, 15.0 mm below the joint line');
    expect((await position('cutEntry-0')).text).toBe('40.0 mm below the joint line, at the medial cortex');
    // Header: patient, film, plan (chosen, surgeon), app version.
    expect(await page.getByTestId('report-patient').innerText()).toMatch(/THEATRE, Tess[\s\S]*RPT-0042[\s\S]*1961-07-04[\s\S]*female/);
    expect(await page.getByTestId('report-film').innerText()).toMatch(/Right leg/);
    expect(await page.getByTestId('report-chosen').getAttribute('data-chosen')).toBe('true');
    expect(await page.getByTestId('report-plan').innerText()).toContain('Dr. Report');
    expect(await report.innerText()).toContain('Osteoplan e2e');
    expect(await page.locator('[data-report-warning]').count()).toBe(0);
    // The flags are the engine's, each with its line.
    expect(await page.locator('[data-testid="report-flags"] [data-flag]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.flag))).toEqual(
      onTruth.flags.map((f) => f.code),
    );
    // The figures: the full leg with both axes, the knee with the osteotomy, wedge, gap, hinge and α.
    const leg = page.getByTestId('report-leg-figure');
    for (const key of ['mechanical-axis', 'new-axis', 'osteotomy-0']) expect(await leg.locator(`[data-overlay="${key}"]`).count(), key).toBe(1);
    const knee = page.getByTestId('report-knee-figure');
    for (const key of ['osteotomy-0', 'wedge-0', 'gap-0', 'new-axis']) expect(await knee.locator(`[data-overlay="${key}"]`).count(), key).toBe(1);
    expect(await knee.locator('[data-label="wedge-0"]').textContent()).toBe(`α ${fixed1(wedge)}°`);
    expect(await knee.locator('[data-label="gap-0"]').textContent()).toBe(`gap ${fixed1(gap)} mm`);
    expect(await knee.locator('[data-label="name-hinge-0"]').textContent()).toBe('hinge');
    expect(await knee.locator('[data-handle="hinge-0"]').count()).toBe(1);

    await page.locator('.report-sheet').screenshot({ path: path.join(SHOTS, 'report.png') });
    publishScreenshot(path.join(SHOTS, 'report.png'), 'theatre-report.png');

    // Print: at most two A4 pages, the key values as text, no app chrome.
    const pdf = await printToPdf(page, 'report');
    expect(pdf.pages).toBeGreaterThanOrEqual(1);
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(pdf.pngs).toHaveLength(pdf.pages);
    for (const text of [
      'Theatre report',
      'THEATRE, Tess',
      'RPT-0042',
      'Wedge angle α',
      `${fixed1(wedge)}°`,
      `${fixed1(gap)} mm`,
      `${fixed1(wblPost)} %`,
      'Alignment change',
      '10.0 mm inside the lateral cortex',
      'Dr. Report',
    ]) {
      expect(pdf.text, text).toContain(text);
    }
    expect(pdf.text).not.toContain('Print / Save as PDF');
    expect(pdf.text).not.toContain('Back to plan');
    // The screen is the same after printing.
    await waitReport(page, imageId);

    // "Back to plan" returns to this plan.
    await page.getByTestId('report-back').click();
    await page.getByTestId('plan').waitFor();
    expect(Number(await page.getByTestId('plan').getAttribute('data-plan-id'))).toBe(planId);

    // Landmarks edited after the plan was saved: the report says so, with the numbers then and now.
    const moved = { ...stored, landmarks: { ...stored.landmarks, ankleCentre: { ...stored.landmarks.ankleCentre!, x: stored.landmarks.ankleCentre!.x + 6 } } };
    await call(app, 'measurement:save', { imageId, set: moved });
    await page.goto(`${app.bridge.url}#/image/${imageId}/plan/R/${planId}/report`);
    await page.reload();
    await waitReport(page, imageId);
    const warning = page.locator('[data-report-warning="REMEASURED"]');
    expect(await warning.count()).toBe(1);
    const now = computePlan(moved, calibration, (await call(app, 'plan:list', { patientId: detail.patient.id }))[0]!.plan);
    expect(await warning.innerText()).toContain(`When planned: α ${fixed1(wedge)}°, gap ${fixed1(gap)} mm; now: α ${fixed1(now.wedgeAngleDeg)}°`);
    expect((await shownValues(page)).wedgeAngle!.value).toBeCloseTo(now.wedgeAngleDeg, 9);
    await page.locator('.report-sheet').screenshot({ path: path.join(SHOTS, 'report-remeasured.png') });

    // The timeline's chosen plan opens the same report.
    await call(app, 'study:setClinical', { studyId: detail.study.id, role: 'pre-op', operationDate: '2026-12-01' });
    await page.goto(`${app.bridge.url}#/patient/${detail.patient.id}/timeline`);
    await page.locator(`[data-timeline-report="${planId}"]`).click();
    await waitReport(page, imageId);
    expect(await page.evaluate(() => location.hash)).toBe(`#/image/${imageId}/plan/R/${planId}/report`);
    expect(app.problems).toEqual([]);
  });

  it('an uncalibrated film: angles and WBL %, no mm value anywhere, and the reason', async () => {
    app = await startApp({ viewport: { width: 1000, height: 1300 } });
    const { page } = app;
    await page.goto(app.bridge.url);
    await importThroughFileChooser(page, [dataFile('derived-local/RG3_from_J2KR_EVRLE.dcm')]);
    expect(await waitForImportDone(page)).toMatchObject({ imported: 1 });
    const patients = await call(app, 'library:listPatients', {});
    const patient = await call(app, 'library:getPatient', { patientId: patients[0]!.id });
    const image = patient.studies[0]!.series[0]!.images[0]!;
    // The golden right leg, scaled into this 1760 × 1760 film (angles and WBL % do not change with scale).
    const g = golden as unknown as LandmarkSet;
    const s = 1600 / 6400;
    const scaled = (p: { x: number; y: number }) => ({ x: 80 + p.x * s, y: 60 + p.y * s, placedBy: 'user' as const });
    const landmarks = Object.fromEntries(Object.entries(g.landmarks).map(([id, p]) => [id, scaled(p!)])) as LandmarkSet['landmarks'];
    const set = { ...g, sopInstanceUid: image.sopInstanceUid, landmarks, femoralHeadContour: g.femoralHeadContour.map(scaled), userCalibration: null };
    await call(app, 'measurement:save', { imageId: image.id, set });
    const { planId } = await call(app, 'plan:save', { planId: null, imageId: image.id, frame: 0, side: 'R', plan: { ...newPlan({ name: 'Plan A', surgeon: null }), target: { kind: 'wbl', percent: 55, preset: 'consensus' } } });

    await page.goto(`${app.bridge.url}#/image/${image.id}/plan/R/${planId}/report`);
    await page.reload();
    await waitReport(page, image.id);
    expect(await page.getByTestId('plan-report').getAttribute('data-calibration')).toBe('uncalibrated');
    const shown = await shownValues(page);
    const detail = await call(app, 'library:getImage', { imageId: image.id });
    const engine = computePlan(set as LandmarkSet, decideCalibration(detail.header, null), (await call(app, 'plan:list', { patientId: patient.patient.id }))[0]!.plan);
    expect(shown.wedgeAngle!.value).toBeCloseTo(engine.wedgeAngleDeg, 9);
    expect(shown.wedgeAngle!.text).toBe(`${fixed1(engine.wedgeAngleDeg)}°`);
    expect(shown['post:wbl']!.value).toBeCloseTo(55, 6);
    for (const id of ['gapChord', 'gapTangent', 'osteotomyLength']) {
      expect(shown[id]!.value, id).toBeNull();
      expect(shown[id]!.text, id).toBe('needs calibration');
    }
    expect(shown['pre:mad']!.text).toBe('needs calibration');
    expect(await page.locator('[data-report-position="hinge-0"]').innerText()).toBe('position in mm needs calibration');
    expect(await page.locator('[data-report-warning="UNCALIBRATED"]').innerText()).toContain('mm values are hidden');
    expect(await page.getByTestId('report-chosen').innerText()).toBe('NOT the chosen plan');
    // No measured mm value (the engine's uncalibrated flag may still name its 75 mm assumption).
    const text = await page.getByTestId('plan-report').innerText();
    expect(text).not.toMatch(/\d\.\d\s*mm\b/);
    expect(await page.getByTestId('report-knee-figure').locator('[data-label="gap-0"]').textContent()).toBe('gap: calibrate');
    await page.locator('.report-sheet').screenshot({ path: path.join(SHOTS, 'report-uncalibrated.png') });
    const pdf = await printToPdf(page, 'report-uncalibrated');
    expect(pdf.pages).toBeLessThanOrEqual(2);
    expect(pdf.text).not.toMatch(/\d\.\d\s*mm\b/);
    expect(pdf.text).toContain(`${fixed1(engine.wedgeAngleDeg)}°`);
    expect(app.problems).toEqual([]);
  });

  it('a double-level plan on a varus phantom with a femoral deformity: both cuts, their positions and the flags, at most two pages', async () => {
    const dir = tmpDir('report-double');
    const { dicomPath, truth } = writeLongLegFilm(dir, { scale: 0.5, seed: 5, legs: { R: { mptaDeg: 84, mldfaDeg: 92, jlcaDeg: 2 } } }, 'report-double');
    app = await startApp({ viewport: { width: 1000, height: 1300 } });
    const { page } = app;
    const imported = await call(app, 'import:paths', { paths: [dicomPath] });
    const image = imported.imported[0]!;
    const L = truth.legs.R!.landmarksPx as unknown as Record<string, Pt & Pt[]>;
    const set: LandmarkSet = {
      schemaVersion: 1,
      sopInstanceUid: image.sopInstanceUid,
      frame: 0,
      side: 'R',
      imageFlipped: false,
      variants: DEFAULT_VARIANTS,
      landmarks: Object.fromEntries(LANDMARK_IDS.filter((id) => L[id] && id !== 'femoralHeadCentre').map((id) => [id, { x: L[id]!.x, y: L[id]!.y, placedBy: 'user' }])),
      femoralHeadContour: L.femoralHeadContour!.map((p) => ({ x: p.x, y: p.y, placedBy: 'user' as const })),
      userCalibration: null,
    };
    await call(app, 'measurement:save', { imageId: image.imageId, set });
    const plan = { ...newPlan({ name: 'Double', surgeon: 'Dr. Two' }), procedure: 'double-level', doubleLevel: { maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null } } as const;
    const { planId } = await call(app, 'plan:save', { planId: null, imageId: image.imageId, frame: 0, side: 'R', plan });
    await call(app, 'plan:setChosen', { planId });

    await page.goto(`${app.bridge.url}#/image/${image.imageId}/plan/R/${planId}/report`);
    await waitReport(page, image.imageId);
    const detail = await call(app, 'library:getImage', { imageId: image.imageId });
    const engine = computePlan(set, decideCalibration(detail.header, null), (await call(app, 'plan:list', { patientId: image.patientId }))[0]!.plan);
    expect(engine.cuts.map((c) => c.bone)).toEqual(['tibia', 'femur']);
    expect(await page.locator('[data-report-cut]').count()).toBe(2);
    expect(await page.locator('[data-report-cut] h3').allInnerTexts()).toEqual(['Tibial cut', 'Femoral cut']);
    const shown = await shownValues(page);
    engine.cuts.forEach((c, i) => {
      const suffix = i === 0 ? '' : `-${i}`;
      // Chromium's and Node's Math may differ in the last bit.
      expect(shown[`wedgeAngle${suffix}`]!.value).toBeCloseTo(c.wedgeAngleDeg, 9);
      expect(shown[`gapChord${suffix}`]!.value).toBeCloseTo(c.gapChordMm!, 9);
    });
    expect(shown['post:mpta']!.value!).toBeLessThanOrEqual(90 + 1e-6);
    expect(await page.locator('[data-report-position="hinge-1"]').innerText()).toMatch(/^\d+\.\d mm inside the medial cortex, \d+\.\d mm above the joint line$/);
    expect(await page.locator('[data-testid="report-flags"] [data-flag]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.flag))).toEqual(engine.flags.map((f) => f.code));
    for (const key of ['osteotomy-0', 'osteotomy-1']) expect(await page.getByTestId('report-knee-figure').locator(`[data-overlay="${key}"]`).count(), key).toBe(1);
    await page.locator('.report-sheet').screenshot({ path: path.join(SHOTS, 'report-double-level.png') });
    const pdf = await printToPdf(page, 'report-double-level');
    expect(pdf.pages).toBeLessThanOrEqual(2);
    for (const c of engine.cuts) expect(pdf.text).toContain(`${fixed1(c.wedgeAngleDeg)}°`);
    expect(app.problems).toEqual([]);
  });
});
