// A medial opening-wedge high tibial osteotomy drawn into the phantom (clinical-spec §5): the tibia
// is cut from the medial entry point to the hinge near the lateral cortex, the distal fragment
// (shaft, plafond, fibula, foot) turns about the hinge, a wedge-shaped gap opens medially, the gap
// fills with new bone over the weeks, and a medial locking plate with screws holds the fragments.
// Everything here works in the leg frame of geometry.ts (x lateral, y proximal, mm, K at the origin);
// the rotation is the one the planning engine reports (counter-clockwise positive in that frame).
import type { LegConstruction, LegLandmarks } from './geometry';
import { mulberry32 } from '../seeded-random';
import type { EllipsoidPart, Group, HalfPlane, Part, TubePart } from './render';
import { add, dot, norm, perp, rad, scale, sub, type Vec2 } from './vec';

export interface LegOsteotomy {
  /** Hinge point Hg (leg frame). */
  hinge: Vec2;
  /** Medial entry point of the cut (leg frame). */
  cutEntry: Vec2;
  /** Rotation of the distal fragment about the hinge, degrees, counter-clockwise in the leg frame. */
  rotationDeg: number;
  /** New bone in the gap: 0 = empty (dark) gap, 100 = bone density; in between, patchy. */
  fillPercent: number;
  /** Draw the medial plate and its screws. */
  plate: boolean;
  /** Seed of the patchy fill pattern. */
  seed: number;
}

/** clinical-spec §5 (HTO): the distal fragment's landmarks; the plateau, knee centre and femur stay. */
export const DISTAL_FRAGMENT_LANDMARKS = ['ankleCentre', 'plafondMedial', 'plafondLateral', 'malleolusMedial', 'malleolusLateral'] as const satisfies readonly (keyof LegLandmarks)[];

/** Attenuation per mm of stainless steel implants on the processed film: well above cortical bone. */
export const IMPLANT_MU = 0.5;

export function rotatePoint(p: Vec2, centre: Vec2, deg: number): Vec2 {
  const c = Math.cos(rad(deg));
  const s = Math.sin(rad(deg));
  const d = sub(p, centre);
  return { x: centre.x + c * d.x - s * d.y, y: centre.y + s * d.x + c * d.y };
}

function rotateVector(v: Vec2, deg: number): Vec2 {
  return rotatePoint(v, { x: 0, y: 0 }, deg);
}

/** The leg's landmarks after the osteotomy: the distal fragment turned about the hinge. */
export function osteotomizedLandmarks(l: LegLandmarks, o: Pick<LegOsteotomy, 'hinge' | 'rotationDeg'>): LegLandmarks {
  const out: LegLandmarks = { ...l, femoralHeadContour: [...l.femoralHeadContour] };
  for (const id of DISTAL_FRAGMENT_LANDMARKS) out[id] = rotatePoint(l[id], o.hinge, o.rotationDeg);
  return out;
}

/** The construction after the osteotomy, for whatever follows the tibial axis (the soft tissue of the lower leg). */
export function osteotomizedConstruction(c: LegConstruction, o: LegOsteotomy): LegConstruction {
  const landmarks = osteotomizedLandmarks(c.landmarks, o);
  const tibia = sub(landmarks.ankleCentre, landmarks.kneeCentre);
  return {
    geometry: c.geometry,
    landmarks,
    axes: { ...c.axes, tibiaMech: scale(tibia, 1 / norm(tibia)), plafondLateral: rotateVector(c.axes.plafondLateral, o.rotationDeg) },
  };
}

function rotateClip(h: HalfPlane, centre: Vec2, deg: number): HalfPlane {
  return { point: rotatePoint(h.point, centre, deg), normal: rotateVector(h.normal, deg) };
}

export function rotatePart(part: Part, centre: Vec2, deg: number): Part {
  const clips = part.clips?.map((h) => rotateClip(h, centre, deg));
  if (part.kind === 'tube') return { ...part, points: part.points.map((p) => rotatePoint(p, centre, deg)), ...(clips ? { clips } : {}) };
  return { ...part, centre: rotatePoint(part.centre, centre, deg), axisU: rotateVector(part.axisU, deg), ...(clips ? { clips } : {}) };
}

function withClips(part: Part, extra: HalfPlane[]): Part {
  return { ...part, clips: [...(part.clips ?? []), ...extra] };
}

/** Unit normal of the cut line (entry → hinge) pointing proximally. */
function cutNormal(o: LegOsteotomy): Vec2 {
  const along = sub(o.hinge, o.cutEntry);
  const n = perp(scale(along, 1 / norm(along)));
  return n.y >= 0 ? n : scale(n, -1);
}

export interface TibialGroups {
  /** The tibia (cut through). */
  tibia: Group;
  /** Structures of the proximal fragment that the cut does not reach (the plateau's subchondral plate). */
  proximal: Group[];
  /** Structures that move with the distal fragment (plafond plate, fibula, talus). */
  distal: Group[];
}

