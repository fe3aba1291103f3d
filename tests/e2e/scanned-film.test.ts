// Scanned films end to end in the browser (issue 7): choose a PNG or JPEG, fill the short patient
// form (validated, with clear messages), the film is imported as an uncalibrated image of that
// patient, opens in the viewer with exactly the scanned pixels, and bad input loses nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { DATA, startApp, TMP, tmpDir, waitForRender, type AppHarness, publishScreenshot } from './helpers';

const SHOTS = path.join(TMP, 'e2e');
mkdirSync(SHOTS, { recursive: true });

/** An 8-bit grey "film": a gradient with a bright bone-like band, so a wrong orientation or scaling shows. */
function writeFilmPng(file: string, width: number, height: number): Uint8Array {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = Math.abs(x - width * 0.4) < width * 0.08 ? 120 : 0;
      grey[y * width + x] = Math.min(255, Math.round((y / (height - 1)) * 120) + band + (x % 7));
    }
  }
  png.data = Buffer.from(grey);
  writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8 }));
  return grey;
}

async function chooseFilm(page: Page, file: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import scanned film' }).first().click();
  await (await chooser).setFiles(file);
  await page.getByRole('dialog', { name: 'Import scanned film' }).waitFor();
}

async function fillForm(page: Page, values: { id: string; family: string; given?: string; birth?: string; sex?: string; date?: string; side: 'Right' | 'Left' | 'Both'; description?: string }) {
  await page.getByLabel('Patient ID *').fill(values.id);
  await page.getByLabel('Family name *').fill(values.family);
  if (values.given) await page.getByLabel('Given name').fill(values.given);
  if (values.birth) await page.getByLabel('Birth date').fill(values.birth);
  if (values.sex) await page.getByLabel('Sex').selectOption(values.sex);
  if (values.date) await page.getByLabel('Film date *').fill(values.date);
  await page.getByRole('radio', { name: values.side }).click();
  if (values.description) await page.getByLabel('Description').fill(values.description);
}

async function pixelMd5(page: Page): Promise<string> {
  const b64 = await page.evaluate(() => {
    const data = (document.querySelector('[data-testid="viewport"]') as unknown as { osteoplanViewer: { image: { getPixelData(): ArrayBufferView } } }).osteoplanViewer.image.getPixelData();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  });
  return createHash('md5').update(Buffer.from(b64, 'base64')).digest('hex');
}

/** Width and height from a JPEG's SOF marker. */
function jpegSize(bytes: Buffer): { width: number; height: number } {
  let i = 2;
  while (i < bytes.length) {
    const marker = bytes[i + 1]!;
    const length = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    i += 2 + length;
  }
  throw new Error('no SOF marker');
}

