// The plan screen's drawing geometry (shared/planning/display-geometry.ts) against the engine:
// the fragment transform moves the image exactly where computePlan moves the landmarks (with
// non-square pixels, both sides, flipped images), the hinge stays, the fragment is one side of
// the cut, the gap chord is the engine's 2·L·sin(α/2), and dragging the hinge keeps all of it
// consistent with computePlan (clinical-spec §1, §5).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UNCALIBRATED } from '../../../shared/calibration/calibration';
import { createLegFrame, pixelToLeg, legToPixel, type LegFrame } from '../../../shared/geometry/frame';
import { angleBetweenDeg, cross, distance, sub, type Vec2 } from '../../../shared/geometry/vec';
import { applyAffine, composeAffine, fragmentTransform, planDisplayGeometry, type CutDisplay, type ImageSize } from '../../../shared/planning/display-geometry';
import { computePlan, FEMORAL_MOVED_LANDMARKS, TIBIAL_MOVED_LANDMARKS, type PlanResult } from '../../../shared/planning/osteotomy';
import type { Calibration } from '../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { engineErrorCode } from '../helpers/engine-error';
import { testPlan } from '../helpers/plan';
import { calibrated, legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG, type ImageOptions, type LegSpec } from '../helpers/synthetic-leg';

/** Non-square pixels (row spacing ≠ column spacing) on a right leg: a pixel-space rotation would be visibly wrong. */
const NON_SQUARE: ImageOptions = { side: 'R', imageFlipped: false, rowSpacingMm: 0.139, columnSpacingMm: 0.101, offsetPx: { x: 3000, y: 4200 } };
const VALGUS: LegSpec = { ...TYPICAL_VARUS_LEG, mldfa: 83, mpta: 88, jlca: 0.5, femoralAxisDeg: 94 };

interface Case {
  set: LandmarkSet;
  cal: Calibration;
  frame: LegFrame;
  size: ImageSize;
}

function legCase(spec: LegSpec = TYPICAL_VARUS_LEG, image: ImageOptions = NON_SQUARE, cal?: Calibration): Case {
  const set = toLandmarkSet(legPointsMm(spec), image);
  const calibration = cal ?? calibrated(image.rowSpacingMm, image.columnSpacingMm);
  const points = [...Object.values(set.landmarks), ...set.femoralHeadContour];
  // The image holds the whole leg with a margin, as a long-leg film does.
  const size = { columns: Math.max(...points.map((p) => p.x)) + 400, rows: Math.max(...points.map((p) => p.y)) + 400 };
  expect(Math.min(...points.map((p) => Math.min(p.x, p.y)))).toBeGreaterThan(0);
  const frame = calibration.type === 'uncalibrated' ? createLegFrame(set.side, set.imageFlipped, 1, 1) : createLegFrame(set.side, set.imageFlipped, image.rowSpacingMm, image.columnSpacingMm);
  return { set, cal: calibration, frame, size };
}

function geometry(c: Case, p = testPlan()) {
  const result = computePlan(c.set, c.cal, p);
  return { result, g: planDisplayGeometry(c.set, c.cal, result, c.size) };
}

const legDistance = (f: LegFrame, a: Vec2, b: Vec2) => distance(pixelToLeg(f, a), pixelToLeg(f, b));
/** Signed side of x relative to the osteotomy line cut entry → hinge, in pixels. */
const sideOf = (cut: CutDisplay, x: Vec2) => cross(sub(cut.hinge, cut.cutEntry), sub(x, cut.cutEntry));
/** Inside (or on) a convex polygon, whichever its winding. */
function insideConvex(poly: Vec2[], x: Vec2): boolean {
  const signs = poly.map((p, i) => cross(sub(poly[(i + 1) % poly.length]!, p), sub(x, p)));
  return signs.every((s) => s >= -1e-6) || signs.every((s) => s <= 1e-6);
}
/** The angle the wedge polygon opens at the hinge, measured in mm. */
const wedgeAngleAtHingeDeg = (f: LegFrame, cut: CutDisplay) =>
  angleBetweenDeg(sub(pixelToLeg(f, cut.cutEntry), pixelToLeg(f, cut.hinge)), sub(pixelToLeg(f, cut.movedCutEntry), pixelToLeg(f, cut.hinge)));

