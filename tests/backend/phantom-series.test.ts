// The phantom follow-up series (clinical-spec §5–6): four studies of one patient whose true
// landmarks are the engine's plan, the 3-month film 2° back toward varus, a gap that fills with
// bone, bright metal; previews of the knee of each film land in tests/.tmp for a human to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPhantomCommand } from '../../electron/backend/cli/phantom-command';
import { generateFollowUpSeries, truthCalibration, truthLandmarkSet, type FollowUpFilm, type FollowUpTruth } from '../../electron/backend/phantom/follow-up-series';
import { generateLongLegFilm, type LongLegFilm } from '../../electron/backend/phantom/long-leg-film';
import { computeLegAlignment } from '../../shared/measurements/leg-alignment';
import { computePlan } from '../../shared/planning/osteotomy';
import type { Plan } from '../../shared/schemas/plan';
import { dcmdumpTopLevel } from './dcmdump';

const PREVIEW_DIR = path.resolve(__dirname, '../.tmp');
const SCALE = 0.3;
let work: string;
let films: FollowUpFilm[];

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'osteoplan-series-'));
  films = generateFollowUpSeries(work, { film: { scale: SCALE }, operationDate: '2024-06-18' });
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hka = (truth: FollowUpTruth | LongLegFilm['truth']) => computeLegAlignment(truthLandmarkSet(truth, 'R'), truthCalibration(truth)).measurements.hka.value!;

const FUJISAWA_PLAN: Plan = {
  schemaVersion: 1,
  name: 'test',
  date: null,
  surgeon: null,
  procedure: 'hto-medial-opening',
  target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' },
  hinge: null,
  cutEntry: null,
  softTissue: { method: 'none' },
  doubleLevel: null,
  notes: '',
};

