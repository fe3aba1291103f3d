import { describe, expect, it } from 'vitest';
import { UNCALIBRATED } from '../../../shared/calibration/calibration';
import { EngineError } from '../../../shared/geometry/errors';
import { computeLegAlignment, malalignmentVerdict, type LegAlignment, type Measurement } from '../../../shared/measurements/leg-alignment';
import { computeLegLengthDifference } from '../../../shared/measurements/leg-length';
import { MEASURE_IDS } from '../../../shared/measurements/definitions';
import { calibrated, DEFAULT_IMAGE, legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG } from '../helpers/synthetic-leg';

const cal = calibrated(DEFAULT_IMAGE.rowSpacingMm, DEFAULT_IMAGE.columnSpacingMm);
const leg = legPointsMm(TYPICAL_VARUS_LEG);

/** No NaN or Infinity anywhere in the output, and every unavailable result says why. */
function expectClean(a: LegAlignment) {
  expect(JSON.stringify(a)).not.toMatch(/NaN|Infinity/);
  for (const id of MEASURE_IDS) {
    const m = a.measurements[id];
    if (m.status === 'unavailable') {
      expect(m.value).toBeNull();
      expect(m.reason).toBeTruthy();
    } else {
      expect(Number.isFinite(m.value)).toBe(true);
    }
  }
}

describe('a half-placed set still shows what it can (clinical-spec §3)', () => {
  it('with only the head contour, knee and ankle: HKA and lengths, and the rest name what is missing', () => {
    const set = toLandmarkSet(leg, {
      ...DEFAULT_IMAGE,
      omit: ['greaterTrochanterTip', 'femoralShaftProximal', 'femoralShaftDistal', 'femoralCondyleMedial', 'femoralCondyleLateral', 'tibialPlateauMedial', 'tibialPlateauLateral', 'plafondMedial', 'plafondLateral', 'malleolusMedial', 'malleolusLateral'],
    });
    const a = computeLegAlignment(set, cal);
    expectClean(a);
    const m = a.measurements;
    expect(m.hka.status).not.toBe('unavailable');
    expect(m.mad.status).not.toBe('unavailable');
    expect(m.legLength.status).toBe('info');
    expect(m.mpta).toMatchObject({ status: 'unavailable', errorCode: 'MISSING_LANDMARK', missing: ['tibialPlateauMedial', 'tibialPlateauLateral'] });
    expect(m.mldfa.missing).toEqual(['femoralCondyleMedial', 'femoralCondyleLateral']);
    expect(m.wbl.missing).toEqual(['tibialPlateauMedial', 'tibialPlateauLateral']);
    expect(m.jlca.missing).toEqual(['femoralCondyleMedial', 'femoralCondyleLateral', 'tibialPlateauMedial', 'tibialPlateauLateral']);
    expect(m.ahka.missing).toEqual(['tibialPlateauMedial', 'tibialPlateauLateral', 'femoralCondyleMedial', 'femoralCondyleLateral']);
    expect(m.mpta.reason).toMatch(/Place Tibial plateau, medial, Tibial plateau, lateral/);
    expect(a.identityCheck.status).toBe('unavailable');
  });

  it('an empty set gives every measure unavailable, none NaN', () => {
    const set = { ...toLandmarkSet(leg), landmarks: {}, femoralHeadContour: [] };
    const a = computeLegAlignment(set, cal);
    expectClean(a);
    for (const id of MEASURE_IDS) expect(a.measurements[id].status).toBe('unavailable');
    expect(a.measurements.hka.missing).toEqual(['femoralHeadCentre', 'kneeCentre', 'plafondMedial', 'plafondLateral']);
    expect(a.keyPoints.kneeCentre).toMatchObject({ available: false, missing: ['kneeCentre'] });
  });

  it('two contour points are not enough; the message says how many more', () => {
    const set = { ...toLandmarkSet(leg), femoralHeadContour: toLandmarkSet(leg).femoralHeadContour.slice(0, 2) };
    const a = computeLegAlignment(set, cal);
    expect(a.measurements.hka.missing).toEqual(['femoralHeadCentre']);
    expect(a.keyPoints.femoralHeadCentre.available ? null : a.keyPoints.femoralHeadCentre.reason).toMatch(/1 more contour point/);
  });

  it('the knee-centre and ankle-centre variants resolve from their own landmarks', () => {
    const plateauMid = toLandmarkSet(leg, {
      ...DEFAULT_IMAGE,
      omit: ['kneeCentre', 'ankleCentre'],
      variants: { kneeCentre: 'plateau-midpoint', ankleCentre: 'malleoli-midpoint', plateau: 'subchondral' },
    });
    const reference = computeLegAlignment(toLandmarkSet(leg), cal);
    const a = computeLegAlignment(plateauMid, cal);
    // The synthetic leg puts K at the plateau midpoint and A at the malleolar midpoint.
    expect(a.measurements.hka.value).toBeCloseTo(reference.measurements.hka.value!, 9);
    expect(a.keyPoints.kneeCentre).toMatchObject({ available: true, derivation: 'midpoint of the tibial plateau points' });
    expect(a.keyPoints.ankleCentre).toMatchObject({ available: true, derivation: 'midpoint of the malleoli' });
    const noMalleoli = { ...plateauMid, landmarks: { ...plateauMid.landmarks, malleolusLateral: undefined } };
    delete noMalleoli.landmarks.malleolusLateral;
    expect(computeLegAlignment(noMalleoli, cal).measurements.hka.missing).toEqual(['malleolusLateral']);
  });
});

