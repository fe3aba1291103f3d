import { describe, expect, it } from 'vitest';
import { createLegFrame, legToPixel } from '../../../shared/geometry/frame';
import type { Vec2 } from '../../../shared/geometry/vec';
import type { LandmarkId } from '../../../shared/landmarks/ids';
import { computeLegAlignment, cpakType } from '../../../shared/measurements/leg-alignment';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { calibrated } from '../helpers/synthetic-leg';

const deg = (rad: number) => (rad * 180) / Math.PI;

/** A right leg on a standard AP film with non-square pixels (0.2 mm rows, 0.25 mm columns). */
function rightLegSet(pointsMm: Partial<Record<LandmarkId, Vec2>>, contourMm: Vec2[] = []): LandmarkSet {
  const frame = createLegFrame('R', false, 0.2, 0.25);
  const px = (p: Vec2) => {
    const q = legToPixel(frame, p);
    return { x: q.x + 2000, y: q.y + 5000, placedBy: 'user' as const };
  };
  const landmarks: LandmarkSet['landmarks'] = {};
  for (const [id, p] of Object.entries(pointsMm) as [LandmarkId, Vec2][]) landmarks[id] = px(p);
  return {
    schemaVersion: 1,
    sopInstanceUid: '1.2.3',
    frame: 0,
    side: 'R',
    imageFlipped: false,
    variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks,
    femoralHeadContour: contourMm.map(px),
    userCalibration: null,
  };
}

const cal = calibrated(0.2, 0.25);

/** Head centre 800 mm straight above the ankle centre: line H–A is x = 0. */
const HIP_OVER_ANKLE = { femoralHeadCentre: { x: 0, y: 800 }, ankleCentre: { x: 0, y: 0 } };

/** The knee's two joint lines, each from its medial to its lateral point. */
function jointLines(plateau: [Vec2, Vec2], condyles: [Vec2, Vec2]): Partial<Record<LandmarkId, Vec2>> {
  return { tibialPlateauMedial: plateau[0], tibialPlateauLateral: plateau[1], femoralCondyleMedial: condyles[0], femoralCondyleLateral: condyles[1] };
}