const imageIdOf = async (page: Page) => {
  await page.waitForFunction(() => /^#\/image\/\d+$/.test(location.hash), undefined, { timeout: 60_000 });
  return Number((await page.evaluate(() => location.hash)).split('/').pop());
};

describe('browser e2e: scanned films', () => {
  let app: AppHarness | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('validates the form, imports a PNG as an uncalibrated film of the patient and shows its exact pixels', async () => {
    app = await startApp();
    const { page } = app;
    const file = path.join(tmpDir('film'), 'knee-scan.png');
    const grey = writeFilmPng(file, 320, 900);
    await page.goto(app.bridge.url);
    await chooseFilm(page, file);
    const dialog = page.getByRole('dialog', { name: 'Import scanned film' });
    expect(await dialog.locator('.film-file').innerText()).toBe('knee-scan.png');
    await expect.poll(() => dialog.locator('.film-preview img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(320);

    // Empty form: the required fields say what is missing, nothing is imported.
    await page.getByRole('button', { name: 'Import film' }).click();
    const errors = await dialog.locator('.field-error').allInnerTexts();
    expect(errors).toEqual(expect.arrayContaining(['Enter the patient ID.', 'Enter the family name.', 'Choose the side shown on the film.']));
    // Impossible dates are refused too.
    await page.getByLabel('Film date *').fill('2999-01-01');
    await expect.poll(() => dialog.locator('.field-error').allInnerTexts()).toContain('The film date is in the future.');
    expect((await app.backend.handlers['library:listPatients']({}, { emit() {} })).length).toBe(0);

    await fillForm(page, { id: 'SCAN-0042', family: 'Doe', given: 'Jane', birth: '1961-02-03', sex: 'F', date: '2024-05-06', side: 'Right', description: 'Standing long-leg AP, outside film' });
    expect(await dialog.locator('.field-error').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'scanned-film.png') });
    publishScreenshot(path.join(SHOTS, 'scanned-film.png'));
    await page.getByRole('button', { name: 'Import film' }).click();

    // The film opens in the viewer: the patient's details, no spacing, exactly the scanned pixels.
    const imageId = await imageIdOf(page);
    await waitForRender(page, imageId);
    expect(await page.getByTestId('info-patient-id').innerText()).toBe('SCAN-0042');
    expect(await page.getByTestId('info-patient-name').innerText()).toBe('Doe, Jane');
    expect(await page.getByTestId('info-study-date').innerText()).toBe('2024-05-06');
    expect(await page.getByTestId('info-matrix').innerText()).toBe('320 × 900');
    expect(await page.getByTestId('info-calibration').getAttribute('data-calibration')).toBe('uncalibrated');
    expect(await page.locator('.info .cal-note').innerText()).toContain('Uncalibrated: angles and WBL % are valid; mm values stay hidden until you calibrate with a marker.');
    expect(await pixelMd5(page)).toBe(createHash('md5').update(grey).digest('hex'));
    const detail = await app.backend.handlers['library:getImage']({ imageId }, { emit() {} });
    expect(detail.header.laterality).toBe('R');
    expect(detail.patient).toMatchObject({ patientId: 'SCAN-0042', birthDate: '19610203', sex: 'F' });
    expect(detail.study.description).toBe('Standing long-leg AP, outside film');

    // Back in the library: the patient is there with the film.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('.patient-list').innerText()).toContain('SCAN-0042');
    await expect.poll(() => page.locator('.series-card').count()).toBe(1);
    expect(app.problems).toEqual([]);
  });

  it('imports a JPEG photograph of a film, and keeps the form when the file is not an image', async () => {
    app = await startApp();
    const { page } = app;
    await page.goto(app.bridge.url);

    // Not an image: a clear message, the typed details stay, nothing enters the library.
    const fake = path.join(tmpDir('film-bad'), 'not-a-film.png');
    writeFileSync(fake, 'this is a text file, not a PNG\n');
    await chooseFilm(page, fake);
    await fillForm(page, { id: 'BAD-1', family: 'Roe', side: 'Left' });
    await page.getByRole('button', { name: 'Import film' }).click();
    await expect.poll(() => page.getByTestId('film-error').innerText(), { timeout: 30_000 }).toMatch(/PNG|JPEG|image/i);
    expect(await page.getByLabel('Patient ID *').inputValue()).toBe('BAD-1');
    expect(await page.getByLabel('Family name *').inputValue()).toBe('Roe');
    expect((await app.backend.handlers['library:listPatients']({}, { emit() {} })).length).toBe(0);
    await page.getByRole('button', { name: 'Cancel' }).click();

    const folder = path.join(DATA, 'xray/radoss-creative-commons');
    const jpg = existsSync(folder) ? readdirSync(folder).find((f) => /^\d+_DDH_\d+\.jpg$/.test(f)) : undefined;
    const source = jpg ? path.join(folder, jpg) : null;
    // The shared data may lack the JPEGs; then a JPEG of our own PNG is not possible without an encoder, so say so.
    expect(source, `no radoss JPEG under ${folder}`).not.toBeNull();
    const size = jpegSize(readFileSync(source!));
    await chooseFilm(page, source!);
    await fillForm(page, { id: 'DDH-331', family: 'Radoss', given: 'Case', side: 'Both' });
    await page.getByRole('button', { name: 'Import film' }).click();
    const imageId = await imageIdOf(page);
    await waitForRender(page, imageId);
    expect(await page.getByTestId('info-matrix').innerText()).toBe(`${size.width} × ${size.height}`);
    expect(await page.getByTestId('info-calibration').getAttribute('data-calibration')).toBe('uncalibrated');
    const detail = await app.backend.handlers['library:getImage']({ imageId }, { emit() {} });
    expect(detail.image.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50'); // the JPEG bytes, not re-encoded
    expect(detail.header.laterality).toBe('B');
    // Not blank: the photograph has contrast on the canvas.
    const spread = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        lo = Math.min(lo, d[i]!);
        hi = Math.max(hi, d[i]!);
      }
      return hi - lo;
    });
    expect(spread).toBeGreaterThan(100);
    expect(app.problems).toEqual([]);
  });
});
