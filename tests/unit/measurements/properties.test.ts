// Property tests over random legs (issue 3): the frame conventions of clinical-spec §1 make every
// angle independent of where and how the leg sits in the image.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeLegAlignment, type LegAlignment } from '../../../shared/measurements/leg-alignment';
import { MEASURE_DEFINITIONS, MEASURE_IDS } from '../../../shared/measurements/definitions';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { calibrated, legPointsMm, toLandmarkSet, type ImageOptions, type LegSpec } from '../helpers/synthetic-leg';

export const legSpecArb: fc.Arbitrary<LegSpec> = fc.record({
  femurLengthMm: fc.double({ min: 380, max: 520, noNaN: true }),
  tibiaLengthMm: fc.double({ min: 300, max: 440, noNaN: true }),
  femoralAxisDeg: fc.double({ min: 88, max: 98, noNaN: true }),
  mldfa: fc.double({ min: 80, max: 98, noNaN: true }),
  jlca: fc.double({ min: -3, max: 8, noNaN: true }),
  mpta: fc.double({ min: 78, max: 96, noNaN: true }),
  ldta: fc.double({ min: 80, max: 98, noNaN: true }),
  mlpfa: fc.double({ min: 80, max: 100, noNaN: true }),
  ama: fc.double({ min: 3, max: 9, noNaN: true }),
  kneeWidthMm: fc.double({ min: 60, max: 90, noNaN: true }),
  headRadiusMm: fc.double({ min: 20, max: 28, noNaN: true }),
});

const imageArb: fc.Arbitrary<ImageOptions> = fc.record({
  side: fc.constantFrom('L' as const, 'R' as const),
  imageFlipped: fc.boolean(),
  rowSpacingMm: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
  columnSpacingMm: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
  offsetPx: fc.record({ x: fc.double({ min: 500, max: 3000, noNaN: true }), y: fc.double({ min: 3000, max: 6000, noNaN: true }) }),
  headBy: fc.constantFrom('contour' as const, 'direct' as const),
});

const ANGLE_IDS = MEASURE_IDS.filter((id) => MEASURE_DEFINITIONS[id].unit !== 'mm');
const MM_IDS = MEASURE_IDS.filter((id) => MEASURE_DEFINITIONS[id].unit === 'mm');

function expectSameAngles(a: LegAlignment, b: LegAlignment, tol = 1e-7) {
  for (const id of ANGLE_IDS) {
    expect(a.measurements[id].value, id).not.toBeNull();
    expect(Math.abs(a.measurements[id].value! - b.measurements[id].value!), id).toBeLessThan(tol);
  }
}

function mapPoints(set: LandmarkSet, f: (p: { x: number; y: number }) => { x: number; y: number }): LandmarkSet {
  const landmarks: LandmarkSet['landmarks'] = {};
  for (const [k, p] of Object.entries(set.landmarks)) landmarks[k as keyof typeof landmarks] = { ...p!, ...f(p!) };
  return { ...set, landmarks, femoralHeadContour: set.femoralHeadContour.map((p) => ({ ...p, ...f(p) })) };
}

const RUNS = { numRuns: 150 };