function expectMovedLandmarksMapped(c: Case, result: PlanResult, cut: CutDisplay) {
  const ids = cut.bone === 'tibia' ? TIBIAL_MOVED_LANDMARKS : FEMORAL_MOVED_LANDMARKS;
  let checked = 0;
  for (const id of ids) {
    const before = c.set.landmarks[id];
    const after = result.transformedSet.landmarks[id];
    if (!before || !after) continue;
    const mapped = applyAffine(cut.fragment.transform, before);
    expect(Math.abs(mapped.x - after.x), id).toBeLessThan(1e-9);
    expect(Math.abs(mapped.y - after.y), id).toBeLessThan(1e-9);
    checked++;
  }
  expect(checked).toBeGreaterThan(0);
}

describe('fragment transform (clinical-spec §1, §5: rotation in mm, a general affine map in pixels)', () => {
  it('maps the pre-op ankle centre onto the engine’s predicted ankle centre within 1e-9 px with non-square pixels', () => {
    const c = legCase();
    const { result, g } = geometry(c);
    const tibia = g.cuts[0]!;
    const A = result.preOp.keyPoints.ankleCentre.pixel!;
    const A2 = result.predicted.keyPoints.ankleCentre.pixel!;
    expect(distance(A, A2)).toBeGreaterThan(50); // the correction really moves the ankle
    const mapped = applyAffine(tibia.fragment.transform, A);
    expect(Math.abs(mapped.x - A2.x)).toBeLessThan(1e-9);
    expect(Math.abs(mapped.y - A2.y)).toBeLessThan(1e-9);
    expectMovedLandmarksMapped(c, result, tibia);
    // With these pixels a pure pixel-space rotation by α would miss the ankle by many pixels.
    const naive = fragmentTransform(createLegFrame('R', false, 1, 1), tibia.hinge, tibia.rotationDeg);
    expect(distance(applyAffine(naive, A), A2)).toBeGreaterThan(20);
  });

  it('holds for any leg, side, flip and spacing (property)', () => {
    const legArb = fc.record({
      mpta: fc.double({ min: 80, max: 86, noNaN: true }),
      mldfa: fc.double({ min: 85, max: 90, noNaN: true }),
      tibiaLengthMm: fc.double({ min: 340, max: 420, noNaN: true }),
    });
    const imageArb = fc.record({
      side: fc.constantFrom('L' as const, 'R' as const),
      imageFlipped: fc.boolean(),
      rowSpacingMm: fc.double({ min: 0.12, max: 0.25, noNaN: true }),
      columnSpacingMm: fc.double({ min: 0.08, max: 0.25, noNaN: true }),
      offsetPx: fc.constant({ x: 3000, y: 4200 }),
    });
    fc.assert(
      fc.property(legArb, imageArb, fc.double({ min: 50, max: 65, noNaN: true }), (leg, image, percent) => {
        const c = legCase({ ...TYPICAL_VARUS_LEG, ...leg }, image);
        const { result, g } = geometry(c, testPlan({ target: { kind: 'wbl', percent, preset: 'custom' } }));
        const cut = g.cuts[0]!;
        expectMovedLandmarksMapped(c, result, cut);
        const hinge = applyAffine(cut.fragment.transform, cut.hinge);
        expect(distance(hinge, cut.hinge)).toBeLessThan(1e-9);
        // An isometry in mm: the distance of any two moved points is kept.
        const [p, q] = [c.set.landmarks.plafondMedial!, c.set.landmarks.ankleCentre!];
        expect(legDistance(c.frame, applyAffine(cut.fragment.transform, p), applyAffine(cut.fragment.transform, q))).toBeCloseTo(legDistance(c.frame, p, q), 9);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the hinge fixed and composes with a view transform in canvas order', () => {
    const c = legCase();
    const { g } = geometry(c);
    const cut = g.cuts[0]!;
    const fixed = applyAffine(cut.fragment.transform, cut.hinge);
    expect(Math.abs(fixed.x - cut.hinge.x)).toBeLessThan(1e-9);
    expect(Math.abs(fixed.y - cut.hinge.y)).toBeLessThan(1e-9);
    const view: [number, number, number, number, number, number] = [0.25, 0.02, -0.03, 0.3, 17, -40];
    const A = c.set.landmarks.ankleCentre!;
    const twoSteps = applyAffine(view, applyAffine(cut.fragment.transform, A));
    const composed = applyAffine(composeAffine(view, cut.fragment.transform), A);
    expect(composed.x).toBeCloseTo(twoSteps.x, 9);
    expect(composed.y).toBeCloseTo(twoSteps.y, 9);
  });
});

describe('fragment outline (the film cut along the osteotomy line)', () => {
  it('HTO: the distal fragment holds the ankle, lies on one side of the cut, inside the image, and stops short of the other leg', () => {
    const c = legCase();
    const { result, g } = geometry(c);
    const cut = g.cuts[0]!;
    expect(cut.fragment.part).toBe('distal');
    const A = result.preOp.keyPoints.ankleCentre.pixel!;
    const K = result.preOp.keyPoints.kneeCentre.pixel!;
    const H = result.preOp.keyPoints.femoralHeadCentre.pixel!;
    const movedSide = Math.sign(sideOf(cut, A));
    const scaleSq = distance(cut.hinge, cut.cutEntry);
    for (const v of cut.fragment.polygon) expect(movedSide * sideOf(cut, v)).toBeGreaterThanOrEqual(-1e-9 * scaleSq);
    expect(insideConvex(cut.fragment.polygon, A)).toBe(true);
    expect(insideConvex(cut.fragment.polygon, K)).toBe(false);
    expect(insideConvex(cut.fragment.polygon, H)).toBe(false);
    for (const v of cut.fragment.polygon) {
      expect(v.x).toBeGreaterThanOrEqual(0);
      expect(v.x).toBeLessThanOrEqual(c.size.columns);
      expect(v.y).toBeGreaterThanOrEqual(0);
      expect(v.y).toBeLessThanOrEqual(c.size.rows);
    }
    // The cut runs below the plateau: plateau and condyles stay, the plafond and malleoli move.
    for (const id of ['tibialPlateauMedial', 'tibialPlateauLateral', 'femoralCondyleMedial', 'femoralCondyleLateral'] as const) {
      expect(insideConvex(cut.fragment.polygon, c.set.landmarks[id]!), id).toBe(false);
    }
    for (const id of ['plafondMedial', 'plafondLateral'] as const) expect(insideConvex(cut.fragment.polygon, c.set.landmarks[id]!), id).toBe(true);
    // The other leg of a two-leg film (its mirror image across a midline 60 mm medial of the
    // medial plateau) does not move: the fragment ends within a plateau width medial of this tibia.
    const medial = (pt: Vec2) => pixelToLeg(c.frame, pt).x;
    const plateauWidth = distance(pixelToLeg(c.frame, c.set.landmarks.tibialPlateauMedial!), pixelToLeg(c.frame, c.set.landmarks.tibialPlateauLateral!));
    const tibia = (['tibialPlateauMedial', 'tibialPlateauLateral', 'kneeCentre', 'plafondMedial', 'plafondLateral', 'ankleCentre', 'malleolusMedial', 'malleolusLateral'] as const)
      .flatMap((id) => (c.set.landmarks[id] ? [c.set.landmarks[id]!] : []));
    const tibiaMedialMost = Math.min(...tibia.map(medial));
    const fragmentMedialMost = Math.min(...cut.fragment.polygon.map(medial));
    expect(fragmentMedialMost).toBeLessThan(tibiaMedialMost - 0.3 * plateauWidth);
    expect(fragmentMedialMost).toBeGreaterThan(tibiaMedialMost - 0.4 * plateauWidth);
    expect(insideConvex(cut.fragment.polygon, legToPixel(c.frame, { x: tibiaMedialMost - 60, y: pixelToLeg(c.frame, A).y }))).toBe(false);
  });

  it('DFO: the proximal fragment (femoral head) moves; the transform carries H onto the predicted H′ and leaves the ankle', () => {
    for (const procedure of ['dfo-lateral-opening', 'dfo-medial-closing'] as const) {
      const c = legCase(VALGUS);
      const { result, g } = geometry(c, testPlan({ procedure, target: { kind: 'wbl', percent: 50, preset: 'neutral' } }));
      const cut = g.cuts[0]!;
      expect(cut).toMatchObject({ bone: 'femur', fragment: { part: 'proximal' } });
      const H = result.preOp.keyPoints.femoralHeadCentre.pixel!;
      const H2 = result.predicted.keyPoints.femoralHeadCentre.pixel!;
      expect(insideConvex(cut.fragment.polygon, H)).toBe(true);
      expect(insideConvex(cut.fragment.polygon, result.preOp.keyPoints.kneeCentre.pixel!)).toBe(false);
      expect(insideConvex(cut.fragment.polygon, result.preOp.keyPoints.ankleCentre.pixel!)).toBe(false);
      expect(distance(applyAffine(cut.fragment.transform, H), H2)).toBeLessThan(1e-9);
      for (const id of ['femoralCondyleMedial', 'femoralCondyleLateral', 'tibialPlateauMedial', 'tibialPlateauLateral'] as const) {
        expect(insideConvex(cut.fragment.polygon, c.set.landmarks[id]!), id).toBe(false);
      }
      // The whole femoral head moves with its fragment: every contour point is inside.
      for (const p of c.set.femoralHeadContour) expect(insideConvex(cut.fragment.polygon, p)).toBe(true);
      expect(insideConvex(cut.fragment.polygon, c.set.landmarks.greaterTrochanterTip!)).toBe(true);
      expectMovedLandmarksMapped(c, result, cut);
      // The femoral head contour moves with the fragment too.
      c.set.femoralHeadContour.forEach((p, i) => expect(distance(applyAffine(cut.fragment.transform, p), result.transformedSet.femoralHeadContour[i]!)).toBeLessThan(1e-9));
    }
  });

  it('double-level: two cuts, the distal tibial and proximal femoral fragments, each with its own transform', () => {
    const severe: LegSpec = { ...TYPICAL_VARUS_LEG, mpta: 82, mldfa: 92, jlca: 1 };
    const c = legCase(severe);
    const { result, g } = geometry(c, testPlan({ procedure: 'double-level', doubleLevel: { maxPostOpMptaDeg: 90 } }));
    expect(g.cuts.map((x) => [x.bone, x.fragment.part])).toEqual([
      ['tibia', 'distal'],
      ['femur', 'proximal'],
    ]);
    for (const cut of g.cuts) expectMovedLandmarksMapped(c, result, cut);
    const K = result.preOp.keyPoints.kneeCentre.pixel!;
    for (const cut of g.cuts) expect(insideConvex(cut.fragment.polygon, K)).toBe(false);
  });
  it('the saw stops at the hinge: the extended cut line beyond it moves nothing (HTO, DFO, double-level)', () => {
    const severe: LegSpec = { ...TYPICAL_VARUS_LEG, mpta: 82, mldfa: 92, jlca: 1 };
    const cases = [
      { c: legCase(), p: testPlan() },
      { c: legCase(undefined, { ...NON_SQUARE, side: 'L' }), p: testPlan({ procedure: 'hto-lateral-closing' }) },
      { c: legCase(VALGUS), p: testPlan({ procedure: 'dfo-lateral-opening', target: { kind: 'wbl', percent: 50, preset: 'neutral' } }) },
      { c: legCase(VALGUS), p: testPlan({ procedure: 'dfo-medial-closing', target: { kind: 'wbl', percent: 50, preset: 'neutral' } }) },
      { c: legCase(severe), p: testPlan({ procedure: 'double-level', doubleLevel: { maxPostOpMptaDeg: 90 } }) },
    ];
    for (const { c, p } of cases) {
      const { g } = geometry(c, p);
      for (const cut of g.cuts) {
        const hinge = pixelToLeg(c.frame, cut.hinge);
        const entry = pixelToLeg(c.frame, cut.cutEntry);
        const along = { x: (hinge.x - entry.x) / distance(hinge, entry), y: (hinge.y - entry.y) / distance(hinge, entry) };
        // Just on the moved side of the cut line: 20 mm beyond the hinge it stays, between cut entry and hinge it moves.
        const awayFromJoint = cut.bone === 'tibia' ? -1 : 1;
        const at = (t: number) => legToPixel(c.frame, { x: entry.x + along.x * t, y: entry.y + along.y * t + awayFromJoint * 0.5 });
        const L = distance(hinge, entry);
        expect(insideConvex(cut.fragment.polygon, at(L + 20)), `${p.procedure} ${cut.bone}: beyond the hinge`).toBe(false);
        expect(insideConvex(cut.fragment.polygon, at(L / 2)), `${p.procedure} ${cut.bone}: along the cut`).toBe(true);
      }
    }
  });
});

describe('wedge and gap (clinical-spec §5)', () => {
  it('opening HTO: the gap chord is the engine’s 2·L·sin(α/2), in mm and between the drawn endpoints; the wedge opens by α at the hinge', () => {
    const c = legCase();
    const { result, g } = geometry(c);
    const cut = g.cuts[0]!;
    const engine = result.cuts[0]!;
    expect(cut.wedge).toBe('opening');
    expect(cut.secondCutLine).toBeNull();
    expect(engine.gapChordMm!).toBeGreaterThan(5);
    const L = legDistance(c.frame, cut.cutEntry, cut.hinge);
    expect(L).toBeCloseTo(engine.osteotomyLengthMm!, 9);
    expect(cut.gap.mm!).toBeCloseTo(2 * L * Math.sin((engine.wedgeAngleDeg * Math.PI) / 360), 9);
    expect(cut.gap.mm!).toBeCloseTo(engine.gapChordMm!, 9);
    expect(legDistance(c.frame, cut.gap.from, cut.gap.to)).toBeCloseTo(engine.gapChordMm!, 9);
    expect(cut.gap.tangentMm).toBe(engine.gapTangentMm);
    expect(wedgeAngleAtHingeDeg(c.frame, cut)).toBeCloseTo(engine.wedgeAngleDeg, 9);
    expect(cut.wedgeAngleDeg).toBe(result.wedgeAngleDeg);
    expect(cut.wedgePolygon).toEqual([cut.hinge, cut.cutEntry, cut.movedCutEntry]);
    // The gap opens away from the plateau: the moved cortex lies on the moving (distal) side.
    const A = result.preOp.keyPoints.ankleCentre.pixel!;
    expect(Math.sign(sideOf(cut, cut.movedCutEntry))).toBe(Math.sign(sideOf(cut, A)));
    // Labels sit outside the wedge, beyond the cortex, on its bisector.
    expect(legDistance(c.frame, cut.hinge, cut.wedgeLabelAnchor)).toBeCloseTo(1.2 * L, 6);
    expect(legDistance(c.frame, cut.hinge, cut.gap.labelAnchor)).toBeGreaterThan(L);
  });

  it('closing HTO: the removed wedge lies on the stationary side between the two saw cuts; its base is the engine’s chord', () => {
    const c = legCase();
    const { result, g } = geometry(c, testPlan({ procedure: 'hto-lateral-closing' }));
    const cut = g.cuts[0]!;
    expect(cut.wedge).toBe('closing');
    expect(cut.secondCutLine).toEqual({ from: cut.movedCutEntry, to: cut.hinge });
    const A = result.preOp.keyPoints.ankleCentre.pixel!;
    expect(Math.sign(sideOf(cut, cut.movedCutEntry))).toBe(-Math.sign(sideOf(cut, A)));
    expect(cut.gap.mm!).toBeCloseTo(result.cuts[0]!.gapChordMm!, 9);
    expect(wedgeAngleAtHingeDeg(c.frame, cut)).toBeCloseTo(result.cuts[0]!.wedgeAngleDeg, 9);
  });

  it('uncalibrated: the geometry is drawn, the gap in mm is not', () => {
    const c = legCase(TYPICAL_VARUS_LEG, { ...NON_SQUARE, rowSpacingMm: 0.15, columnSpacingMm: 0.15 }, UNCALIBRATED);
    const { result, g } = geometry(c);
    expect(g.cuts[0]!.gap).toMatchObject({ mm: null, tangentMm: null });
    expect(wedgeAngleAtHingeDeg(c.frame, g.cuts[0]!)).toBeCloseTo(result.wedgeAngleDeg, 9);
  });
});

describe('the new mechanical axis', () => {
  it('runs from the predicted H′ to A′ through the target point on the plateau; the pre-op axis does not', () => {
    const c = legCase();
    const { result, g } = geometry(c);
    const mm = (p: Vec2) => pixelToLeg(c.frame, p);
    const offAxis = (axis: { from: Vec2; to: Vec2 }, p: Vec2) => {
      const d = sub(mm(axis.to), mm(axis.from));
      return Math.abs(cross(d, sub(mm(p), mm(axis.from)))) / Math.hypot(d.x, d.y);
    };
    expect(g.newAxis).toEqual({ from: result.predicted.keyPoints.femoralHeadCentre.pixel, to: result.predicted.keyPoints.ankleCentre.pixel });
    expect(offAxis(g.newAxis, g.targetPoint)).toBeLessThan(1e-9);
    expect(distance(g.predictedWblPoint!, g.targetPoint)).toBeLessThan(1e-6);
    expect(offAxis(g.preOpAxis, g.targetPoint)).toBeGreaterThan(10); // mm: the correction is real
  });
});

describe('dragging the hinge (clinical-spec §5: α and gap follow the hinge)', () => {
  /** Every drag frame: the drawing agrees with computePlan for that hinge. */
  function frameAt(c: Case, hinge: Vec2, cutEntry: Vec2) {
    const { result, g } = geometry(c, testPlan({ hinge, cutEntry }));
    const cut = g.cuts[0]!;
    const engine = result.cuts[0]!;
    expect(cut.hinge).toEqual(hinge);
    expect(cut.wedgeAngleDeg).toBe(engine.wedgeAngleDeg);
    expect(wedgeAngleAtHingeDeg(c.frame, cut)).toBeCloseTo(engine.wedgeAngleDeg, 9);
    expect(cut.gap.mm!).toBeCloseTo(engine.gapChordMm!, 9);
    expect(legDistance(c.frame, cut.gap.from, cut.gap.to)).toBeCloseTo(engine.gapChordMm!, 9);
    expect(distance(applyAffine(cut.fragment.transform, result.preOp.keyPoints.ankleCentre.pixel!), result.predicted.keyPoints.ankleCentre.pixel!)).toBeLessThan(1e-9);
    return { alpha: cut.wedgeAngleDeg, gap: cut.gap.mm! };
  }

  it('proximally, 1 px at a time: α falls a little every frame (longer hinge–ankle radius), as computePlan says', () => {
    const c = legCase();
    const start = geometry(c).g.cuts[0]!;
    let previous = { alpha: start.wedgeAngleDeg, gap: start.gap.mm! };
    for (let k = 1; k <= 8; k++) {
      const now = frameAt(c, { x: start.hinge.x, y: start.hinge.y - k }, start.cutEntry);
      expect(previous.alpha - now.alpha).toBeGreaterThan(1e-4);
      expect(previous.alpha - now.alpha).toBeLessThan(0.05);
      previous = now;
    }
  });

  it('toward the cut entry, 1 px at a time: α barely moves but the cut shortens, so the gap shrinks every frame', () => {
    const c = legCase();
    const start = geometry(c).g.cuts[0]!;
    const toEntry = Math.sign(start.cutEntry.x - start.hinge.x);
    let previous = { alpha: start.wedgeAngleDeg, gap: start.gap.mm! };
    for (let k = 1; k <= 8; k++) {
      const now = frameAt(c, { x: start.hinge.x + toEntry * k, y: start.hinge.y }, start.cutEntry);
      expect(Math.abs(now.alpha - previous.alpha)).toBeLessThan(1e-3);
      expect(previous.gap - now.gap).toBeGreaterThan(1e-3);
      expect(previous.gap - now.gap).toBeLessThan(0.1);
      previous = now;
    }
  });
});

describe('bad input gives typed errors', () => {
  it('a cut entry on the hinge is DEGENERATE_GEOMETRY; a non-positive image size is INVALID_INPUT', () => {
    const c = legCase();
    const { result } = geometry(c);
    const hinge = result.cuts[0]!.hinge;
    const same = computePlan(c.set, c.cal, testPlan({ hinge, cutEntry: hinge }));
    expect(engineErrorCode(() => planDisplayGeometry(c.set, c.cal, same, c.size))).toBe('DEGENERATE_GEOMETRY');
    expect(engineErrorCode(() => planDisplayGeometry(c.set, c.cal, result, { columns: 0, rows: 100 }))).toBe('INVALID_INPUT');
  });
});
