// Tiny 2-D vector helpers for the phantom (plain objects so the truth JSON stays plain data).

export interface Vec2 {
  x: number;
  y: number;
}

export const vec = (x: number, y: number): Vec2 => ({ x, y });
export const add = (a: Vec2, b: Vec2): Vec2 => ({ x: a.x + b.x, y: a.y + b.y });
export const sub = (a: Vec2, b: Vec2): Vec2 => ({ x: a.x - b.x, y: a.y - b.y });
export const scale = (a: Vec2, s: number): Vec2 => ({ x: a.x * s, y: a.y * s });
export const dot = (a: Vec2, b: Vec2): number => a.x * b.x + a.y * b.y;
export const cross = (a: Vec2, b: Vec2): number => a.x * b.y - a.y * b.x;
export const norm = (a: Vec2): number => Math.hypot(a.x, a.y);
export const unit = (a: Vec2): Vec2 => scale(a, 1 / norm(a));
export const mid = (a: Vec2, b: Vec2): Vec2 => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const rad = (deg: number): number => (deg * Math.PI) / 180;
export const deg = (r: number): number => (r * 180) / Math.PI;
/** Unit vector at `angleDeg` counter-clockwise from +x. */
export const dir = (angleDeg: number): Vec2 => ({ x: Math.cos(rad(angleDeg)), y: Math.sin(rad(angleDeg)) });
/** Rotates 90° counter-clockwise. */
export const perp = (a: Vec2): Vec2 => ({ x: -a.y, y: a.x });
/** Unsigned angle between two vectors, degrees in [0, 180]. */
export const angleBetween = (a: Vec2, b: Vec2): number => deg(Math.atan2(Math.abs(cross(a, b)), dot(a, b)));
/** Point along a + t (b − a). */
export const lerp = (a: Vec2, b: Vec2, t: number): Vec2 => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