describe('generateFollowUpSeries', () => {
  it('writes four studies of one patient with the right dates, descriptions, roles and operation date', () => {
    expect(films.map((f) => f.stage)).toEqual(['pre-op', 'post-op', '6-weeks', '3-months']);
    const dumps = films.map((f) => dcmdumpTopLevel(f.dicomPath));
    const tag = (k: number, t: string) => dumps[k]!.get(t)!.value!.replace(/[\0 ]+$/, '');
    for (let k = 0; k < 4; k++) {
      expect(tag(k, '0010,0020')).toBe('SERIES-0001');
      expect(tag(k, '0010,0010')).toBe('SERIES^Osteotomy phantom');
      expect(tag(k, '0008,0060')).toBe('DX');
    }
    expect([0, 1, 2, 3].map((k) => tag(k, '0008,0020'))).toEqual(['20240611', '20240619', '20240730', '20240918']);
    expect(new Set([0, 1, 2, 3].map((k) => tag(k, '0020,000d'))).size).toBe(4);
    expect([0, 1, 2, 3].map((k) => tag(k, '0008,1030'))).toEqual([
      'Pre-op standing long-leg AP',
      'Post-op day 1 long-leg AP (HTO)',
      '6 weeks post-op long-leg AP',
      '3 months post-op long-leg AP',
    ]);
    const written = films.map((f) => JSON.parse(readFileSync(f.truthPath, 'utf8')) as FollowUpTruth);
    expect(written.map((t) => [t.followUp.role, t.followUp.operationDate, t.followUp.daysAfterSurgery])).toEqual([
      ['pre-op', '2024-06-18', -7],
      ['post-op', '2024-06-18', 1],
      ['follow-up', '2024-06-18', 42],
      ['follow-up', '2024-06-18', 92],
    ]);
    // One pixel grid for the whole series, so landmarks of different films are comparable.
    for (const t of written) expect([t.image.columns, t.image.rows, t.image.originMm]).toEqual([written[0]!.image.columns, written[0]!.image.rows, written[0]!.image.originMm]);
  });

  it('true HKA by the engine: pre-op, planned, planned, planned − 2° (to 1e-6°); post-op landmarks are computePlan\'s prediction', () => {
    const pre = films[0]!.truth;
    const result = computePlan(truthLandmarkSet(pre, 'R'), truthCalibration(pre), FUJISAWA_PLAN);
    const planned = result.predicted.measurements.hka.value!;
    expect(hka(pre)).toBeCloseTo(-6, 6);
    expect(planned).toBeGreaterThan(0); // Fujisawa: slight valgus
    expect(hka(films[1]!.truth)).toBeCloseTo(planned, 6);
    expect(hka(films[2]!.truth)).toBeCloseTo(planned, 6);
    expect(hka(films[3]!.truth)).toBeCloseTo(planned - 2, 6);
    expect(films[1]!.truth.followUp.plan.plannedHkaDeg).toBeCloseTo(planned, 9);

    const predicted = result.transformedSet.landmarks;
    const truthPx = films[1]!.truth.legs.R!.landmarksPx;
    for (const id of ['femoralHeadCentre', 'kneeCentre', 'tibialPlateauMedial', 'ankleCentre', 'plafondLateral', 'malleolusMedial'] as const) {
      expect(truthPx[id].x).toBeCloseTo(predicted[id]!.x, 6);
      expect(truthPx[id].y).toBeCloseTo(predicted[id]!.y, 6);
    }
    // The ankle moved (a real correction), the knee and plateau did not (clinical-spec §5).
    expect(Math.abs(truthPx.ankleCentre.x - pre.legs.R!.landmarksPx.ankleCentre.x)).toBeGreaterThan(100);
    expect(truthPx.tibialPlateauLateral).toEqual(pre.legs.R!.landmarksPx.tibialPlateauLateral);
    // The wedge drawn is the engine's (α), and the 3-month film turned back by a little more than 2°.
    const o1 = films[1]!.truth.legs.R!.osteotomy!;
    expect(o1.rotationDeg).toBe(result.cuts[0]!.rotationDeg);
    expect(o1.hingePx.x).toBeCloseTo(result.cuts[0]!.hinge.x, 6);
    const back = o1.rotationDeg - films[3]!.truth.legs.R!.osteotomy!.rotationDeg;
    expect(back).toBeGreaterThan(2);
    expect(back).toBeLessThan(2.3);
    // The left leg is untouched.
    expect(films[3]!.truth.legs.L!.landmarksPx).toEqual(pre.legs.L!.landmarksPx);
  });

  it('the gap is dark when empty and reaches bone density when filled; the plate and screws are brighter than any bone', () => {
    const pre = films[0]!.truth;
    const o = films[1]!.truth.legs.R!.osteotomy!;
    const grid = { originMm: pre.image.originMm, columns: pre.image.columns, rows: pre.image.rows };
    const render = (fillPercent: number) =>
      generateLongLegFilm({
        patient: { id: 'SERIES-0001' },
        legs: { R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, L: { mptaDeg: 86, mldfaDeg: 88, jlcaDeg: 1 } },
        scale: SCALE,
        noise: 0,
        grid,
        osteotomy: { R: { hingePx: o.hingePx, cutEntryPx: o.cutEntryPx, rotationDeg: o.rotationDeg, fillPercent } },
      });
    const preOp = generateLongLegFilm({ patient: { id: 'SERIES-0001' }, legs: { R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, L: { mptaDeg: 86, mldfaDeg: 88, jlcaDeg: 1 } }, scale: SCALE, noise: 0, grid });
    const byFill = [0, 50, 100].map(render);
    const at = (film: LongLegFilm, x: number, y: number) => film.pixels[Math.round(y) * grid.columns + Math.round(x)]!;

    // Pixels on the wedge's bisector, from 30 % to 70 % of the way from the hinge to the entry point,
    // where the empty gap is darker than the intact bone of the pre-op film (so not under the plate).
    const bisector = (t: number) => {
      const a = (o.rotationDeg / 2) * (Math.PI / 180);
      const dx = o.cutEntryPx.x - o.hingePx.x;
      const dy = o.cutEntryPx.y - o.hingePx.y;
      // Right leg: pixel → leg frame negates both axes (a half turn), so a leg-frame rotation is the same rotation in pixel axes.
      return { x: o.hingePx.x + t * (dx * Math.cos(a) - dy * Math.sin(a)), y: o.hingePx.y + t * (dx * Math.sin(a) + dy * Math.cos(a)) };
    };
    const ts = Array.from({ length: 41 }, (_, k) => 0.3 + (0.4 * k) / 40).filter((t) => {
      const p = bisector(t);
      return at(byFill[0]!, p.x, p.y) < at(preOp, p.x, p.y) - 50;
    });
    expect(ts.length).toBeGreaterThan(25);
    // Bone of the distal fragment beside each sample: 4 mm beyond the gap's edge, across the bisector.
    const mmPx = SCALE / pre.image.estimatedRadiographicMagnificationFactor;
    const entryDistance = Math.hypot(o.cutEntryPx.x - o.hingePx.x, o.cutEntryPx.y - o.hingePx.y);
    const beside = (t: number) => {
      const p = bisector(t);
      const q = bisector(t + 0.01);
      const u = { x: (q.x - p.x) / Math.hypot(q.x - p.x, q.y - p.y), y: (q.y - p.y) / Math.hypot(q.x - p.x, q.y - p.y) };
      const down = u.x > 0 ? { x: -u.y, y: u.x } : { x: u.y, y: -u.x };
      const offset = Math.tan(((o.rotationDeg / 2) * Math.PI) / 180) * t * entryDistance + 4 / mmPx;
      return { x: p.x + down.x * offset, y: p.y + down.y * offset };
    };
    const mean = (film: LongLegFilm, where: (t: number) => { x: number; y: number }) => ts.reduce((s, t) => s + at(film, where(t).x, where(t).y), 0) / ts.length;
    const [empty, half, full] = byFill.map((f) => mean(f, bisector)) as [number, number, number];
    // The same film's bone beside the gap (metal nearby darkens its surroundings through the film's dynamic-range compression).
    const [boneEmpty, , boneFull] = byFill.map((f) => mean(f, beside)) as [number, number, number];
    const air = 0.03 * 4095;
    expect(empty - air).toBeLessThan(0.6 * (boneEmpty - air));
    expect(half).toBeGreaterThan(empty + 0.1 * (boneEmpty - empty));
    expect(full).toBeGreaterThan(half);
    expect(Math.abs(full - boneFull)).toBeLessThan(0.06 * (boneFull - air));

    // Metal: around the knee, the post-op film has a plate-sized area brighter than the brightest bone of the pre-op film.
    const K = pre.legs.R!.landmarksPx.kneeCentre;
    let boneMax = 0;
    let brighter = 0;
    for (let y = Math.round(K.y); y < K.y + 120 / mmPx; y++) {
      for (let x = Math.round(K.x - 60 / mmPx); x < K.x + 60 / mmPx; x++) {
        boneMax = Math.max(boneMax, at(preOp, x, y));
      }
    }
    for (let y = Math.round(K.y); y < K.y + 120 / mmPx; y++) {
      for (let x = Math.round(K.x - 60 / mmPx); x < K.x + 60 / mmPx; x++) if (at(byFill[0]!, x, y) > boneMax) brighter++;
    }
    expect(brighter * mmPx * mmPx).toBeGreaterThan(11 * 80); // at least an 11 mm × 80 mm strip of plate
  }, 120_000);

  it('writes knee previews of the four films to tests/.tmp', () => {
    mkdirSync(PREVIEW_DIR, { recursive: true });
    for (const film of films) {
      const t = film.truth;
      const K = t.legs.R!.landmarksPx.kneeCentre;
      const mmPx = SCALE / t.image.estimatedRadiographicMagnificationFactor;
      const x0 = Math.max(0, Math.round(K.x - 70 / mmPx));
      const y0 = Math.max(0, Math.round(K.y - 60 / mmPx));
      const w = Math.min(t.image.columns - x0, Math.round(140 / mmPx));
      const h = Math.min(t.image.rows - y0, Math.round(190 / mmPx));
      const png = new PNG({ width: w, height: h });
      const lo = t.image.windowCenter - t.image.windowWidth / 2;
      for (let j = 0; j < h; j++) {
        for (let i = 0; i < w; i++) {
          const v = film.pixels[(y0 + j) * t.image.columns + x0 + i]!;
          const g = Math.max(0, Math.min(255, Math.round(((v - lo) / t.image.windowWidth) * 255)));
          png.data.set([g, g, g, 255], (j * w + i) * 4);
        }
      }
      const file = path.join(PREVIEW_DIR, `phantom-series-knee-${film.stage}.png`);
      writeFileSync(file, PNG.sync.write(png));
      expect(PNG.sync.read(readFileSync(file)).width).toBe(w);
    }
  });
});

