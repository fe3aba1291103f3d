// Browser end-to-end of plan editing you can trust: undo/redo and the revision history, on the
// generated phantom of tests/e2e/plan.test.ts. The true landmarks of the right leg are clicked, a
// plan is created (Fujisawa 62.5 %), the target changed to 55 % and the hinge dragged; two undos
// give back the first wedge angle exactly, redo the dragged one, a reload the latest state. The
// History panel lists every saved revision; restoring the first shows its values and saves it as
// a new revision (checked through the backend), and that restore is itself undone by Ctrl+Z.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { writeLongLegFilm } from '../../electron/backend/phantom/long-leg-film';
import type { PlanResult } from '../../shared/planning/osteotomy';
import type { Plan } from '../../shared/schemas/plan';
import { startApp, TMP, tmpDir, waitForRender, type AppHarness } from './helpers';
import { call, measureTrueLegAndOpenPlan, zoomOnto } from './measure-helpers';

const SHOTS = path.join(TMP, 'plan-history');
mkdirSync(SHOTS, { recursive: true });

const hook = <T,>(page: Page, fn: string) =>
  page.getByTestId('plan').evaluate((el, f) => {
    const h = (el as unknown as { osteoplanPlan: Record<string, () => unknown> }).osteoplanPlan;
    return h[f]!() as T;
  }, fn) as Promise<T>;
const pagePlan = (page: Page) => hook<Plan>(page, 'plan');

/** The values panel's numbers (raw values from data-value). */
const planValues = (page: Page) =>
  page.evaluate(() => {
    const out: Record<string, number | null> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-plan-value]'))) out[el.dataset.planValue!] = el.dataset.value === '' ? null : Number(el.dataset.value);
    return out;
  });
const wedge = async (page: Page) => (await planValues(page)).wedgeAngle;

async function settled(page: Page) {
  await hook<void>(page, 'flush');
  await page.locator('[data-testid="plan"][data-save-status="saved"]').waitFor({ timeout: 10_000 });
}

