// CD / DICOMDIR import through the real UI (issue 7): the browser uploads the chosen CD folder with
// its layout, media:read lists patients and studies before anything is imported, the user picks
// studies, media:import runs with the progress panel, and files the DICOMDIR lists but the medium
// lacks are reported. Counts are checked against dcmtk's reading of the same DICOMDIR.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { dataFile, startApp, TMP, tmpDir, waitForImportDone, type AppHarness, publishScreenshot } from './helpers';

const SHOTS = path.join(TMP, 'e2e');
mkdirSync(SHOTS, { recursive: true });

/** DirectoryRecordType counts as dcmtk reads them (PATIENT, STUDY, SERIES, IMAGE). */
function dicomdirRecords(file: string): Record<string, number> {
  const run = spawnSync('dcmdump', ['+P', '0004,1430', file], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  const counts: Record<string, number> = {};
  for (const m of run.stdout.matchAll(/\[(\w+)\s*\]/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
  return counts;
}

async function chooseCdFolder(page: Page, folder: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import CD / DICOMDIR' }).first().click();
  await (await chooser).setFiles(folder);
  await page.locator('[data-cd-phase="ready"], [data-cd-phase="failed"]').waitFor({ timeout: 60_000 });
  const failed = page.locator('[data-cd-phase="failed"]');
  if (await failed.count()) throw new Error(`Reading the CD failed in the UI: ${await failed.innerText()}`);
}

const studyRows = (page: Page) => page.locator('.cd-study');

describe('browser e2e: CD / DICOMDIR import', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('lists the CD_WG04_RG studies, imports the two chosen and only those', async () => {
    app = await startApp();
    const { page } = app;
    const cd = path.dirname(dataFile('derived-local/CD_WG04_RG/DICOMDIR'));
    const records = dicomdirRecords(path.join(cd, 'DICOMDIR'));
    await page.goto(app.bridge.url);
    await chooseCdFolder(page, cd);

    expect(await page.locator('.cd-patient').count()).toBe(records.PATIENT);
    expect(await studyRows(page).count()).toBe(records.STUDY);
    expect(await page.locator('.cd-meta').first().innerText()).toContain('3 patients · 3 studies');
    // Nothing is in the library yet: every study is selected, none marked as imported or missing.
    expect(await studyRows(page).locator('input:checked').count()).toBe(3);
    expect(await page.locator('.badge').count()).toBe(0);
    const instanceTexts = await page.getByTestId('cd-instances').allInnerTexts();
    expect(instanceTexts).toEqual(['1 image', '1 image', '1 image']);
    expect(await page.locator('.cd-patient[data-patient-id="10RG2"] .cd-study').innerText()).toMatch(/1 series \(1 CR\)/);
    // Nothing was imported by reading the directory.
    expect((await app.backend.handlers['library:listPatients']({}, { emit() {} })).length).toBe(0);

    // Choose two: untick RG1's study.
    await page.locator('.cd-patient[data-patient-id="9RG1"] .cd-study input').uncheck();
    await expect.poll(() => page.locator('.modal-foot').innerText()).toContain('2 studies, 2 images');
    await page.screenshot({ path: path.join(SHOTS, 'cd-import.png') });
    publishScreenshot(path.join(SHOTS, 'cd-import.png'));
    await page.getByRole('button', { name: 'Import selected' }).click();
    expect(await waitForImportDone(page)).toEqual({ imported: 2, duplicates: 0, skipped: 0 });
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(2);
    const ids = await page.locator('.patient-list button').evaluateAll((els) => els.map((e) => e.getAttribute('data-patient-id')).sort());
    expect(ids).toEqual(['10RG2', '11RG3']);

    // Reading the CD again: the two imported studies are marked and not preselected, RG1 is.
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await chooseCdFolder(page, cd);
    expect(await page.locator('.cd-study .badge-dup').allInnerTexts()).toEqual(['already in library', 'already in library']);
    expect(await studyRows(page).locator('input:checked').count()).toBe(1);
    expect(await page.locator('.cd-patient[data-patient-id="9RG1"] .cd-study input').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('[role="dialog"]').count()).toBe(0);
    expect(app.problems).toEqual([]);
  });

  it('reads pydicom/dicomdirtests with the counts of its DICOMDIR and imports every listed image', async () => {
    app = await startApp();
    const { page } = app;
    const cd = path.dirname(dataFile('pydicom/dicomdirtests/DICOMDIR'));
    const records = dicomdirRecords(path.join(cd, 'DICOMDIR'));
    expect(records).toMatchObject({ PATIENT: 2, STUDY: 6, IMAGE: 31 });
    await page.goto(app.bridge.url);
    await chooseCdFolder(page, cd);
    expect(await page.locator('.cd-patient').count()).toBe(records.PATIENT);
    expect(await studyRows(page).count()).toBe(records.STUDY);
    const images = (await page.getByTestId('cd-instances').allInnerTexts()).reduce((n, t) => n + Number(t.split(' ')[0]), 0);
    expect(images).toBe(records.IMAGE);
    const seriesCount = (await studyRows(page).allInnerTexts()).reduce((n, t) => n + Number(/(\d+) series/.exec(t)![1]), 0);
    expect(seriesCount).toBe(records.SERIES);
    await page.getByRole('button', { name: 'Import selected' }).click();
    const counts = await waitForImportDone(page);
    expect(counts.imported + counts.duplicates + counts.skipped).toBe(records.IMAGE);
    expect(counts.imported).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.patient-list button').count()).toBe(records.PATIENT);
    expect(app.problems).toEqual([]);
  });

  it('reports referenced files missing from the medium before and after importing', async () => {
    app = await startApp();
    const { page } = app;
    const records = dicomdirRecords(dataFile('dwv/DICOMDIR'));
    // The DICOMDIR alone, as on a CD whose image folders were not copied.
    const cd = path.join(tmpDir('cd-missing'), 'CD');
    mkdirSync(cd);
    copyFileSync(dataFile('dwv/DICOMDIR'), path.join(cd, 'DICOMDIR'));
    await page.goto(app.bridge.url);
    await chooseCdFolder(page, cd);
    expect(await page.getByTestId('cd-missing').innerText()).toContain(`${records.IMAGE} files are listed in the DICOMDIR but missing from the medium`);
    expect(await page.locator('.cd-study .badge-bad').allInnerTexts()).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+ missing$/)]));
    const missingSum = (await page.locator('.cd-study .badge-bad').allInnerTexts()).reduce((n, t) => n + Number(t.split(' ')[0]), 0);
    expect(missingSum).toBe(records.IMAGE);
    await page.getByRole('button', { name: 'Import selected' }).click();
    expect(await waitForImportDone(page)).toEqual({ imported: 0, duplicates: 0, skipped: records.IMAGE });
    const reasons = await page.locator('.skipped .why').allInnerTexts();
    expect(reasons.length).toBe(records.IMAGE);
    for (const r of reasons) expect(r).toContain('missing from the medium');
    expect(app.problems).toEqual([]);
  });

  it('says so when the chosen folder has no DICOMDIR, and the app stays usable', async () => {
    app = await startApp();
    const { page } = app;
    const dir = path.join(tmpDir('no-dicomdir'), 'films');
    mkdirSync(dir);
    copyFileSync(dataFile('derived-local/RG3_from_J2KR_EVRLE.dcm'), path.join(dir, 'rg3.dcm'));
    await page.goto(app.bridge.url);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Import CD / DICOMDIR' }).first().click();
    await (await chooser).setFiles(dir);
    await expect.poll(() => page.locator('[data-cd-phase="failed"]').innerText()).toContain('holds no DICOMDIR');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[role="dialog"]').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Import files' }).first().isEnabled()).toBe(true);
    expect(app.problems).toEqual([]);
  });
});
