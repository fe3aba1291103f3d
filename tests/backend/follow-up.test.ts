// Follow-up channels through dispatch and the real backend (issue 6; clinical-spec §6): the
// phantom series imported, its roles, operation date, true landmarks and the engine's plan stored;
// the timeline orders the studies with weeks after surgery, compares the first post-op film with
// the chosen plan, flags the 2° loss on the 3-month film only, follows the thresholds in the
// settings, and carries the findings, whose every revision is kept.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateFollowUpSeries, truthCalibration, truthLandmarkSet, type FollowUpFilm } from '../../electron/backend/phantom/follow-up-series';
import { computeLegAlignment } from '../../shared/measurements/leg-alignment';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import { plannedMeasurements, storeSeriesTruth } from './follow-up-truth';
import { testBackend, type TestBackend } from './helpers';

let work: string;
let films: FollowUpFilm[];
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'osteoplan-followup-'));
  // Coarse pixels keep the four films small; the geometry is the same at any scale.
  films = generateFollowUpSeries(work, { film: { scale: 0.6 } });
}, 120_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

let t: TestBackend | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

/** Imports the series and stores what the truth says: roles, operation date, landmarks, the chosen plan. */
async function setUpSeries(tb: TestBackend) {
  const report = await tb.value('import:paths', { paths: films.map((f) => f.dicomPath) });
  expect(report.imported).toHaveLength(4);
  const imageIds = films.map((f) => report.imported.find((i) => i.path === f.dicomPath)!.imageId);
  const patientId = report.imported.find((i) => i.path === films[0]!.dicomPath)!.patientId;
  for (const [k, f] of films.entries()) {
    const image = await tb.value('library:getImage', { imageId: imageIds[k]! });
    await tb.value('study:setClinical', { studyId: image.study.id, role: f.truth.followUp.role, operationDate: f.truth.followUp.operationDate });
  }
  const { planId } = await storeSeriesTruth((channel, request) => tb.value(channel, request), films, imageIds);
  return { patientId, imageIds, planId };
}

const alignmentOf = (set: LandmarkSet, film: FollowUpFilm) => computeLegAlignment(set, truthCalibration(film.truth));