describe('measurement properties over random legs', () => {
  it('recovers the angles the leg was built with, and HKA = MPTA − mLDFA − JLCA holds', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, (spec, image) => {
        const a = computeLegAlignment(toLandmarkSet(legPointsMm(spec), image), calibrated(image.rowSpacingMm, image.columnSpacingMm));
        const m = a.measurements;
        expect(m.mldfa.value!).toBeCloseTo(spec.mldfa, 7);
        expect(m.mpta.value!).toBeCloseTo(spec.mpta, 7);
        expect(m.jlca.value!).toBeCloseTo(spec.jlca, 7);
        expect(m.ldta.value!).toBeCloseTo(spec.ldta, 7);
        expect(m.mlpfa.value!).toBeCloseTo(spec.mlpfa, 7);
        expect(m.ama.value!).toBeCloseTo(spec.ama, 7);
        expect(m.aldfa.value!).toBeCloseTo(spec.mldfa - spec.ama, 7);
        expect(m.hka.value!).toBeCloseTo(spec.mpta - spec.mldfa - spec.jlca, 7);
        expect(m.femurLength.value!).toBeCloseTo(spec.femurLengthMm, 6);
        expect(Math.abs(a.identityCheck.residualDeg!)).toBeLessThan(1e-9);
        expect(a.identityCheck.status).toBe('ok');
        expect(a.warnings).toEqual([]);
      }),
      RUNS,
    );
  });

  it('translating the image changes nothing', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, fc.double({ min: -2000, max: 2000, noNaN: true }), fc.double({ min: -2000, max: 2000, noNaN: true }), (spec, image, dx, dy) => {
        const cal = calibrated(image.rowSpacingMm, image.columnSpacingMm);
        const set = toLandmarkSet(legPointsMm(spec), image);
        const a = computeLegAlignment(set, cal);
        const b = computeLegAlignment(mapPoints(set, (p) => ({ x: p.x + dx, y: p.y + dy })), cal);
        expectSameAngles(a, b);
        for (const id of MM_IDS) expect(b.measurements[id].value!).toBeCloseTo(a.measurements[id].value!, 6);
      }),
      RUNS,
    );
  });

  it('rotating the image (square pixels) leaves every angle and length unchanged', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, fc.double({ min: -20, max: 20, noNaN: true }), (spec, image, rotDeg) => {
        const square = { ...image, columnSpacingMm: image.rowSpacingMm };
        const cal = calibrated(square.rowSpacingMm, square.rowSpacingMm);
        const set = toLandmarkSet(legPointsMm(spec), square);
        const r = (rotDeg * Math.PI) / 180;
        const c = { x: 1000, y: 2000 };
        const rotate = (p: { x: number; y: number }) => ({
          x: c.x + Math.cos(r) * (p.x - c.x) - Math.sin(r) * (p.y - c.y),
          y: c.y + Math.sin(r) * (p.x - c.x) + Math.cos(r) * (p.y - c.y),
        });
        const a = computeLegAlignment(set, cal);
        const b = computeLegAlignment(mapPoints(set, rotate), cal);
        expectSameAngles(a, b);
        for (const id of MM_IDS) expect(b.measurements[id].value!).toBeCloseTo(a.measurements[id].value!, 6);
      }),
      RUNS,
    );
  });

  it('mirroring the image with the side swapped (or the flip toggled) leaves every value unchanged', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, (spec, image) => {
        const cal = calibrated(image.rowSpacingMm, image.columnSpacingMm);
        const set = toLandmarkSet(legPointsMm(spec), image);
        const mirror = (p: { x: number; y: number }) => ({ x: 4000 - p.x, y: p.y });
        const a = computeLegAlignment(set, cal);
        const swapped = computeLegAlignment({ ...mapPoints(set, mirror), side: set.side === 'L' ? 'R' : 'L' }, cal);
        const toggled = computeLegAlignment({ ...mapPoints(set, mirror), imageFlipped: !set.imageFlipped }, cal);
        for (const b of [swapped, toggled]) {
          expectSameAngles(a, b);
          expect(b.measurements.mad.value!).toBeCloseTo(a.measurements.mad.value!, 6);
          expect(b.measurements.mad.direction).toBe(a.measurements.mad.direction);
          expect(b.measurements.hka.direction).toBe(a.measurements.hka.direction);
        }
      }),
      RUNS,
    );
  });

  it('scaling the spacing scales mm values and nothing else', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, fc.double({ min: 0.2, max: 5, noNaN: true }), (spec, image, k) => {
        const set = toLandmarkSet(legPointsMm(spec), image);
        const a = computeLegAlignment(set, calibrated(image.rowSpacingMm, image.columnSpacingMm));
        const b = computeLegAlignment(set, calibrated(image.rowSpacingMm * k, image.columnSpacingMm * k));
        expectSameAngles(a, b);
        for (const id of [...MM_IDS, 'mad' as const]) {
          expect(Math.abs(b.measurements[id].value! - k * a.measurements[id].value!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(k * a.measurements[id].value!)));
        }
      }),
      RUNS,
    );
  });

  it('non-square pixels: the same leg imaged at any (row, column) spacing measures the same', () => {
    fc.assert(
      fc.property(legSpecArb, imageArb, (spec, image) => {
        const leg = legPointsMm(spec);
        const a = computeLegAlignment(toLandmarkSet(leg, image), calibrated(image.rowSpacingMm, image.columnSpacingMm));
        const square = { ...image, rowSpacingMm: 0.1, columnSpacingMm: 0.1 };
        const b = computeLegAlignment(toLandmarkSet(leg, square), calibrated(0.1, 0.1));
        expectSameAngles(a, b);
        for (const id of MM_IDS) expect(b.measurements[id].value!).toBeCloseTo(a.measurements[id].value!, 6);
      }),
      RUNS,
    );
  });

  it('treating non-square pixels as square would be wrong (the test above can fail)', () => {
    const leg = legPointsMm({
      femurLengthMm: 450, tibiaLengthMm: 380, femoralAxisDeg: 93, mldfa: 88, jlca: 1, mpta: 84, ldta: 89, mlpfa: 90, ama: 6, kneeWidthMm: 76, headRadiusMm: 24,
    });
    const image: ImageOptions = { side: 'R', imageFlipped: false, rowSpacingMm: 0.1, columnSpacingMm: 0.2, offsetPx: { x: 1000, y: 5000 } };
    const right = computeLegAlignment(toLandmarkSet(leg, image), calibrated(0.1, 0.2));
    const wrong = computeLegAlignment(toLandmarkSet(leg, image), calibrated(0.1, 0.1));
    expect(Math.abs(wrong.measurements.mpta.value! - right.measurements.mpta.value!)).toBeGreaterThan(1);
  });
});