describe('browser e2e: plan undo/redo and revision history', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('target 62.5 → 55 %, hinge drag, undo ×2 → first wedge exactly, redo, reload, history, restore the first as a new revision', async () => {
    const dir = tmpDir('plan-history');
    const { dicomPath, truth } = writeLongLegFilm(dir, { scale: 0.5, seed: 11 }, 'plan-history');
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);
    const imageId = await measureTrueLegAndOpenPlan(page, dicomPath, truth.legs.R!.landmarksPx);

    // Create the plan: medial opening-wedge HTO to Fujisawa 62.5 %.
    const undoButton = page.getByRole('button', { name: 'Undo', exact: true });
    const redoButton = page.getByRole('button', { name: 'Redo', exact: true });
    expect(await undoButton.getAttribute('title')).toBe('Undo (Ctrl+Z)');
    expect(await redoButton.getAttribute('title')).toBe('Redo (Ctrl+Shift+Z)');
    await page.locator('[data-target-preset="fujisawa"]').click();
    await settled(page);
    const planId = Number(await page.getByTestId('plan').getAttribute('data-plan-id'));
    expect(planId).toBeGreaterThan(0);
    // Re-choosing what the new plan already had is no undo step.
    expect(await undoButton.isDisabled()).toBe(true);
    const first = await planValues(page);
    const firstPlan = await pagePlan(page);
    expect(first.wedgeAngle).toBeGreaterThan(0);

    // 62.5 → 55 %: a smaller wedge.
    await page.locator('[data-target-preset="consensus"]').click();
    await expect.poll(async () => (await pagePlan(page)).target).toEqual({ kind: 'wbl', percent: 55, preset: 'consensus' });
    const at55 = await planValues(page);
    expect(at55.wedgeAngle!).toBeLessThan(first.wedgeAngle!);
    await settled(page);

    // Drag the hinge in 8 pointer moves: one undo step.
    const hinge0 = (await hook<PlanResult>(page, 'result')).cuts[0]!.hinge;
    const at = await zoomOnto(page, hinge0, 2);
    await page.mouse.move(at.x, at.y);
    await page.mouse.down();
    await page.mouse.move(at.x + 40, at.y - 24, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => (await pagePlan(page)).hinge).not.toBeNull();
    const draggedPlan = await pagePlan(page);
    expect(draggedPlan.hinge!.x).toBeCloseTo(hinge0.x + 20, 6);
    const dragged = await planValues(page);
    expect(dragged.wedgeAngle).not.toBe(at55.wedgeAngle);
    await settled(page);

    // Undo twice (keyboard, then the toolbar button): the drag, then the target. The first wedge angle, exactly.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Control+z');
    await expect.poll(() => wedge(page)).toBe(at55.wedgeAngle);
    expect((await pagePlan(page)).hinge).toBeNull();
    await undoButton.click();
    await expect.poll(() => wedge(page)).toBe(first.wedgeAngle);
    expect(await planValues(page)).toEqual(first);
    expect(await pagePlan(page)).toEqual(firstPlan);
    expect(await undoButton.isDisabled()).toBe(true);
    // Redo (Ctrl+Y, then Ctrl+Shift+Z): back to the dragged plan.
    await page.keyboard.press('Control+y');
    await expect.poll(() => wedge(page)).toBe(at55.wedgeAngle);
    await page.keyboard.press('Control+Shift+Z');
    await expect.poll(() => wedge(page)).toBe(dragged.wedgeAngle);
    expect(await planValues(page)).toEqual(dragged);
    expect(await pagePlan(page)).toEqual(draggedPlan);
    expect(await redoButton.isDisabled()).toBe(true);
    await settled(page);

    // Reload: the latest state.
    await page.reload();
    await page.getByTestId('plan').waitFor();
    await waitForRender(page, imageId);
    expect(Number(await page.getByTestId('plan').getAttribute('data-plan-id'))).toBe(planId);
    expect(await pagePlan(page)).toEqual(draggedPlan);
    expect(await planValues(page)).toEqual(dragged);

    // History: every saved revision, newest first, in words.
    const history = await call(app, 'plan:history', { planId });
    expect(history.length).toBeGreaterThanOrEqual(3);
    expect(history.at(-1)!.changes).toEqual(['Plan created']);
    expect(history.map((h) => h.revision)).toEqual(history.map((_, i) => history.length - i));
    await page.getByTestId('toggle-history').click();
    const items = page.locator('[data-testid="plan-history"] [data-revision]');
    await expect.poll(() => items.count()).toBe(history.length);
    expect(await items.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.revision)))).toEqual(history.map((h) => h.revision));
    expect(await page.locator('[data-revision="1"] [data-testid="revision-changes"]').innerText()).toBe('Plan created');
    expect(await page.locator('[data-revision="1"] [data-testid="revision-summary"]').innerText()).toBe(`MOW HTO → WBL 62.5 % Fujisawa · α ${first.wedgeAngle!.toFixed(1)}°`);
    expect(await page.locator('[data-revision="2"] [data-testid="revision-changes"]').innerText()).toBe('Target WBL 62.5 % Fujisawa → WBL 55 % consensus');
    expect(await page.locator('[data-testid="plan-history"]').innerText()).toContain('Hinge and cut entry placed on the film');

    // View the first revision: read-only, its values on the panel; the film's handles do not move.
    await page.locator('[data-revision="1"] .plan-history-row').click();
    await expect.poll(() => page.getByTestId('plan').getAttribute('data-preview-revision')).toBe('1');
    await expect.poll(() => wedge(page)).toBe(first.wedgeAngle);
    expect(await planValues(page)).toEqual(first);
    expect(await page.getByTestId('plan-procedure').isDisabled()).toBe(true);
    expect(await pagePlan(page)).toEqual(draggedPlan); // the plan being edited is untouched
    await page.locator('.plan-side').evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: path.join(SHOTS, 'plan-history-preview.png') });

    // Restore it: the first revision's values, saved as a NEW revision; history is not rewritten.
    await page.getByTestId('restore-revision').click();
    await expect.poll(() => page.getByTestId('plan').getAttribute('data-preview-revision')).toBe('');
    expect(await planValues(page)).toEqual(first);
    expect(await pagePlan(page)).toEqual(firstPlan);
    await settled(page);
    const after = await call(app, 'plan:history', { planId });
    expect(after).toHaveLength(history.length + 1);
    expect(after.slice(1)).toEqual(history);
    expect(after[0]!.changes[0]).toBe('Back to revision 1');
    const restored = await call(app, 'plan:getRevision', { planId, revision: after[0]!.revision });
    expect(restored.plan).toEqual((await call(app, 'plan:getRevision', { planId, revision: 1 })).plan);
    expect((await call(app, 'plan:list', { patientId: (await call(app, 'library:getImage', { imageId })).patient.id }))[0]!.plan).toEqual(firstPlan);
    await expect.poll(() => items.count()).toBe(history.length + 1);
    await page.locator('.plan-side').evaluate((el) => (el.scrollTop = 0));
    await page.screenshot({ path: path.join(SHOTS, 'plan-history-restored.png') });

    // The restore is one undo step like any other.
    await page.mouse.move(5, 5);
    await page.keyboard.press('Control+z');
    await expect.poll(() => wedge(page)).toBe(dragged.wedgeAngle);
    expect(await pagePlan(page)).toEqual(draggedPlan);
    await settled(page);
    expect(await call(app, 'plan:history', { planId })).toHaveLength(history.length + 2);
    expect(app.problems).toEqual([]);
  });
});
