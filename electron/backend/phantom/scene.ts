// The anatomy of the phantom as analytic solids, laid out from the true landmarks so the drawing
// agrees with them: the condyles are tangent to the condylar line at the condyle landmarks, the
// tibia is cut flat by the plateau and plafond lines through their end landmarks, the head is the
// true circle, the malleolar tips are the malleolus landmarks. Sizes are typical adult values (mm).
import type { LegConstruction, Side } from './geometry';
import { openingWedgeTibia, osteotomizedConstruction, type LegOsteotomy } from './osteotomy';
import type { Group, HalfPlane, Part, TubePart } from './render';
import { add, dir, dot, lerp, perp, scale, sub, vec, type Vec2 } from './vec';

/** Attenuation per mm, tuned for a processed ("for presentation") film: soft tissue is kept low, as
 * the detector's dynamic-range compression does, so bone stays readable from hip to ankle. */
export const MU = {
  fat: 0.0055,
  muscleExtra: 0.003,
  cortex: 0.065,
  cancellous: 0.02,
  marrow: 0.007,
  subchondral: 0.03,
  steel: 0.16,
  lead: 1.2,
} as const;

/** One leg placed on the film: its construction plus the leg-frame → film-frame mapping. */
export interface LegPlacement {
  side: Side;
  construction: LegConstruction;
  /** Leg frame (x lateral, y proximal) → film frame (x to the viewer's right, y down), mm at the patient. */
  toFilm(p: Vec2): Vec2;
  /** Film frame → leg frame, the inverse of toFilm. */
  fromFilm(p: Vec2): Vec2;
  dirToFilm(v: Vec2): Vec2;
  /** The body midline expressed as a leg-frame x. */
  midlineX: number;
  /** A medial opening-wedge HTO on this leg (leg frame), for post-op films. */
  osteotomy?: LegOsteotomy;
}

/** A leg-frame → film-frame placement: the right leg's lateral is the viewer's left (−x) on an AP film. */
export function placeLeg(side: Side, construction: LegConstruction, offset: Vec2, midlineFilmX: number): LegPlacement {
  const sx = side === 'R' ? -1 : 1;
  return {
    side,
    construction,
    toFilm: (p) => ({ x: offset.x + sx * p.x, y: offset.y - p.y }),
    fromFilm: (p) => ({ x: sx * (p.x - offset.x), y: offset.y - p.y }),
    dirToFilm: (v) => ({ x: sx * v.x, y: -v.y }),
    midlineX: sx * (midlineFilmX - offset.x),
  };
}

/** Rotates 90° clockwise in the leg frame: from a proximal-pointing axis to its lateral side. */
const lateralOf = (u: Vec2): Vec2 => ({ x: u.y, y: -u.x });

function mapPart(part: Part, pl: LegPlacement): Part {
  const clips = part.clips?.map((h): HalfPlane => ({ point: pl.toFilm(h.point), normal: pl.dirToFilm(h.normal) }));
  if (part.kind === 'tube') return { ...part, points: part.points.map(pl.toFilm), ...(clips ? { clips } : {}) };
  return { ...part, centre: pl.toFilm(part.centre), axisU: pl.dirToFilm(part.axisU), ...(clips ? { clips } : {}) };
}

function mapGroup(g: Group, pl: LegPlacement): Group {
  return { ...g, name: `${g.name} ${pl.side}`, parts: g.parts.map((p) => mapPart(p, pl)) };
}

/** A bone tube from stations (point, radius, cortex, interior μ). */
function boneTube(stations: [Vec2, number, number, number][], clips?: HalfPlane[], depthRatio = 1): TubePart {
  return {
    kind: 'tube',
    points: stations.map((s) => s[0]),
    radii: stations.map((s) => s[1]),
    cortex: stations.map((s) => s[2]),
    innerMu: stations.map((s) => s[3]),
    depthRatio,
    ...(clips ? { clips } : {}),
  };
}

const C = MU.cancellous;
const M = MU.marrow;