describe('followUp:getTimeline on the phantom series', () => {
  it('orders the four studies with roles and weeks after surgery, derives the operation from the dates and the chosen plan', async () => {
    t = testBackend();
    const { patientId, imageIds, planId } = await setUpSeries(t);
    const tl = await t.value('followUp:getTimeline', { patientId });
    expect(tl.patient.patientId).toBe('SERIES-0001');
    expect(tl.studies.map((s) => [s.date, s.role, s.daysAfterSurgery, s.weeksLabel])).toEqual([
      ['2024-06-11', 'pre-op', -7, '7 day(s) before surgery'],
      ['2024-06-19', 'post-op', 1, '0 wk 1 d after surgery'],
      ['2024-07-30', 'follow-up', 42, '6 wk after surgery'],
      ['2024-09-18', 'follow-up', 92, '13 wk 1 d after surgery'],
    ]);
    expect(tl.studies.map((s) => s.films.map((f) => f.imageId))).toEqual(imageIds.map((id) => [id]));
    expect(tl.operations).toHaveLength(1);
    expect(tl.operations[0]).toMatchObject({ date: '2024-06-18', plans: [{ planId, side: 'R', procedure: 'hto-medial-opening', planError: null }] });
    expect(tl.operations[0]!.studyIds).toHaveLength(4);
    expect(tl.thresholds).toEqual({ hkaDeg: 2, wblPercent: 5, mptaDeg: null });
    // Per film: the true HKA of the phantom (pre-op −6°, then planned, planned, planned − 2°).
    const hka = tl.studies.map((s) => s.films[0]!.legs[0]!.values.hka!);
    films.forEach((f, k) => expect(hka[k]).toBeCloseTo(f.truth.followUp.hkaDeg, 9));
    expect(tl.studies[0]!.films[0]!.calibration?.type).toBe('magnification-corrected');
  });

  it('planned vs achieved: the first post-op film against computePlan, recomputed when the post-op film is re-measured', async () => {
    t = testBackend();
    const { patientId, imageIds } = await setUpSeries(t);
    const planned = plannedMeasurements(films);
    let leg = (await t.value('followUp:getTimeline', { patientId })).legs[0]!;
    expect(leg.side).toBe('R');
    expect(leg.achievedFilm).toMatchObject({ imageId: imageIds[1], date: '2024-06-19' });
    expect(leg.achievedVsPlanned!.hkaDeg.planned).toBeCloseTo(planned.hka.value!, 12);
    expect(leg.achievedVsPlanned!.wblPercent.planned).toBeCloseTo(planned.wbl.value!, 12);
    expect(leg.achievedVsPlanned!.mptaDeg.planned).toBeCloseTo(planned.mpta.value!, 12);
    for (const k of ['hkaDeg', 'wblPercent', 'mptaDeg'] as const) expect(Math.abs(leg.achievedVsPlanned![k].delta!)).toBeLessThan(1e-6);

    // The surgeon under-corrected: the post-op film measured with the 3-month film's ankle and plafond.
    const postOp = truthLandmarkSet(films[1]!.truth, 'R');
    const later = truthLandmarkSet(films[3]!.truth, 'R');
    const underCorrected: LandmarkSet = {
      ...postOp,
      landmarks: { ...postOp.landmarks, ankleCentre: later.landmarks.ankleCentre, plafondMedial: later.landmarks.plafondMedial, plafondLateral: later.landmarks.plafondLateral },
    };
    await t.value('measurement:save', { imageId: imageIds[1]!, set: underCorrected });
    const achieved = alignmentOf(underCorrected, films[1]!).measurements;
    leg = (await t.value('followUp:getTimeline', { patientId })).legs[0]!;
    expect(leg.achievedVsPlanned!.hkaDeg.delta).toBeCloseTo(achieved.hka.value! - planned.hka.value!, 9);
    expect(leg.achievedVsPlanned!.wblPercent.delta).toBeCloseTo(achieved.wbl.value! - planned.wbl.value!, 9);
    expect(leg.achievedVsPlanned!.mptaDeg.delta).toBeCloseTo(achieved.mpta.value! - planned.mpta.value!, 9);
    expect(leg.achievedVsPlanned!.hkaDeg.delta!).toBeLessThan(-1);
  });

  it('flags the 2° loss on the 3-month film only; the thresholds in the settings change the verdict', async () => {
    t = testBackend();
    const { patientId, imageIds } = await setUpSeries(t);
    let loss = (await t.value('followUp:getTimeline', { patientId })).legs[0]!.loss;
    expect(loss.status).toBe('loss');
    expect(loss.baseline).toEqual({ id: String(imageIds[1]), date: '2024-06-19' });
    expect(loss.entries.map((e) => e.id)).toEqual([String(imageIds[2]), String(imageIds[3])]);
    const [sixWeeks, threeMonths] = loss.entries;
    expect(sixWeeks!.exceeded).toEqual([]);
    expect(Math.abs(sixWeeks!.change.hkaDeg!)).toBeLessThan(1e-9);
    expect(threeMonths!.change.hkaDeg).toBeCloseTo(-2, 9);
    expect(threeMonths!.exceeded).toContain('hkaDeg');
    expect(threeMonths!.hkaDirection).toBe('toward varus');
    const wblChange = threeMonths!.change.wblPercent!;
    expect(threeMonths!.exceeded.includes('wblPercent')).toBe(Math.abs(wblChange) >= 5);

    // Thresholds above the change: nothing flagged; kept across a restart of the backend.
    expect(await t.value('settings:save', { lossThresholds: { hkaDeg: 2.5, wblPercent: Math.ceil(Math.abs(wblChange)) + 1, mptaDeg: 3 } })).toEqual({
      lossThresholds: { hkaDeg: 2.5, wblPercent: Math.ceil(Math.abs(wblChange)) + 1, mptaDeg: 3 },
    });
    loss = (await t.value('followUp:getTimeline', { patientId })).legs[0]!.loss;
    expect(loss.status).toBe('stable');
    expect((await t.value('settings:get', {})).lossThresholds.hkaDeg).toBe(2.5);
    // MPTA 2° lost too (the tibia turned back): flagged at a 1.5° MPTA threshold.
    await t.value('settings:save', { lossThresholds: { hkaDeg: null, wblPercent: null, mptaDeg: 1.5 } });
    loss = (await t.value('followUp:getTimeline', { patientId })).legs[0]!.loss;
    expect(loss.entries.map((e) => e.exceeded)).toEqual([[], ['mptaDeg']]);

    const refused = await t.call('settings:save', { lossThresholds: { hkaDeg: -1, wblPercent: 5, mptaDeg: null } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await t.value('settings:get', {})).lossThresholds).toEqual({ hkaDeg: null, wblPercent: null, mptaDeg: 1.5 });
  });

  it('a study without a date or role, and a film without landmarks, appear without values and break nothing', async () => {
    t = testBackend();
    const report = await t.value('import:paths', { paths: [films[0]!.dicomPath, films[2]!.dicomPath] });
    const patientId = report.imported[0]!.patientId;
    const tl = await t.value('followUp:getTimeline', { patientId });
    expect(tl.studies.map((s) => [s.date, s.role, s.weeksAfterSurgery, s.films[0]!.legs.length])).toEqual([
      ['2024-06-11', null, null, 0],
      ['2024-07-30', null, null, 0],
    ]);
    expect(tl.operations).toEqual([]);
    expect(tl.legs).toEqual([]);
    expect((await t.call('followUp:getTimeline', { patientId: 999 })).ok).toBe(false);
  });
});

