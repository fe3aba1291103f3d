// The phantom's truth must satisfy the configured geometry exactly. Angles are recomputed here from
// the truth coordinates with this file's own arithmetic (not the generator's), per clinical-spec §1–3.
import { describe, expect, it } from 'vitest';
import { buildLeg, resolveLegGeometry, type LegGeometryInput } from '../../electron/backend/phantom/geometry';
import { generateLongLegFilm, type PhantomTruth } from '../../electron/backend/phantom/long-leg-film';
import { computeLegAlignment } from '../../shared/measurements/leg-alignment';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import { LANDMARK_IDS } from '../../shared/landmarks/ids';

type P = { x: number; y: number };
const sub = (a: P, b: P): P => ({ x: a.x - b.x, y: a.y - b.y });
const len = (a: P) => Math.hypot(a.x, a.y);
// atan2 of |cross| and dot: accurate near 0° and 180°, where acos loses half the digits.
const angle = (a: P, b: P) => (Math.atan2(Math.abs(a.x * b.y - a.y * b.x), a.x * b.x + a.y * b.y) * 180) / Math.PI;

/** Film-frame mm (x to the viewer's right, y down) → leg frame (x lateral, y proximal). */
function legFrame(side: 'R' | 'L', p: P): P {
  return { x: side === 'R' ? -p.x : p.x, y: -p.y };
}

/** Pixel → film-frame mm using only the truth's stated spacing, ERMF and origin. */
function pxToMm(truth: PhantomTruth, p: P): P {
  const { imagerPixelSpacingMm: s, estimatedRadiographicMagnificationFactor: ermf, originMm } = truth.image;
  return { x: originMm.x + (p.x * s.column) / ermf, y: originMm.y + (p.y * s.row) / ermf };
}

/** clinical-spec §3 from leg-frame points, written independently of the generator. */
function measure(l: Record<string, P>) {
  const H = l.femoralHeadCentre!;
  const K = l.kneeCentre!;
  const A = l.ankleCentre!;
  const condylar = sub(l.femoralCondyleLateral!, l.femoralCondyleMedial!); // toward lateral
  const plateauToMedial = sub(l.tibialPlateauMedial!, l.tibialPlateauLateral!);
  const plafond = sub(l.plafondLateral!, l.plafondMedial!);
  // Knee lateral of H–A: x of K greater than x of the line at K's height.
  const t = (K.y - H.y) / (A.y - H.y);
  const lineX = H.x + t * (A.x - H.x);
  const kneeLateral = K.x > lineX;
  const between = angle(sub(H, K), sub(A, K));
  const hka = kneeLateral ? -(180 - between) : 180 - between;
  // JLCA: angle between the lines, positive when the gap widens laterally.
  const plateauLat = sub(l.tibialPlateauLateral!, l.tibialPlateauMedial!);
  const jlcaMagnitude = angle(condylar, plateauLat);
  const opensLaterally = plateauLat.x * condylar.y - plateauLat.y * condylar.x > 0;
  const ha = sub(A, H);
  const mad = Math.abs(ha.x * (K.y - H.y) - ha.y * (K.x - H.x)) / len(ha);
  // WBL: intersection of H–A with the plateau line, as a fraction medial → lateral.
  const m = l.tibialPlateauMedial!;
  const d = plateauLat;
  const s = ((H.x - m.x) * ha.y - (H.y - m.y) * ha.x) / (d.x * ha.y - d.y * ha.x);
  return {
    hka,
    kneeLateral,
    mpta: angle(sub(A, K), plateauToMedial),
    mldfa: angle(sub(H, K), condylar),
    jlca: opensLaterally ? jlcaMagnitude : -jlcaMagnitude,
    ldta: angle(sub(K, A), plafond),
    mlpfa: angle(sub(K, H), sub(l.greaterTrochanterTip!, H)),
    ama: angle(sub(l.femoralShaftProximal!, l.femoralShaftDistal!), sub(H, K)),
    mad,
    wbl: s * 100,
    femur: len(sub(H, K)),
    tibia: len(sub(A, K)),
  };
}

function legPoints(truth: PhantomTruth, side: 'R' | 'L', from: 'mm' | 'px'): Record<string, P> {
  const leg = truth.legs[side]!;
  const out: Record<string, P> = {};
  for (const id of LANDMARK_IDS) {
    const mm = from === 'mm' ? leg.landmarksMm[id] : pxToMm(truth, leg.landmarksPx[id]);
    out[id] = legFrame(side, mm);
  }
  return out;
}