describe('uncalibrated images (clinical-spec §4 rule 5)', () => {
  it('angles and WBL % work; mm values are unavailable with a reason', () => {
    const a = computeLegAlignment(toLandmarkSet(leg), UNCALIBRATED);
    const c = computeLegAlignment(toLandmarkSet(leg), cal);
    expectClean(a);
    expect(a.measurements.hka.value).toBeCloseTo(c.measurements.hka.value!, 9);
    expect(a.measurements.wbl.value).toBeCloseTo(c.measurements.wbl.value!, 9);
    for (const id of ['mad', 'femurLength', 'tibiaLength', 'legLength'] as const) {
      expect(a.measurements[id]).toMatchObject({ status: 'unavailable', errorCode: 'CALIBRATION_REQUIRED', display: 'needs calibration', missing: [] });
    }
    expect(a.malalignment.status).toBe('unavailable');
    expect(a.femoralHeadCircle!.radiusMm).toBeNull();
  });
});

describe('degenerate geometry gives typed errors, never NaN', () => {
  it('coincident plateau points make MPTA, WBL and JLCA unavailable (DEGENERATE_GEOMETRY)', () => {
    const set = toLandmarkSet(leg);
    set.landmarks.tibialPlateauLateral = { ...set.landmarks.tibialPlateauMedial! };
    const a = computeLegAlignment(set, cal);
    expectClean(a);
    for (const id of ['mpta', 'wbl', 'jlca'] as const) expect(a.measurements[id].errorCode).toBe('DEGENERATE_GEOMETRY');
    expect(a.measurements.hka.status).not.toBe('unavailable');
  });

  it('collinear contour points make H unavailable with DEGENERATE_GEOMETRY', () => {
    const set = toLandmarkSet(leg);
    set.femoralHeadContour = [0, 1, 2].map((i) => ({ x: 100 + i, y: 100 + 2 * i, placedBy: 'user' as const }));
    const a = computeLegAlignment(set, cal);
    expectClean(a);
    expect(a.measurements.hka.errorCode).toBe('DEGENERATE_GEOMETRY');
    expect(a.measurements.mpta.status).not.toBe('unavailable');
  });

  it('knee centre on the femoral head: HKA unavailable', () => {
    const set = toLandmarkSet(leg, { ...DEFAULT_IMAGE, headBy: 'direct' });
    set.landmarks.kneeCentre = { ...set.landmarks.femoralHeadCentre! };
    const a = computeLegAlignment(set, cal);
    expectClean(a);
    expect(a.measurements.hka.errorCode).toBe('DEGENERATE_GEOMETRY');
  });

  it('an invalid calibration is refused with INVALID_SPACING', () => {
    for (const bad of [{ ...cal, rowSpacingMm: 0 }, { ...cal, columnSpacingMm: Number.NaN }, { ...cal, rowSpacingMm: null }]) {
      const err = (() => {
        try {
          computeLegAlignment(toLandmarkSet(leg), bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('INVALID_SPACING');
    }
  });
});

describe('self-check and orientation warnings (clinical-spec §1, §3)', () => {
  it('swapped medial/lateral plateau points break the identity and are named', () => {
    const set = toLandmarkSet(leg);
    const { tibialPlateauMedial: m, tibialPlateauLateral: l } = set.landmarks;
    set.landmarks.tibialPlateauMedial = l;
    set.landmarks.tibialPlateauLateral = m;
    const a = computeLegAlignment(set, cal);
    expect(a.identityCheck.status).toBe('violated');
    expect(a.identityCheck.message).toMatch(/swapped/);
    expect(a.warnings.join(' ')).toMatch(/medial tibial plateau point lies lateral/);
  });

  it('the wrong side mirrors every medial/lateral pair', () => {
    const a = computeLegAlignment({ ...toLandmarkSet(leg), side: 'L' }, cal);
    expect(a.warnings.filter((w) => /lies lateral of the lateral one/.test(w))).toHaveLength(4);
  });

  it('an upside-down image is flagged', () => {
    const set = toLandmarkSet(leg);
    const flip = <T extends { y: number }>(p: T): T => ({ ...p, y: -p.y });
    for (const k of Object.keys(set.landmarks) as (keyof typeof set.landmarks)[]) set.landmarks[k] = flip(set.landmarks[k]!);
    set.femoralHeadContour = set.femoralHeadContour.map(flip);
    expect(computeLegAlignment(set, cal).warnings.join(' ')).toMatch(/upside down/);
  });
});

describe('Paley malalignment test in words (clinical-spec §3)', () => {
  const meas = (value: number | null, display = ''): Measurement =>
    ({ value, display, reason: value === null ? 'Place Knee centre.' : null }) as Measurement;
  it('MAD within 1–15 mm medial: no malalignment', () => {
    const v = malalignmentVerdict({ mad: meas(8, '8.0 mm medial (calibrated)'), mldfa: meas(87), mpta: meas(87), jlca: meas(1) });
    expect(v).toMatchObject({ status: 'normal', origins: [] });
    expect(v.verdict).toBe('MAD 8.0 mm medial is within 1–15 mm medial: no malalignment.');
  });
  it('MAD outside: names femoral, tibial and joint origins', () => {
    const v = malalignmentVerdict({ mad: meas(22, '22.0 mm medial (detector)'), mldfa: meas(92), mpta: meas(83), jlca: meas(3) });
    expect(v.origins).toEqual(['femoral', 'tibial', 'joint']);
    expect(v.verdict).toBe(
      'MAD 22.0 mm medial is outside 1–15 mm medial: malalignment. Origin: femoral (mLDFA 92.0° outside 85–90°); tibial (MPTA 83.0° outside 85–90°); joint / soft tissue (JLCA 3.0° above 2°).',
    );
  });
  it('a lateral MAD is outside the band too; missing angles are listed', () => {
    const v = malalignmentVerdict({ mad: meas(-4, '4.0 mm lateral (calibrated)'), mldfa: meas(null), mpta: meas(87), jlca: meas(1) });
    expect(v.status).toBe('malalignment');
    expect(v.verdict).toMatch(/Not measured: mLDFA\.$/);
  });
  it('no MAD: unavailable with the reason', () => {
    expect(malalignmentVerdict({ mad: meas(null), mldfa: meas(87), mpta: meas(87), jlca: meas(1) }).status).toBe('unavailable');
  });
});

describe('leg-length difference (clinical-spec §3)', () => {
  it('between a left and a right leg, with which is longer', () => {
    const longer = legPointsMm({ ...TYPICAL_VARUS_LEG, tibiaLengthMm: TYPICAL_VARUS_LEG.tibiaLengthMm + 12 });
    const right = computeLegAlignment(toLandmarkSet(leg), cal);
    const left = computeLegAlignment(toLandmarkSet(longer, { ...DEFAULT_IMAGE, side: 'L' }), cal);
    const d = computeLegLengthDifference(right, left);
    expect(d.value).toBeCloseTo(left.measurements.legLength.value! - right.measurements.legLength.value!, 9);
    expect(d.direction).toBe('left-longer');
    expect(d.display).toMatch(/left longer \(calibrated\)$/);
  });
  it('refuses two legs of the same side; unavailable when a length is', () => {
    const r = computeLegAlignment(toLandmarkSet(leg), cal);
    expect(() => computeLegLengthDifference(r, r)).toThrow(/one left and one right/);
    const l = computeLegAlignment(toLandmarkSet(leg, { ...DEFAULT_IMAGE, side: 'L' }), UNCALIBRATED);
    expect(computeLegLengthDifference(r, l)).toMatchObject({ status: 'unavailable', value: null });
  });
});