function femur(c: LegConstruction): Group[] {
  const { landmarks: l, axes: ax, geometry: g } = c;
  const H = l.femoralHeadCentre;
  const uA = ax.femurAnatomic;
  const latA = lateralOf(uA);
  const at = (s: number, d = 0) => add(scale(uA, s), scale(latA, d));
  const sH = dot(H, uA);
  const dH = dot(H, latA);
  // Neck base where a 130° neck–shaft angle meets the anatomic axis.
  const sN = sH - Math.abs(dH) / Math.tan((50 * Math.PI) / 180);
  const cu = ax.condylarLateral;
  const cv = perp(cu);
  const Kc = ax.condylarCentre;
  const Lf = g.femurLengthMm;
  const rHead = g.femoralHeadDiameterMm / 2;
  const half = g.condyleSpacingMm / 2;
  const condyleA = Math.max(12, half - 4.5);
  const condyleB = 21;
  const outer = half + condyleA + 0.5;
  const shaft = boneTube(
    [
      // Distal stations centred between the condyles (not on the oblique anatomic axis), so the
      // metaphysis meets both condyles symmetrically.
      [add(Kc, scale(cv, 8)), outer, 1.4, C],
      [add(Kc, scale(cv, 30)), outer - 0.5, 1.5, C],
      [at(50), outer - 5, 1.8, C],
      [at(75), 24, 2.6, C],
      [at(110), 16, 4.5, (C + M) / 2],
      [at(0.35 * Lf), 14, 6, M],
      [at(0.62 * Lf), 14.5, 6, M],
      [at(sN - 60), 16.5, 4.5, M],
      [at(sN - 25), 22, 2.6, C],
      [at(sN + 5), 23, 2, C],
      [at(sN + 24, 3), 17, 2, C],
    ],
    // The distal metaphysis is cut at the condyle centres, where the condyles' lower halves take over
    // the outline and leave the intercondylar notch between them.
    [{ point: add(Kc, scale(cv, condyleB - 3)), normal: cv }],
  );
  const neck = boneTube([
    [at(sN - 8, -2), 20, 2.4, C],
    [lerp(at(sN), H, 0.55), 15, 2.2, C],
    [H, 16, 2, C],
  ]);
  const head: Part = { kind: 'ellipsoid', centre: H, axisU: latA, a: rHead, b: rHead, c: rHead, shell: 1.8, innerMu: C };
  const gtTip = l.greaterTrochanterTip;
  const greaterTrochanter: Part = { kind: 'ellipsoid', centre: sub(gtTip, scale(uA, 26)), axisU: latA, a: 16, b: 26, c: 24, shell: 1.4, innerMu: C };
  const lesserTrochanter: Part = { kind: 'ellipsoid', centre: at(sN - 40, -15), axisU: latA, a: 9, b: 13, c: 9, shell: 1.2, innerMu: C };
  const condyle = (p: Vec2): Part => ({ kind: 'ellipsoid', centre: add(p, scale(cv, condyleB)), axisU: cu, a: condyleA, b: condyleB, c: outer - 1, shell: 2, innerMu: C });
  const femurGroup: Group = {
    name: 'femur',
    mu: MU.cortex,
    parts: [shaft, neck, head, greaterTrochanter, lesserTrochanter, condyle(l.femoralCondyleMedial), condyle(l.femoralCondyleLateral)],
  };
  // The patella lies over the distal femur on an AP film and shows only faintly.
  const patella: Group = {
    name: 'patella',
    mu: MU.cancellous,
    parts: [{ kind: 'ellipsoid', centre: add(Kc, add(scale(cu, 3), scale(cv, 32))), axisU: cu, a: 22, b: 25, c: 9, shell: 0.8, innerMu: C * 0.6 }],
  };
  return [femurGroup, patella];
}