export interface BoneMu {
  cortex: number;
  cancellous: number;
}

/**
 * The tibia and its neighbours after a medial opening-wedge osteotomy. Proximal and distal copies
 * of the tibia are one group, so where they overlap lateral of the hinge (the intact lateral cortex
 * that bends) the bone is united, not doubled; medial of the hinge the wedge between them is the gap.
 */
export function openingWedgeTibia(c: LegConstruction, groups: TibialGroups, o: LegOsteotomy, mu: BoneMu): Group[] {
  const n = cutNormal(o);
  const above: HalfPlane = { point: o.hinge, normal: n };
  const below: HalfPlane = { point: o.hinge, normal: scale(n, -1) };
  const turn = (p: Part) => rotatePart(p, o.hinge, o.rotationDeg);
  const tibia: Group = {
    ...groups.tibia,
    parts: [...groups.tibia.parts.map((p) => withClips(p, [above])), ...groups.tibia.parts.map((p) => turn(withClips(p, [below])))],
  };
  const out: Group[] = [tibia, ...groups.proximal, ...groups.distal.map((g) => ({ ...g, parts: g.parts.map(turn) }))];
  const shaft = groups.tibia.parts.find((p): p is TubePart => p.kind === 'tube');
  if (shaft) out.push(...gapFill(shaft, o, mu));
  if (o.plate && shaft) out.push(...plateAndScrews(c, o, shaft));
  return out;
}

/**
 * New bone in the wedge: a uniform part that reaches bone density at 100 %, plus islands of
 * ossification that appear first near the hinge and along the cortices, peak at half fill and merge
 * into the uniform part as it completes (radiographic healing of an opening wedge, in a drawing).
 */
function gapFill(shaft: TubePart, o: LegOsteotomy, mu: BoneMu): Group[] {
  const f = Math.min(1, Math.max(0, o.fillPercent / 100));
  if (f === 0 || o.rotationDeg === 0) return [];
  const n = cutNormal(o);
  const belowProximal: HalfPlane = { point: o.hinge, normal: scale(n, -1) };
  const aboveDistal: HalfPlane = { point: o.hinge, normal: rotateVector(n, o.rotationDeg) };
  const wedgeClips = [belowProximal, aboveDistal];
  // The shaft turned half-way: inside the wedge its outline runs between the two fragments' outlines.
  const mid = rotatePart(shaft, o.hinge, o.rotationDeg / 2) as TubePart;
  const w = f ** 1.5;
  const groups: Group[] = [
    {
      name: 'gap fill',
      mu: mu.cortex * w,
      parts: [{ ...mid, innerMu: mid.innerMu?.map((m) => m * w), clips: [...(mid.clips ?? []), ...wedgeClips] }],
    },
  ];
  const islands = Math.round(45 * Math.sin(Math.PI * Math.min(f, 0.999)));
  if (islands > 0) {
    const random = mulberry32(o.seed);
    const entryDistance = norm(sub(o.cutEntry, o.hinge));
    const toEntry = scale(sub(o.cutEntry, o.hinge), 1 / entryDistance);
    const parts: EllipsoidPart[] = [];
    for (let k = 0; k < islands * 3 && parts.length < islands; k++) {
      // Distance from the hinge: skewed toward the hinge, where the gap is narrow and heals first.
      const t = Math.pow(random(), 1.6) * entryDistance * 1.05;
      const halfWidth = Math.tan(rad(Math.abs(o.rotationDeg) / 2)) * t;
      // Across the gap: toward either fragment's surface, where new bone starts.
      const s = (random() * 2 - 1) * halfWidth * 0.9;
      const axis = rotateVector(toEntry, o.rotationDeg / 2);
      const centre = add(add(o.hinge, scale(axis, t)), scale(perp(axis), s));
      const r = 1.5 + random() * 3;
      if (!insideTube(mid, centre, r)) continue;
      parts.push({ kind: 'ellipsoid', centre, axisU: rotateVector(axis, random() * 180), a: r * (1 + random()), b: r, c: 8 + random() * 10, clips: wedgeClips });
    }
    groups.push({ name: 'ossification islands', mu: mu.cancellous * 1.6 * (1 - w), parts });
  }
  return groups;
}

/** Centre and radius of a tube where its axis reaches `depth` along `down` from the origin (K), by linear interpolation of the stations. */
function tubeSection(tube: TubePart, down: Vec2, depth: number): { centre: Vec2; radius: number } {
  const depths = tube.points.map((p) => dot(p, down));
  for (let k = 0; k + 1 < depths.length; k++) {
    const d0 = depths[k]!;
    const d1 = depths[k + 1]!;
    if ((depth - d0) * (depth - d1) <= 0 && d0 !== d1) {
      const t = (depth - d0) / (d1 - d0);
      const a = tube.points[k]!;
      const b = tube.points[k + 1]!;
      return { centre: add(a, scale(sub(b, a), t)), radius: tube.radii[k]! + t * (tube.radii[k + 1]! - tube.radii[k]!) };
    }
  }
  const last = depth < depths[0]! ? 0 : depths.length - 1;
  return { centre: tube.points[last]!, radius: tube.radii[last]! };
}

