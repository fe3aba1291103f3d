// The phantom builds its anatomy with the engine's own vector helpers (shared/geometry/vec.ts),
// plus two constructors that only drawing needs.
import { toRad, type Vec2 } from '../../../shared/geometry/vec';

export { add, angleBetweenDeg as angleBetween, cross, dot, lerp, norm, scale, sub, toRad as rad, vec, type Vec2 } from '../../../shared/geometry/vec';

/** Unit vector at `angleDeg` counter-clockwise from +x. */
export const dir = (angleDeg: number): Vec2 => ({ x: Math.cos(toRad(angleDeg)), y: Math.sin(toRad(angleDeg)) });
/** Rotates 90° counter-clockwise. */
export const perp = (a: Vec2): Vec2 => ({ x: -a.y, y: a.x });