function tibiaAndFibula(c: LegConstruction): Group[] {
  const { landmarks: l, axes: ax, geometry: g } = c;
  const uT = ax.tibiaMech;
  const up = scale(uT, -1);
  const tLat = lateralOf(up);
  const at = (depth: number, lateral = 0) => add(scale(uT, depth), scale(tLat, lateral));
  const pu = ax.plateauLateral;
  const pv = perp(pu);
  const Kp = ax.plateauCentre;
  const A = l.ankleCentre;
  const fu = ax.plafondLateral;
  const fv = perp(fu);
  const inPlafond = (u: number, v: number) => add(A, add(scale(fu, u), scale(fv, v)));
  const Lt = g.tibiaLengthMm;
  const halfPlateau = g.plateauWidthMm / 2;
  const halfPlafond = g.plafondWidthMm / 2;
  // Radius that puts both plateau edges exactly on the outline (the plateau line is oblique to the axis).
  const cosD = dot(pu, tLat);
  const sinD = Math.abs(dot(pu, uT));
  const rTop = halfPlateau * cosD;
  const rBottom = halfPlafond + 5.5;
  const bottomShift = halfPlafond - rBottom; // medial shift that puts the lateral cortex at the plafond's lateral end
  const tibia = boneTube(
    [
      [at(-8), rTop, 1.2, C],
      [at(g.jointSpaceMm / 2 + halfPlateau * sinD + 4), rTop, 1.3, C],
      [at(g.jointSpaceMm / 2 + halfPlateau * sinD + 14), rTop - 1.5, 1.4, C],
      [at(30), rTop - 5, 1.6, C],
      [at(48), rTop * 0.7, 2, C],
      [at(75), 19.5, 3, C],
      [at(105), 15.5, 4.2, (C + M) / 2],
      [at(0.5 * Lt), 12.5, 5, M],
      [at(Lt - 80), 13.5, 4.5, M],
      [at(Lt - 35, bottomShift / 2), rBottom - 2, 2.4, C],
      [at(Lt - 8, bottomShift), rBottom, 1.4, C],
      [at(Lt + 6, bottomShift), rBottom, 1.4, C],
    ],
    [
      { point: Kp, normal: scale(pv, -1) },
      { point: A, normal: fv },
    ],
  );
  const medialMalleolus = boneTube([
    [inPlafond(-halfPlafond - 5, 8), 5, 1.4, C],
    [inPlafond(-halfPlafond - 5, -10), 5, 1.4, C],
  ]);
  // Tibial spines rise from the plateau into the notch; K is their centre.
  const spine = (u: number): Part => ({ kind: 'ellipsoid', centre: add(Kp, scale(pu, u)), axisU: pu, a: 3.5, b: 9, c: 10, shell: 1, innerMu: C });
  const tibiaGroup: Group = { name: 'tibia', mu: MU.cortex, parts: [tibia, medialMalleolus, spine(-4.5), spine(4.5)] };

  // Subchondral plates: dense bone just under the articular surfaces, seen edge-on as bright lines.
  const plate = (a: Vec2, b: Vec2): Group => ({ name: 'subchondral', mu: MU.subchondral, parts: [{ kind: 'tube', points: [a, b], radii: [1.1, 1.1], depthRatio: 10 }] });
  const plateauPlate = plate(add(l.tibialPlateauMedial, scale(pv, -1.2)), add(l.tibialPlateauLateral, scale(pv, -1.2)));
  const plafondPlate = plate(add(l.plafondMedial, scale(fv, 1.2)), add(l.plafondLateral, scale(fv, 1.2)));

  const fibHead = at(g.jointSpaceMm / 2 + 24, rTop - 5);
  const fibula: Group = {
    name: 'fibula',
    mu: MU.cortex,
    parts: [
      { kind: 'ellipsoid', centre: fibHead, axisU: tLat, a: 11, b: 13, c: 12, shell: 1.4, innerMu: C },
      boneTube([
        [at(g.jointSpaceMm / 2 + 34, rTop - 7), 6.5, 1.8, C],
        [at(0.4 * Lt, rTop - 8), 6.5, 2.4, M],
        [at(0.75 * Lt, rTop - 11), 7, 2.4, M],
        [inPlafond(halfPlafond + 4.5, 38), 8.5, 2, C],
        [inPlafond(halfPlafond + 9, -16), 9, 1.5, C],
      ]),
    ],
  };
  const foot: Group = {
    name: 'talus',
    mu: MU.cortex,
    parts: [
      { kind: 'ellipsoid', centre: inPlafond(0, -3.5 - 17), axisU: fu, a: halfPlafond - 1.5, b: 17, c: 26, shell: 1.5, innerMu: C },
    ],
  };
  return [tibiaGroup, plateauPlate, plafondPlate, fibula, foot];
}