/** True when p lies inside the tube's outline by at least `margin` mm. */
function insideTube(tube: TubePart, p: Vec2, margin: number): boolean {
  for (let k = 0; k + 1 < tube.points.length; k++) {
    const a = tube.points[k]!;
    const d = sub(tube.points[k + 1]!, a);
    const t = Math.min(1, Math.max(0, dot(sub(p, a), d) / dot(d, d)));
    const r = tube.radii[k]! + t * (tube.radii[k + 1]! - tube.radii[k]!);
    if (norm(sub(p, add(a, scale(d, t)))) < r - margin) return true;
  }
  return false;
}

/**
 * A medial locking plate (TomoFix-like) over the medial cortex: the head on the proximal fragment,
 * the shaft part on the distal fragment, bridging the gap; locking screws in each fragment, the
 * proximal ones parallel to the plateau, the distal ones bicortical across the shaft. Seen en face on
 * the AP film, the plate is a flat strip of constant thickness; the screws are cylinders seen from the side.
 */
function plateAndScrews(c: LegConstruction, o: LegOsteotomy, shaft: TubePart): Group[] {
  const { axes } = c;
  const down = axes.tibiaMech; // K → A before the osteotomy; K is the origin of the leg frame
  const lateral = down.y <= 0 ? { x: -down.y, y: down.x } : { x: down.y, y: -down.x };
  const n = cutNormal(o);
  const aboveCut = (p: Vec2) => dot(sub(p, o.hinge), n);
  const turn = (p: Vec2) => rotatePoint(p, o.hinge, o.rotationDeg);
  const halfWidth = 5.5;
  const section = (depth: number) => tubeSection(shaft, down, depth);
  const medialEdge = (depth: number) => {
    const s = section(depth);
    return sub(s.centre, scale(lateral, s.radius));
  };
  const lateralEdge = (depth: number) => {
    const s = section(depth);
    return add(s.centre, scale(lateral, s.radius));
  };
  // Over the medial cortex: 1.5 mm proud of the outline, the rest over the bone.
  const onCortex = (depth: number) => add(medialEdge(depth), scale(lateral, halfWidth - 1.5));
  const plateauDepth = dot(c.landmarks.tibialPlateauMedial, down);
  const entryDepth = dot(o.cutEntry, down);

  const headDepths = [plateauDepth + 9, (plateauDepth + entryDepth) / 2, entryDepth - 6].filter((d) => aboveCut(onCortex(d)) > halfWidth);
  const shaftDepths = [entryDepth + 10, entryDepth + 42, entryDepth + 76, entryDepth + 110];
  const platePoints = [...headDepths.map(onCortex), ...shaftDepths.map((d) => turn(onCortex(d)))];
  const plate: TubePart = { kind: 'tube', points: platePoints, radii: platePoints.map(() => halfWidth), depthRatio: 5 / (2 * halfWidth), flat: true };

  const screws: TubePart[] = [];
  const screwHeads: EllipsoidPart[] = [];
  const screw = (from: Vec2, to: Vec2, move: boolean) => {
    const a = move ? turn(from) : from;
    const b = move ? turn(to) : to;
    screws.push({ kind: 'tube', points: [a, b], radii: [2.4, 2.1], depthRatio: 1 });
    screwHeads.push({ kind: 'ellipsoid', centre: a, axisU: scale(sub(b, a), 1 / norm(sub(b, a))), a: 2.5, b: 4, c: 4 });
  };
  // Proximal screws: from the plate head toward the lateral plateau, converging slightly (as a
  // locking plate's head holes aim), tips 6 mm inside the lateral cortex and above the hinge.
  const hingeDepth = dot(o.hinge, down);
  for (const [k, d] of [plateauDepth + 8, plateauDepth + 15, plateauDepth + 22].entries()) {
    const from = onCortex(d);
    if (aboveCut(from) < 5) continue;
    const tipDepth = Math.min(hingeDepth - 4, dot(c.landmarks.tibialPlateauLateral, down) + 6 + 3 * k);
    const tip = sub(lateralEdge(tipDepth), scale(lateral, 6));
    if (aboveCut(tip) < 2) continue;
    screw(from, tip, false);
  }
  // Distal screws: across the shaft, perpendicular to its axis, tips 2 mm beyond the far cortex.
  for (const d of shaftDepths) {
    const from = onCortex(d);
    screw(from, add(lateralEdge(d), scale(lateral, 2)), true);
  }
  return [
    { name: 'plate', mu: IMPLANT_MU, parts: [plate] },
    { name: 'screws', mu: IMPLANT_MU, parts: screws },
    { name: 'screw heads', mu: IMPLANT_MU, parts: screwHeads },
  ];
}