describe('generateFollowUpSeries with a detector of its own per film', () => {
  it('each film has its own spacing, magnification and size, or no scale in its header; the patient and the osteotomy are where they are on the pre-op film', () => {
    const dir = path.join(work, 'own-detectors');
    const own = generateFollowUpSeries(dir, {
      film: { scale: 0.6, noise: 0 },
      films: {
        'post-op': { calibrationInHeader: false },
        '6-weeks': { scale: 0.4 },
        '3-months': { imagerPixelSpacingMm: { row: 0.5, column: 0.5 }, ermf: 1.2, sizeMm: { width: 380, height: 1000 } },
      },
    });
    const dumps = own.map((f) => dcmdumpTopLevel(f.dicomPath));
    const tag = (k: number, t: string) => dumps[k]!.get(t)?.value?.replace(/[\0 ]+$/, '') ?? null;
    expect([0, 1, 2, 3].map((k) => tag(k, '0018,1164'))).toEqual(['0.6\\0.6', null, '0.4\\0.4', '0.5\\0.5']);
    expect([0, 1, 2, 3].map((k) => tag(k, '0018,1114'))).toEqual(['1.1', null, '1.1', '1.2']);
    expect(own[1]!.truth.image.calibrationInHeader).toBe(false);
    expect(own[0]!.truth.image.calibrationInHeader).toBeUndefined();

    const pre = own[0]!.truth.image;
    const centre = (im: typeof pre) => ({
      x: im.originMm.x + (im.columns * im.patientPixelSpacingMm.column) / 2,
      y: im.originMm.y + (im.rows * im.patientPixelSpacingMm.row) / 2,
    });
    // The post-op film keeps the pre-op grid; the others have their own, about the same centre.
    expect(own[1]!.truth.image).toMatchObject({ columns: pre.columns, rows: pre.rows, originMm: pre.originMm });
    const six = own[2]!.truth.image;
    expect(six.patientPixelSpacingMm.column).toBeCloseTo(0.4 / 1.1, 12);
    expect(Math.abs(six.columns * six.patientPixelSpacingMm.column - pre.columns * pre.patientPixelSpacingMm.column)).toBeLessThan(six.patientPixelSpacingMm.column);
    const three = own[3]!.truth.image;
    expect(three.patientPixelSpacingMm.row).toBeCloseTo(0.5 / 1.2, 12);
    expect(Math.abs(three.columns * three.patientPixelSpacingMm.column - 380)).toBeLessThan(three.patientPixelSpacingMm.column);
    expect(Math.abs(three.rows * three.patientPixelSpacingMm.row - 1000)).toBeLessThan(three.patientPixelSpacingMm.row);
    for (const im of [six, three]) {
      expect(centre(im).x).toBeCloseTo(centre(pre).x, 9);
      expect(centre(im).y).toBeCloseTo(centre(pre).y, 9);
    }

    // The same patient in mm on every film: the femur does not move, the hinge is the pre-op plan's point.
    const preLeg = own[0]!.truth.legs.R!;
    const toMm = (im: typeof pre, p: { x: number; y: number }) => ({ x: im.originMm.x + p.x * im.patientPixelSpacingMm.column, y: im.originMm.y + p.y * im.patientPixelSpacingMm.row });
    const hingeMm = toMm(pre, own[0]!.truth.followUp.plan.hingePx);
    for (const f of own.slice(1)) {
      const leg = f.truth.legs.R!;
      for (const id of ['femoralHeadCentre', 'kneeCentre', 'tibialPlateauLateral'] as const) {
        expect(leg.landmarksMm[id].x).toBeCloseTo(preLeg.landmarksMm[id].x, 6);
        expect(leg.landmarksMm[id].y).toBeCloseTo(preLeg.landmarksMm[id].y, 6);
        const mm = toMm(f.truth.image, leg.landmarksPx[id]);
        expect(mm.x).toBeCloseTo(leg.landmarksMm[id].x, 6);
        expect(mm.y).toBeCloseTo(leg.landmarksMm[id].y, 6);
      }
      const hinge = toMm(f.truth.image, leg.osteotomy!.hingePx);
      expect(hinge.x).toBeCloseTo(hingeMm.x, 6);
      expect(hinge.y).toBeCloseTo(hingeMm.y, 6);
    }
    // The corrections are the default series' (angles do not depend on the detector).
    expect(own.map((f) => f.truth.followUp.hkaDeg)).toEqual(films.map((f) => expect.closeTo(f.truth.followUp.hkaDeg, 6)));
    expect(own[2]!.truth.followUp.hkaDeg).toBeCloseTo(hka(own[2]!.truth), 9);
    expect(() => generateFollowUpSeries(dir, { films: { 'pre-op': { sizeMm: { width: 400, height: 1200 } } } })).toThrow(/pre-op film is fitted/);
    expect(() => generateFollowUpSeries(dir, { films: { later: { scale: 0.5 } } as never })).toThrow(/films.later/);
  }, 120_000);
});

describe('osteoplan phantom --series', () => {
  it('writes the four films and reports them; refuses a bad operation date', async () => {
    const dir = path.join(work, 'cli');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) };
    expect(await runPhantomCommand(['--series', dir, '--scale', '0.6', '--operation-date', '2025-01-10'], io)).toBe(0);
    expect(err).toEqual([]);
    expect(out).toHaveLength(4);
    expect(out[1]).toMatch(/2-post-op\.dcm \(post-op, day 1: HKA [\d.]+°, gap fill 0 %\)/);
    expect(out[3]).toMatch(/4-3-months\.dcm \(follow-up, day 90/);
    expect(await runPhantomCommand(['--series', dir, '--operation-date', '2025-02-30'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/operationDate must be a calendar date/);
  }, 120_000);
});
