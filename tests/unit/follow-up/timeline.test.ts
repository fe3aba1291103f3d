// buildTimeline (clinical-spec §6) on synthetic legs: date order with undated studies last, weeks
// after surgery from the study's own or the patient's only operation date, the chosen plan against
// the first post-op film, loss per leg, films without landmarks or with unusable spacing.
import { describe, expect, it } from 'vitest';
import { lossOfCorrection, LOSS_THRESHOLD_TOLERANCE } from '../../../shared/follow-up/follow-up';
import { summariseFindings } from '../../../shared/follow-up/findings';
import { buildTimeline, type TimelineInputImage, type TimelineInputStudy } from '../../../shared/follow-up/timeline';
import type { CalibrationHeader } from '../../../shared/calibration/calibration';
import { computeLegAlignment } from '../../../shared/measurements/leg-alignment';
import { computePlan } from '../../../shared/planning/osteotomy';
import { testPlan } from '../helpers/plan';
import { calibrated, legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG } from '../helpers/synthetic-leg';

const HEADER: CalibrationHeader = { modality: 'CR', pixelSpacing: [0.15, 0.15], imagerPixelSpacing: null, estimatedRadiographicMagnificationFactor: null, pixelSpacingCalibrationType: 'GEOMETRY' };
const PLAN = testPlan({ name: 'Fujisawa', date: '2024-03-01' });

function image(imageId: number, set: ReturnType<typeof toLandmarkSet> | null, header = HEADER): TimelineInputImage {
  return {
    imageId,
    sopInstanceUid: `1.2.${imageId}`,
    rows: 7000,
    columns: 3000,
    modality: 'CR',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    header,
    sets: set ? [{ revision: 1, savedAt: '2024-01-01T00:00:00Z', set: { ...set, sopInstanceUid: `1.2.${imageId}` } }] : [],
    findings: [],
  };
}

describe('buildTimeline', () => {
  const pre = toLandmarkSet(legPointsMm(TYPICAL_VARUS_LEG));
  const cal = calibrated(0.15, 0.15);
  const planned = computePlan(pre, cal, PLAN);
  const post = planned.transformedSet;
  const studies: TimelineInputStudy[] = [
    { studyId: 4, studyDate: '20240901', description: '6 months', role: 'follow-up', operationDate: null, images: [image(40, post)] },
    { studyId: 9, studyDate: null, description: 'undated scan', role: null, operationDate: null, images: [image(90, null)] },
    { studyId: 1, studyDate: '20240110', description: 'pre-op', role: 'pre-op', operationDate: '2024-03-01', images: [image(10, pre)] },
    { studyId: 2, studyDate: '2024-03-02', description: 'post-op', role: 'post-op', operationDate: '2024-03-01', images: [image(20, post)] },
    {
      studyId: 3,
      studyDate: '20240412',
      description: 'broken header',
      role: 'follow-up',
      operationDate: '2024-03-01',
      images: [image(30, post, { ...HEADER, pixelSpacing: [0, 0.15] })],
    },
  ];
  const timeline = buildTimeline({
    studies,
    plans: [
      { planId: 7, imageId: 10, frame: 0, side: 'R', chosen: true, studyDate: '20240110', plan: PLAN },
      { planId: 8, imageId: 10, frame: 0, side: 'R', chosen: false, studyDate: '20240110', plan: { ...PLAN, name: 'alternative' } },
    ],
    thresholds: { hkaDeg: 2, wblPercent: 5, mptaDeg: null },
  });

  it('orders by date (undated last) and counts weeks from the study\'s operation date, else the only one', () => {
    expect(timeline.studies.map((s) => [s.studyId, s.date, s.daysAfterSurgery])).toEqual([
      [1, '2024-01-10', -51],
      [2, '2024-03-02', 1],
      [3, '2024-04-12', 42],
      [4, '2024-09-01', 184],
      [9, null, null],
    ]);
    expect(timeline.studies[3]!.operationDate).toBe('2024-03-01');
    expect(timeline.operations).toEqual([{ date: '2024-03-01', plans: [expect.objectContaining({ planId: 7, planError: null })], studyIds: [1, 2, 3, 4, 9] }]);
  });

  it('planned vs achieved is the chosen plan against the first post-op film; a film with unusable spacing keeps its angles', () => {
    const leg = timeline.legs[0]!;
    expect(leg.side).toBe('R');
    expect(leg.achievedFilm).toEqual({ imageId: 20, studyId: 2, date: '2024-03-02' });
    expect(leg.achievedVsPlanned!.hkaDeg.planned).toBeCloseTo(planned.predicted.measurements.hka.value!, 12);
    expect(leg.achievedVsPlanned!.hkaDeg.delta).toBeCloseTo(computeLegAlignment(post, cal).measurements.hka.value! - planned.predicted.measurements.hka.value!, 12);
    // clinical-spec §4 rule 5: a zero spacing is unusable: uncalibrated, angles kept, mm withheld.
    const broken = timeline.studies[2]!.films[0]!;
    expect(broken.calibration?.type).toBe('uncalibrated');
    expect(broken.legs[0]!.values.hka).toBeCloseTo(timeline.studies[1]!.films[0]!.legs[0]!.values.hka!, 9);
    expect(broken.legs[0]!.values.mad).toBeNull();
    expect(leg.points.map((p) => p.imageId)).toEqual([10, 20, 30, 40]);
    expect(leg.points.map((p) => p.weeksAfterSurgery)).toEqual([-51 / 7, 1 / 7, 6, 184 / 7]);
  });
});

describe('loss threshold and float noise', () => {
  it('a change that is the threshold up to float noise is flagged; one clearly below is not', () => {
    const film = (id: string, date: string, role: 'immediate-post-op' | 'follow-up', hka: number) => ({ id, date, role, alignment: { hkaDeg: hka, wblPercent: null, mptaDeg: null } });
    const base = film('post', '2024-03-02', 'immediate-post-op', 2.522776230829224);
    const noisy = lossOfCorrection([base, film('m3', '2024-06-01', 'follow-up', 0.52277623082977)]);
    expect(noisy.entries[0]!.change.hkaDeg).not.toBe(-2);
    expect(noisy.entries[0]!.exceeded).toEqual(['hkaDeg']);
    expect(lossOfCorrection([base, film('m3', '2024-06-01', 'follow-up', 2.522776230829224 - 2 + 10 * LOSS_THRESHOLD_TOLERANCE)]).entries[0]!.exceeded).toEqual([]);
  });
});

describe('summariseFindings', () => {
  it('says what was recorded, nothing when nothing was', () => {
    expect(summariseFindings(null)).toBeNull();
    expect(summariseFindings({ hingeFracture: null, gapFillPercent: null, hardware: null, notes: '  ' })).toBeNull();
    expect(summariseFindings({ hingeFracture: 'none', gapFillPercent: 100, hardware: 'removed', notes: '' })).toBe('no hinge fracture · gap 100 % filled · hardware removed');
  });
});
