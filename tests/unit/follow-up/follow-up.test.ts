import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/geometry/errors';
import {
  achievedVsPlanned,
  daysAfterSurgery,
  formatWeeksAfterSurgery,
  lossOfCorrection,
  snapshotOf,
  weeksAfterSurgery,
  type FollowUpFilm,
} from '../../../shared/follow-up/follow-up';
import { computeLegAlignment } from '../../../shared/measurements/leg-alignment';
import { computePlan } from '../../../shared/planning/osteotomy';
import { testPlan } from '../helpers/plan';
import { calibrated, legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG } from '../helpers/synthetic-leg';

const snap = (hkaDeg: number | null, wblPercent: number | null, mptaDeg: number | null) => ({ hkaDeg, wblPercent, mptaDeg });

describe('weeks after surgery (clinical-spec §6)', () => {
  it('counts from the operation date; DICOM and ISO dates both work', () => {
    expect(daysAfterSurgery('2024-03-01', '20240412')).toBe(42);
    expect(weeksAfterSurgery('20240301', '2024-04-12')).toBe(6);
    expect(weeksAfterSurgery('2024-03-01', '2024-03-04')).toBeCloseTo(3 / 7, 12);
    // Across a leap day and a DST change the count is still in whole days.
    expect(daysAfterSurgery('2024-02-28', '2024-03-31')).toBe(32);
    expect(weeksAfterSurgery('2024-03-01', '2024-02-23')).toBe(-1); // 2024 is a leap year: 7 days
    expect(formatWeeksAfterSurgery('2024-03-01', '2024-04-14')).toBe('6 wk 2 d after surgery');
    expect(formatWeeksAfterSurgery('2024-03-01', '2024-02-25')).toBe('5 day(s) before surgery');
  });
  it('refuses malformed or impossible dates with a clear message', () => {
    expect(() => weeksAfterSurgery('2024-02-30', '2024-03-01')).toThrow(/not a valid calendar date/);
    expect(() => weeksAfterSurgery('yesterday', '2024-03-01')).toThrow(EngineError);
  });
});

describe('achieved vs planned (clinical-spec §6)', () => {
  it('Δ = achieved − planned for WBL, HKA and MPTA, null when either side is missing', () => {
    const d = achievedVsPlanned(snap(2.5, 62.5, 92), snap(1.5, 58, null));
    expect(d.hkaDeg).toEqual({ planned: 2.5, achieved: 1.5, delta: -1 });
    expect(d.wblPercent.delta).toBeCloseTo(-4.5, 12);
    expect(d.mptaDeg.delta).toBeNull();
  });
  it('works from a plan prediction and a post-op alignment', () => {
    const cal = calibrated(0.15, 0.15);
    const plan = computePlan(toLandmarkSet(legPointsMm(TYPICAL_VARUS_LEG)), cal, testPlan({ name: 'p' }));
    const postOp = computeLegAlignment(plan.transformedSet, cal);
    const d = achievedVsPlanned(snapshotOf(plan.predicted), snapshotOf(postOp));
    expect(d.wblPercent.delta).toBeCloseTo(0, 9);
    expect(d.hkaDeg.delta).toBeCloseTo(0, 9);
  });
});

describe('loss of correction (clinical-spec §6: defaults 2° HKA, 5 % WBL)', () => {
  const films: FollowUpFilm[] = [
    { id: 'pre', date: '2024-01-10', role: 'pre-op', alignment: snap(-7, 15, 84) },
    { id: 'post', date: '2024-03-02', role: 'immediate-post-op', alignment: snap(2.5, 62, 92) },
    { id: 'w6', date: '2024-04-13', role: 'follow-up', alignment: snap(1.5, 59, 91.5) },
    { id: 'm6', date: '2024-09-02', role: 'follow-up', alignment: snap(0.4, 54, 90.5) },
  ];
  it('measures every later film against the immediate post-op film and flags changes at or beyond the thresholds', () => {
    const r = lossOfCorrection(films);
    expect(r.status).toBe('loss');
    expect(r.baseline).toEqual({ id: 'post', date: '2024-03-02' });
    expect(r.entries.map((e) => e.id)).toEqual(['w6', 'm6']);
    expect(r.entries[0]).toMatchObject({ exceeded: [], hkaDirection: 'toward varus', weeksAfterBaseline: 6 });
    expect(r.entries[0]!.change.hkaDeg).toBeCloseTo(-1, 12);
    expect(r.entries[1]!.exceeded).toEqual(['hkaDeg', 'wblPercent']);
    expect(r.entries[1]!.change.wblPercent).toBeCloseTo(-8, 12);
    expect(r.message).toBe('Loss of correction on 1 film(s): 2024-09-02 (HKA, WBL).');
  });
  it('thresholds are settings', () => {
    expect(lossOfCorrection(films, { hkaDeg: 3, wblPercent: 10 }).status).toBe('stable');
    const strict = lossOfCorrection(films, { hkaDeg: 1, mptaDeg: 0.5 });
    expect(strict.entries[0]!.exceeded).toEqual(['hkaDeg', 'mptaDeg']);
    expect(() => lossOfCorrection(films, { hkaDeg: 0 })).toThrow(/positive number or null/);
  });
  it('an exact threshold change counts as loss', () => {
    const r = lossOfCorrection([
      { id: 'a', date: '2024-01-01', role: 'immediate-post-op', alignment: snap(2, 60, 90) },
      { id: 'b', date: '2024-02-01', role: 'follow-up', alignment: snap(0, 60, 90) },
    ]);
    expect(r.entries[0]!.exceeded).toEqual(['hkaDeg']);
  });
  it('without an immediate post-op film there is no baseline', () => {
    expect(lossOfCorrection(films.filter((f) => f.role !== 'immediate-post-op')).status).toBe('no-baseline');
  });
  it('missing values give null changes, not NaN', () => {
    const r = lossOfCorrection([
      { id: 'a', date: '2024-01-01', role: 'immediate-post-op', alignment: snap(2, null, 90) },
      { id: 'b', date: '2024-02-01', role: 'follow-up', alignment: snap(null, 50, 90) },
    ]);
    expect(r.entries[0]!.change).toEqual({ hkaDeg: null, wblPercent: null, mptaDeg: 0 });
    expect(r.status).toBe('stable');
  });
});