const CASES: { name: string; legs: Record<'R' | 'L', LegGeometryInput> }[] = [
  { name: 'defaults', legs: { R: {}, L: {} } },
  { name: 'tibial varus and femoral valgus', legs: { R: { mptaDeg: 83, mldfaDeg: 89, jlcaDeg: 3 }, L: { mptaDeg: 91, mldfaDeg: 84, jlcaDeg: -1 } } },
  { name: 'HKA given with two others', legs: { R: { hkaDeg: -8, mldfaDeg: 90, jlcaDeg: 2 }, L: { hkaDeg: 5, mptaDeg: 90, mldfaDeg: 85 } } },
  {
    name: 'long and short legs, odd widths, steep tilt',
    legs: {
      R: { femurLengthMm: 500, tibiaLengthMm: 420, plateauWidthMm: 82, plafondWidthMm: 34, ldtaDeg: 86, mlpfaDeg: 84, amaDeg: 7, mechanicalAxisTiltDeg: -2 },
      L: { femurLengthMm: 400, tibiaLengthMm: 330, mptaDeg: 88, mldfaDeg: 86, jlcaDeg: 0, ldtaDeg: 93, mechanicalAxisTiltDeg: 6 },
    },
  },
];

describe('phantom truth geometry (clinical-spec §3 conventions)', () => {
  for (const c of CASES) {
    // Non-square pixels so an angle computed in pixels would be wrong (clinical-spec §1).
    const { truth } = generateLongLegFilm({ legs: c.legs, imagerPixelSpacingMm: { row: 0.6, column: 0.55 }, ermf: 1.15, noise: 0 });
    for (const side of ['R', 'L'] as const) {
      it(`${c.name}, ${side} leg: angles, MAD, WBL and lengths hold exactly`, () => {
        const g = truth.legs[side]!.geometry;
        const expected = resolveLegGeometry(c.legs[side], side);
        expect(g).toEqual(expected);
        for (const from of ['mm', 'px'] as const) {
          const m = measure(legPoints(truth, side, from));
          expect(m.hka).toBeCloseTo(g.hkaDeg, 9);
          expect(m.mpta).toBeCloseTo(g.mptaDeg, 9);
          expect(m.mldfa).toBeCloseTo(g.mldfaDeg, 9);
          expect(m.jlca).toBeCloseTo(g.jlcaDeg, 9);
          expect(m.ldta).toBeCloseTo(g.ldtaDeg, 9);
          expect(m.mlpfa).toBeCloseTo(g.mlpfaDeg, 9);
          expect(m.ama).toBeCloseTo(g.amaDeg, 9);
          expect(m.femur).toBeCloseTo(g.femurLengthMm, 9);
          expect(m.tibia).toBeCloseTo(g.tibiaLengthMm, 9);
          // clinical-spec §3 identity, exact in 2-D.
          expect(m.hka).toBeCloseTo(m.mpta - m.mldfa - m.jlca, 9);
          // Varus (negative HKA) means the knee lies lateral of line H–A and the MAD is medial.
          if (g.hkaDeg < 0) expect(m.kneeLateral).toBe(true);
          if (g.hkaDeg > 0) expect(m.kneeLateral).toBe(false);
          const d = truth.legs[side]!.derived;
          expect(d.mechanicalAxisDeviationMm).toBeCloseTo(m.mad, 9);
          expect(d.mechanicalAxisDeviationSide).toBe(g.hkaDeg < 0 ? 'medial' : 'lateral');
          expect(d.wblPercent).toBeCloseTo(m.wbl, 9);
          expect(d.hkaDeviationDeg).toBeCloseTo(g.hkaDeg, 9);
        }
      });
    }
  }

  it('places the right leg on the viewer\'s left, lateral = −x for R and +x for L', () => {
    const { truth } = generateLongLegFilm({ scale: 0.6, noise: 0 });
    const R = truth.legs.R!.landmarksPx;
    const L = truth.legs.L!.landmarksPx;
    expect(R.femoralHeadCentre.x).toBeLessThan(L.femoralHeadCentre.x);
    expect(R.tibialPlateauLateral.x).toBeLessThan(R.tibialPlateauMedial.x);
    expect(L.tibialPlateauLateral.x).toBeGreaterThan(L.tibialPlateauMedial.x);
    expect(R.greaterTrochanterTip.x).toBeLessThan(R.femoralHeadCentre.x);
    expect(truth.image.patientOrientation).toEqual(['L', 'F']);
    // Head proximal, ankle distal: y grows toward the feet.
    expect(R.femoralHeadCentre.y).toBeLessThan(R.kneeCentre.y);
    expect(R.kneeCentre.y).toBeLessThan(R.ankleCentre.y);
  });

  it('maps mm to pixels with non-square spacing and the ERMF', () => {
    const { truth } = generateLongLegFilm({ imagerPixelSpacingMm: { row: 0.6, column: 0.48 }, ermf: 1.2, noise: 0 });
    expect(truth.image.patientPixelSpacingMm.row).toBeCloseTo(0.5, 12);
    expect(truth.image.patientPixelSpacingMm.column).toBeCloseTo(0.4, 12);
    const leg = truth.legs.L!;
    for (const id of LANDMARK_IDS) {
      const back = pxToMm(truth, leg.landmarksPx[id]);
      expect(back.x).toBeCloseTo(leg.landmarksMm[id].x, 9);
      expect(back.y).toBeCloseTo(leg.landmarksMm[id].y, 9);
    }
    // A vertical and a horizontal 100 mm at the patient: 200 rows vs 250 columns.
    const H = leg.landmarksMm.femoralHeadCentre;
    const K = leg.landmarksMm.kneeCentre;
    const dyPx = leg.landmarksPx.kneeCentre.y - leg.landmarksPx.femoralHeadCentre.y;
    const dxPx = leg.landmarksPx.kneeCentre.x - leg.landmarksPx.femoralHeadCentre.x;
    expect(dyPx).toBeCloseTo((K.y - H.y) / 0.5, 9);
    expect(dxPx).toBeCloseTo((K.x - H.x) / 0.4, 9);
    // And the angle in raw pixels is not the true angle: the reason every computation is in mm.
    const pxLeg = Object.fromEntries(LANDMARK_IDS.map((id) => [id, legFrame('L', leg.landmarksPx[id])]));
    expect(Math.abs(measure(pxLeg).mldfa - leg.geometry.mldfaDeg)).toBeGreaterThan(0.05);
  });

  it('puts the femoral head contour points on the true circle and the sphere size in pixels', () => {
    const { truth } = generateLongLegFilm({ imagerPixelSpacingMm: { row: 0.6, column: 0.5 }, noise: 0 });
    const leg = truth.legs.R!;
    expect(leg.landmarksMm.femoralHeadContour.length).toBeGreaterThanOrEqual(3);
    for (const p of leg.landmarksMm.femoralHeadContour) {
      expect(len(sub(p, leg.landmarksMm.femoralHeadCentre))).toBeCloseTo(leg.geometry.femoralHeadDiameterMm / 2, 9);
    }
    expect(truth.sphere!.diameterMm).toBe(25);
    expect(truth.sphere!.diameterPx.x).toBeCloseTo((25 * 1.1) / 0.5, 9);
    expect(truth.sphere!.diameterPx.y).toBeCloseTo((25 * 1.1) / 0.6, 9);
  });

  it('derives the fourth of HKA/MPTA/mLDFA/JLCA and rejects an inconsistent set', () => {
    expect(resolveLegGeometry({ hkaDeg: -6, mldfaDeg: 88, jlcaDeg: 2 }).mptaDeg).toBeCloseTo(84, 12);
    expect(resolveLegGeometry({ hkaDeg: -6, mptaDeg: 84, jlcaDeg: 2 }).mldfaDeg).toBeCloseTo(88, 12);
    expect(resolveLegGeometry({ hkaDeg: -6, mptaDeg: 84, mldfaDeg: 88 }).jlcaDeg).toBeCloseTo(2, 12);
    expect(resolveLegGeometry({ mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }).hkaDeg).toBeCloseTo(-6, 12);
    expect(resolveLegGeometry({ hkaDeg: -6, mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }).hkaDeg).toBe(-6);
    expect(() => resolveLegGeometry({ hkaDeg: -5, mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, 'L')).toThrow(
      /Leg L: inconsistent geometry: HKA -5° but MPTA − mLDFA − JLCA = 84 − 88 − 2 = -6°/,
    );
  });

  it('refuses values that cannot be drawn, naming the parameter', () => {
    expect(() => resolveLegGeometry({ mptaDeg: Number.NaN })).toThrow(/mptaDeg must be a finite number/);
    expect(() => resolveLegGeometry({ femurLengthMm: 50 })).toThrow(/femurLengthMm = 50 is outside/);
    expect(() => resolveLegGeometry({ hkaDeg: 25, mptaDeg: 100 })).toThrow(/derived mldfaDeg/);
    expect(() => resolveLegGeometry({ hipWidth: 3 } as unknown as LegGeometryInput)).toThrow(/unknown geometry parameter "hipWidth"/);
    // A JLCA that would push a condyle into the plateau.
    expect(() => buildLeg(resolveLegGeometry({ jlcaDeg: 11, jointSpaceMm: 2 }))).toThrow(/medial joint space would be/);
    expect(() => generateLongLegFilm({ legs: { X: {} } as never })).toThrow(/a leg is "R" or "L"/);
    expect(() => generateLongLegFilm({ scale: 0.5, imagerPixelSpacingMm: { row: 0.5, column: 0.5 } })).toThrow(/either scale or imagerPixelSpacingMm/);
    expect(() => generateLongLegFilm({ ermf: 0.9 })).toThrow(/ermf must lie in 1…2/);
    expect(() => generateLongLegFilm({ study: { date: '2024-06-11' } })).toThrow(/study.date must be YYYYMMDD/);
  });

  it('puts the malleolar midpoint lateral of the plafond midpoint (≈ 0.3° valgus shift, clinical-spec §2)', () => {
    const { truth } = generateLongLegFilm({ scale: 0.6, noise: 0 });
    const l = legPoints(truth, 'R', 'mm');
    const malleoli = { x: (l.malleolusMedial!.x + l.malleolusLateral!.x) / 2, y: (l.malleolusMedial!.y + l.malleolusLateral!.y) / 2 };
    const shifted = measure({ ...l, ankleCentre: malleoli });
    const shift = shifted.hka - measure(l).hka;
    expect(shift).toBeGreaterThan(0.15);
    expect(shift).toBeLessThan(0.5);
  });
});

describe('the measurement engine on the phantom truth', () => {
  const { truth } = generateLongLegFilm({
    legs: { R: { mptaDeg: 84, mldfaDeg: 88, jlcaDeg: 2 }, L: { mptaDeg: 90, mldfaDeg: 85, jlcaDeg: 1, ldtaDeg: 92 } },
    imagerPixelSpacingMm: { row: 0.6, column: 0.592 },
    ermf: 1.1,
    noise: 0,
    calibrationSphere: false,
    marker: false,
  });
  const calibration = {
    type: 'magnification-corrected' as const,
    rowSpacingMm: 0.6 / 1.1,
    columnSpacingMm: 0.592 / 1.1,
    source: 'ImagerPixelSpacing / ERMF',
    note: null,
  };

  for (const side of ['R', 'L'] as const) {
    for (const withContour of [false, true]) {
      it(`${side} leg ${withContour ? '(H fitted from the contour)' : '(H clicked)'}: engine values equal the configured geometry`, () => {
        const leg = truth.legs[side]!;
        const landmarks = Object.fromEntries(
          LANDMARK_IDS.filter((id) => !(withContour && id === 'femoralHeadCentre')).map((id) => [id, { ...leg.landmarksPx[id], placedBy: 'user' as const }]),
        );
        const set: LandmarkSet = {
          schemaVersion: 1,
          sopInstanceUid: truth.dicom.sopInstanceUid,
          frame: 0,
          side,
          imageFlipped: false,
          variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
          landmarks,
          femoralHeadContour: withContour ? leg.landmarksPx.femoralHeadContour.map((p) => ({ ...p, placedBy: 'user' as const })) : [],
          userCalibration: null,
        };
        const result = computeLegAlignment(set, calibration);
        const m = result.measurements;
        const g = leg.geometry;
        expect(m.hka.value).toBeCloseTo(g.hkaDeg, 6);
        expect(m.mpta.value).toBeCloseTo(g.mptaDeg, 6);
        expect(m.mldfa.value).toBeCloseTo(g.mldfaDeg, 6);
        expect(m.jlca.value).toBeCloseTo(g.jlcaDeg, 6);
        expect(m.ldta.value).toBeCloseTo(g.ldtaDeg, 6);
        expect(m.mlpfa.value).toBeCloseTo(g.mlpfaDeg, 6);
        expect(m.ama.value).toBeCloseTo(g.amaDeg, 6);
        // The engine signs MAD: positive = medial (varus), negative = lateral.
        const signedMad = leg.derived.mechanicalAxisDeviationSide === 'medial' ? leg.derived.mechanicalAxisDeviationMm : -leg.derived.mechanicalAxisDeviationMm;
        expect(m.mad.value).toBeCloseTo(signedMad, 6);
        expect(m.mad.direction).toBe(g.hkaDeg < 0 ? 'medial' : 'lateral');
        expect(m.wbl.value).toBeCloseTo(leg.derived.wblPercent, 6);
        expect(m.femurLength.value).toBeCloseTo(g.femurLengthMm, 6);
        expect(m.tibiaLength.value).toBeCloseTo(g.tibiaLengthMm, 6);
        expect(result.identityCheck.status).toBe('ok');
        expect(Math.abs(result.identityCheck.residualDeg!)).toBeLessThan(1e-9);
      });
    }
  }
});