describe('closed-form legs (clinical-spec §3)', () => {
  it('a straight leg: HKA 180°, MAD 0, WBL 50 %, right angles, lengths', () => {
    const set = rightLegSet({
      ...HIP_OVER_ANKLE,
      kneeCentre: { x: 0, y: 400 },
      ...jointLines([{ x: -40, y: 395 }, { x: 40, y: 395 }], [{ x: -40, y: 405 }, { x: 40, y: 405 }]),
      plafondMedial: { x: -15, y: 2 },
      plafondLateral: { x: 15, y: 2 },
    });
    const m = computeLegAlignment(set, cal).measurements;
    expect(m.hka.value).toBeCloseTo(0, 9);
    expect(m.hka.display).toBe('180.0° (neutral)');
    expect(m.mad.value).toBeCloseTo(0, 9);
    expect(m.wbl.value).toBeCloseTo(50, 9);
    expect(m.mldfa.value).toBeCloseTo(90, 9);
    expect(m.mpta.value).toBeCloseTo(90, 9);
    expect(m.ldta.value).toBeCloseTo(90, 9);
    expect(m.jlca.value).toBeCloseTo(0, 9);
    expect(m.femurLength.value).toBeCloseTo(400, 9);
    expect(m.tibiaLength.value).toBeCloseTo(400, 9);
    expect(m.legLength.value).toBeCloseTo(800, 9);
    expect(m.femurLength.display).toBe('400.0 mm (calibrated)');
  });

  it('a varus knee 20 mm lateral of line H–A', () => {
    const set = rightLegSet({
      ...HIP_OVER_ANKLE,
      kneeCentre: { x: 20, y: 400 },
      ...jointLines([{ x: -20, y: 400 }, { x: 60, y: 400 }], [{ x: -20, y: 410 }, { x: 60, y: 410 }]),
    });
    const a = computeLegAlignment(set, cal);
    const m = a.measurements;
    const half = deg(Math.atan(20 / 400));
    expect(m.hka.value).toBeCloseTo(-2 * half, 9);
    expect(m.hka.display).toBe(`${(180 - 2 * half).toFixed(1)}° (${(2 * half).toFixed(1)}° varus)`);
    expect(m.hka.direction).toBe('varus');
    expect(m.hka.status).toBe('low');
    expect(m.mad.value).toBeCloseTo(20, 9);
    expect(m.mad.direction).toBe('medial');
    expect(m.mad.display).toBe('20.0 mm medial (calibrated)');
    expect(m.mad.status).toBe('high');
    // Line x = 0 crosses the plateau from x = −20 to 60 at a quarter.
    expect(m.wbl.value).toBeCloseTo(25, 9);
    expect(m.mpta.value).toBeCloseTo(90 - half, 9);
    expect(m.mldfa.value).toBeCloseTo(90 + half, 9);
    expect(m.jlca.value).toBeCloseTo(0, 9);
    expect(m.ahka.value).toBeCloseTo(-2 * half, 9);
    expect(m.jlo.value).toBeCloseTo(180, 9);
    expect(m.cpak.value).toBe(cpakType(-2 * half, 180));
    expect(m.cpak.display).toBe('Type IV (aHKA varus, JLO neutral)');
    expect(a.identityCheck.status).toBe('ok');
    expect(Math.abs(a.identityCheck.residualDeg!)).toBeLessThan(1e-9);
  });

  it('JLCA is positive when the joint opens laterally, and enters the identity with a minus sign', () => {
    // Condylar line rising 4 mm over 80 mm toward lateral; plateau flat.
    const set = rightLegSet({
      ...HIP_OVER_ANKLE,
      kneeCentre: { x: 0, y: 400 },
      ...jointLines([{ x: -40, y: 398 }, { x: 40, y: 398 }], [{ x: -40, y: 402 }, { x: 40, y: 406 }]),
    });
    const a = computeLegAlignment(set, cal);
    const tilt = deg(Math.atan(4 / 80));
    expect(a.measurements.jlca.value).toBeCloseTo(tilt, 9);
    expect(a.measurements.mldfa.value).toBeCloseTo(90 - tilt, 9);
    expect(a.measurements.jlca.status).toBe('high');
    expect(a.identityCheck.residualDeg).toBeCloseTo(0, 9);
  });

  it('mLPFA, aLDFA, AMA from the trochanter and the anatomic axis', () => {
    const set = rightLegSet(
      {
        kneeCentre: { x: 0, y: 400 },
        ankleCentre: { x: 0, y: 0 },
        greaterTrochanterTip: { x: 60, y: 800 },
        femoralShaftProximal: { x: 30, y: 700 },
        femoralShaftDistal: { x: 10, y: 500 },
        femoralCondyleMedial: { x: -40, y: 405 },
        femoralCondyleLateral: { x: 40, y: 405 },
      },
      // Head contour: a 25 mm circle around (0, 800).
      [0, 90, 180, 270].map((a) => ({ x: 25 * Math.cos((a * Math.PI) / 180), y: 800 + 25 * Math.sin((a * Math.PI) / 180) })),
    );
    const a = computeLegAlignment(set, cal);
    expect(a.keyPoints.femoralHeadCentre.available).toBe(true);
    expect(a.femoralHeadCircle!.radiusMm).toBeCloseTo(25, 9);
    // 25 mm on 0.25 mm columns is 100 px wide; on 0.2 mm rows 125 px tall.
    expect(a.femoralHeadCircle!.radiusXPx).toBeCloseTo(100, 9);
    expect(a.femoralHeadCircle!.radiusYPx).toBeCloseTo(125, 9);
    expect(a.measurements.mlpfa.value).toBeCloseTo(90, 9);
    const shaftTilt = deg(Math.atan(20 / 200));
    expect(a.measurements.aldfa.value).toBeCloseTo(90 - shaftTilt, 9);
    expect(a.measurements.ama.value).toBeCloseTo(shaftTilt, 9);
  });
});

describe('CPAK (clinical-spec §3: boundaries inclusive in the neutral band)', () => {
  it('maps the 3 × 3 grid', () => {
    expect(cpakType(-5, 170)).toBe(1);
    expect(cpakType(0, 170)).toBe(2);
    expect(cpakType(5, 170)).toBe(3);
    expect(cpakType(-5, 180)).toBe(4);
    expect(cpakType(0, 180)).toBe(5);
    expect(cpakType(5, 180)).toBe(6);
    expect(cpakType(-5, 190)).toBe(7);
    expect(cpakType(0, 190)).toBe(8);
    expect(cpakType(5, 190)).toBe(9);
  });
  it('the neutral bands include their boundaries', () => {
    expect(cpakType(-2, 177)).toBe(5);
    expect(cpakType(2, 183)).toBe(5);
    expect(cpakType(-2.000001, 177)).toBe(4);
    expect(cpakType(2, 176.999999)).toBe(2);
    expect(cpakType(2.000001, 183.000001)).toBe(9);
  });
  it('floating-point noise at a band edge does not flip the type', () => {
    expect(cpakType(-2 - 1e-13, 177 - 1e-13)).toBe(5);
    expect(cpakType(2 + 1e-13, 183 + 1e-13)).toBe(5);
  });
});