function hemipelvis(c: LegConstruction, midlineX: number): Group[] {
  const H = c.landmarks.femoralHeadCentre;
  const rHead = c.geometry.femoralHeadDiameterMm / 2;
  const rel = (dx: number, dy: number) => add(H, vec(dx, dy));
  const roof: Group = {
    name: 'acetabular roof',
    mu: MU.subchondral,
    parts: [{ kind: 'tube', points: [155, 130, 105, 80, 55, 30].map((a) => add(H, scale(dir(a), rHead + 2.5))), radii: [2, 2.2, 2.2, 2.2, 2.2, 1.8], depthRatio: 6 }],
  };
  const obturatorCentre = rel(-40, -46);
  const ring = Array.from({ length: 17 }, (_, k) => add(obturatorCentre, vec(19 * Math.cos((k / 16) * 2 * Math.PI + 0.3), 25 * Math.sin((k / 16) * 2 * Math.PI + 0.3))));
  const pubisEnd = vec(midlineX + 11, H.y - 30);
  const ischium = add(obturatorCentre, vec(4, -32));
  const bone: Group = {
    name: 'hemipelvis',
    mu: MU.cortex * 0.8,
    parts: [
      // Ilium: the body above the acetabulum and the thin wing fanning up and out (cut by the film's top edge).
      { kind: 'ellipsoid', centre: rel(-4, 48), axisU: dir(70), a: 48, b: 40, c: 14, shell: 0.6, innerMu: C * 0.8 },
      { kind: 'ellipsoid', centre: rel(12, 110), axisU: dir(62), a: 80, b: 58, c: 6, shell: 0.8, innerMu: C * 0.5 },
      boneTube(ring.map((p) => [p, 6.5, 1.8, C] as [Vec2, number, number, number])),
      boneTube([
        [rel(-20, 0), 13, 2, C],
        [vec(pubisEnd.x + 6, pubisEnd.y + 4), 9, 2, C],
        [pubisEnd, 9, 2, C],
      ]),
      boneTube([
        [pubisEnd, 8, 2, C],
        [add(ischium, vec(-6, 4)), 7.5, 2, C],
      ]),
      { kind: 'ellipsoid', centre: ischium, axisU: vec(1, 0), a: 14, b: 12, c: 20, shell: 1.6, innerMu: C },
    ],
  };
  return [bone, roof];
}

function softTissue(c: LegConstruction): { envelope: TubePart; muscle: TubePart } {
  const { landmarks: l, axes: ax, geometry: g } = c;
  const H = l.femoralHeadCentre;
  const K = l.kneeCentre;
  const A = l.ankleCentre;
  const fv = perp(ax.plafondLateral);
  const stations: [Vec2, number, number][] = [
    [add(H, vec(18, 5)), 90, 14],
    [add(lerp(H, K, 0.45), vec(10, 0)), 74, 13],
    [add(K, scale(ax.femurMech, 90)), 57, 11],
    [K, 53, 20],
    [add(add(K, scale(ax.tibiaMech, 0.28 * g.tibiaLengthMm)), vec(-3, 0)), 56, 10],
    [add(K, scale(ax.tibiaMech, 0.68 * g.tibiaLengthMm)), 37, 12],
    [add(A, scale(fv, 18)), 31, 22],
    [add(A, scale(fv, -45)), 38, 30],
    [add(A, scale(fv, -72)), 27, 27],
  ];
  return {
    envelope: { kind: 'tube', points: stations.map((s) => s[0]), radii: stations.map((s) => s[1]), depthRatio: 1.05 },
    muscle: { kind: 'tube', points: stations.map((s) => s[0]), radii: stations.map((s) => Math.max(1, s[1] - s[2])), depthRatio: 1.05 },
  };
}

export interface SceneLayout {
  legs: LegPlacement[];
  /** Film-frame x of the body midline. */
  midlineX: number;
  /** Film-frame y of the line joining the femoral head centres (mean). */
  hipLineY: number;
  hipSeparationMm: number;
}