describe('findings:save', () => {
  it('saves a revision per change, adds nothing for an identical save, shows the latest in the timeline; refuses bad values with nothing saved', async () => {
    t = testBackend();
    const { patientId, imageIds } = await setUpSeries(t);
    const imageId = imageIds[2]!;
    const first = await t.value('findings:save', { imageId, side: 'R', hingeFracture: 'I', gapFillPercent: 35, hardware: 'intact', notes: 'Hinge crack, stable.' });
    expect(first).toMatchObject({ imageId, side: 'R', revision: 1, hingeFracture: 'I', gapFillPercent: 35, hardware: 'intact', notes: 'Hinge crack, stable.' });
    const same = await t.value('findings:save', { imageId, side: 'R', hingeFracture: 'I', gapFillPercent: 35, hardware: 'intact', notes: 'Hinge crack, stable.' });
    expect(same.revision).toBe(1);
    const second = await t.value('findings:save', { imageId, side: 'R', hingeFracture: 'I', gapFillPercent: 40, hardware: 'intact', notes: 'Hinge crack, stable.' });
    expect(second.revision).toBe(2);

    for (const bad of [{ gapFillPercent: 120 }, { hingeFracture: 'IV' }, { hardware: 'lost' }, { notes: 'x'.repeat(4001) }]) {
      const r = await t.call('findings:save', { imageId, side: 'R', hingeFracture: null, gapFillPercent: null, hardware: null, notes: '', ...bad } as never);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(await t.call('findings:save', { imageId: 99_999, side: 'R', hingeFracture: null, gapFillPercent: null, hardware: null, notes: '' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });

    const tl = await t.value('followUp:getTimeline', { patientId });
    const film = tl.studies[2]!.films[0]!;
    expect(film.findings).toEqual([{ ...second }]);
    expect(tl.studies[1]!.films[0]!.findings).toEqual([]);
  });
});
