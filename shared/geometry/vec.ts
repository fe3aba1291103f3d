// Plane vector helpers for the leg frame (clinical-spec §1: all geometry in mm in the patient
// plane). Plain objects, no classes, so values cross IPC and JSON unchanged.
import { EngineError } from './errors';

export interface Vec2 {
  x: number;
  y: number;
}

// Vector arithmetic in the leg frame (clinical-spec §1: mm, x lateral, y proximal).
export const vec = (x: number, y: number): Vec2 => ({ x, y });
export const add = (a: Vec2, b: Vec2): Vec2 => ({ x: a.x + b.x, y: a.y + b.y });
export const sub = (a: Vec2, b: Vec2): Vec2 => ({ x: a.x - b.x, y: a.y - b.y });
export const scale = (a: Vec2, k: number): Vec2 => ({ x: a.x * k, y: a.y * k });
export const dot = (a: Vec2, b: Vec2): number => a.x * b.x + a.y * b.y;
/** z component of a × b: positive when b is counter-clockwise from a (x right, y up). */
export const cross = (a: Vec2, b: Vec2): number => a.x * b.y - a.y * b.x;
export const norm = (a: Vec2): number => Math.hypot(a.x, a.y);
export const distance = (a: Vec2, b: Vec2): number => Math.hypot(a.x - b.x, a.y - b.y);
export const midpoint = (a: Vec2, b: Vec2): Vec2 => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const lerp = (a: Vec2, b: Vec2, t: number): Vec2 => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

// Degrees are the unit of every angle the spec reports (§3).
export const DEG = 180 / Math.PI;
export const toDeg = (rad: number): number => rad * DEG;
export const toRad = (deg: number): number => deg / DEG;

/** Relative length below which two points count as coincident (mm-scale legs are ~10³ mm). */
const EPS = 1e-9;

/** clinical-spec §1 geometry: the unit vector; coincident points are a DEGENERATE_GEOMETRY error, never NaN. */
export function unit(a: Vec2, what = 'direction'): Vec2 {
  const n = norm(a);
  if (!(n > EPS) || !Number.isFinite(n)) {
    throw new EngineError('DEGENERATE_GEOMETRY', `Cannot take the ${what}: its two points coincide.`);
  }
  return { x: a.x / n, y: a.y / n };
}

/** clinical-spec §3 (mLPFA, mLDFA, MPTA, LDTA...): unsigned angle between two directions, degrees in [0, 180]. atan2 keeps precision near 0 and 180. */
export function angleBetweenDeg(a: Vec2, b: Vec2, what = 'angle'): number {
  if (!(norm(a) > EPS) || !(norm(b) > EPS)) {
    throw new EngineError('DEGENERATE_GEOMETRY', `The ${what} needs two distinct points on each line.`);
  }
  return toDeg(Math.atan2(Math.abs(cross(a, b)), dot(a, b)));
}

/** clinical-spec §3 (HKA, JLCA): signed angle that turns a onto b, degrees in (−180, 180], counter-clockwise positive. */
export function signedAngleDeg(a: Vec2, b: Vec2, what = 'angle'): number {
  if (!(norm(a) > EPS) || !(norm(b) > EPS)) {
    throw new EngineError('DEGENERATE_GEOMETRY', `The ${what} needs two distinct points on each line.`);
  }
  return toDeg(Math.atan2(cross(a, b), dot(a, b)));
}

/** clinical-spec §5 (rigid rotation of the moved fragment): rotates p about centre by angleDeg, counter-clockwise positive. */
export function rotateAbout(p: Vec2, centre: Vec2, angleDeg: number): Vec2 {
  const r = toRad(angleDeg);
  const c = Math.cos(r);
  const s = Math.sin(r);
  const dx = p.x - centre.x;
  const dy = p.y - centre.y;
  return { x: centre.x + c * dx - s * dy, y: centre.y + s * dx + c * dy };
}

/**
 * clinical-spec §3 (WBL): parameter t of the point where line a1→a2 meets line b1→b2 (point = a1 + t·(a2 − a1)).
 * Throws on parallel lines instead of returning Infinity.
 */
export function lineIntersectionParam(a1: Vec2, a2: Vec2, b1: Vec2, b2: Vec2, what = 'intersection'): number {
  const r = sub(a2, a1);
  const s = sub(b2, b1);
  const denom = cross(r, s);
  const scaleSq = norm(r) * norm(s);
  if (!(scaleSq > EPS) || Math.abs(denom) <= 1e-12 * scaleSq) {
    throw new EngineError('DEGENERATE_GEOMETRY', `The ${what} does not exist: the lines are parallel or a line has coincident points.`);
  }
  return cross(sub(b1, a1), s) / denom;
}

/**
 * clinical-spec §3 (MAD): signed perpendicular distance of p from the line through a and b: positive when p lies
 * counter-clockwise of the direction a→b.
 */
export function signedDistanceToLine(p: Vec2, a: Vec2, b: Vec2, what = 'line'): number {
  const d = unit(sub(b, a), what);
  return cross(d, sub(p, a));
}

/**
 * Points where the ray origin + t·dir (t real) meets the circle |X − centre| = r, as the larger
 * root t of t² + 2(f·d)t + f·f − r² = 0 (clinical-spec §5, Miniaci). dir must be a unit vector.
 */
export function lineCircleFarParam(origin: Vec2, dir: Vec2, centre: Vec2, r: number): number {
  const f = sub(origin, centre);
  const b = dot(f, dir);
  const c = dot(f, f) - r * r;
  const disc = b * b - c;
  if (!(disc >= 0) || !Number.isFinite(disc)) {
    throw new EngineError('DEGENERATE_GEOMETRY', 'The target line does not reach the circle about the hinge: the target is unreachable with this hinge.');
  }
  return -b + Math.sqrt(disc);
}