/** Everything except the calibration sphere and the side marker, which the film module places. */
export function buildPatientScene(layout: SceneLayout): { softTissue: Group[]; bones: Group[] } {
  const envelopes: Part[] = [];
  const muscles: Group[] = [];
  const bones: Group[] = [];
  for (const pl of layout.legs) {
    const o = pl.osteotomy;
    // The lower leg's soft tissue follows the corrected tibial axis; the thigh stays.
    const st = softTissue(o ? osteotomizedConstruction(pl.construction, o) : pl.construction);
    envelopes.push(mapPart(st.envelope, pl));
    muscles.push({ name: `muscle ${pl.side}`, mu: MU.muscleExtra, parts: [mapPart(st.muscle, pl)] });
    const [tibia, plateauPlate, ...distal] = tibiaAndFibula(pl.construction);
    const lowerLeg = o
      ? openingWedgeTibia(pl.construction, { tibia: tibia!, proximal: [plateauPlate!], distal }, o, { cortex: MU.cortex, cancellous: MU.cancellous })
      : [tibia!, plateauPlate!, ...distal];
    for (const g of [...hemipelvis(pl.construction, pl.midlineX), ...femur(pl.construction), ...lowerLeg]) bones.push(mapGroup(g, pl));
  }
  const pelvisCentre = vec(layout.midlineX, layout.hipLineY - 30);
  const halfWidth = layout.hipSeparationMm / 2 + 100;
  envelopes.push({ kind: 'ellipsoid', centre: pelvisCentre, axisU: vec(1, 0), a: halfWidth, b: 150, c: 100 });
  muscles.push({ name: 'gluteal muscle', mu: MU.muscleExtra, parts: [{ kind: 'ellipsoid', centre: pelvisCentre, axisU: vec(1, 0), a: halfWidth - 22, b: 128, c: 80 }] });
  // Midline: the sacrum (a tapering plate, top cut by the film edge) and the pelvic brim.
  const brim = Array.from({ length: 25 }, (_, k) => {
    const t = (k / 24) * 2 * Math.PI;
    return vec(layout.midlineX + (layout.hipSeparationMm / 2 - 30) * Math.cos(t), layout.hipLineY - 25 + 52 * Math.sin(t));
  });
  bones.push({
    name: 'sacrum and pelvic brim',
    mu: MU.cortex * 0.5,
    parts: [
      boneTube(
        [
          [vec(layout.midlineX, layout.hipLineY - 150), 55, 1, C * 0.45],
          [vec(layout.midlineX, layout.hipLineY - 95), 40, 1, C * 0.45],
          [vec(layout.midlineX, layout.hipLineY - 50), 18, 1, C * 0.45],
          [vec(layout.midlineX, layout.hipLineY - 25), 7, 1, C * 0.45],
        ],
        undefined,
        0.45,
      ),
      boneTube(brim.map((p) => [p, 3.5, 1.3, C] as [Vec2, number, number, number])),
    ],
  });
  return { softTissue: [{ name: 'skin envelope', mu: MU.fat, parts: envelopes, mode: 'max' }, ...muscles], bones };
}

/** The 25 mm steel calibration ball: a solid sphere, path length 2√(r² − d²). */
export function calibrationSphere(centre: Vec2, diameterMm: number): Group {
  const r = diameterMm / 2;
  return { name: 'calibration sphere', mu: MU.steel, parts: [{ kind: 'ellipsoid', centre, axisU: vec(1, 0), a: r, b: r, c: r }] };
}

/** Strokes of a lead letter in a 16 × 28 mm box (top-left origin, y down): readable from the front. */
const GLYPHS: Record<'R' | 'L', Vec2[][]> = {
  R: [
    [vec(0, 0), vec(0, 28)],
    [vec(0, 0), vec(10, 0), vec(14.5, 3), vec(15.5, 7), vec(14.5, 11), vec(10, 14), vec(0, 14)],
    [vec(7, 14), vec(16, 28)],
  ],
  L: [[vec(0, 0), vec(0, 28), vec(15, 28)]],
};

export function sideMarker(letter: 'R' | 'L', topLeft: Vec2, sizeScale = 1): Group {
  return {
    name: `marker ${letter}`,
    mu: MU.lead,
    parts: GLYPHS[letter].map(
      (stroke): Part => ({
        kind: 'tube',
        points: stroke.map((p) => add(topLeft, scale(p, sizeScale))),
        radii: stroke.map(() => 1.9 * sizeScale),
        depthRatio: 1,
        flat: true,
      }),
    ),
  };
}
