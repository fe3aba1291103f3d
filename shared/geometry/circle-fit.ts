// Least-squares circle fit for the femoral head (clinical-spec §2: centre of the least-squares
// circle through ≥ 3 contour points) and for a calibration sphere (§4). Done in mm: with
// non-square pixels a circle is an ellipse in pixel space, so fitting there would be wrong (§1).
import { EngineError } from './errors';
import type { Vec2 } from './vec';

export interface CircleFit {
  centre: Vec2;
  radius: number;
  /** Root-mean-square of the geometric residuals |p − centre| − radius, same unit as the input. */
  rmsResidual: number;
}

/**
 * clinical-spec §2: geometric least-squares circle (minimises Σ(|p − c| − r)²). Starts from the
 * algebraic (Kåsa) solution on centred coordinates, then refines with Gauss–Newton, keeping a
 * step only when it lowers the residual. Exact for points on a circle; 3 points give the
 * circumcircle. Throws DEGENERATE_GEOMETRY for fewer than 3 points or collinear points.
 */
export function fitCircle(points: readonly Vec2[]): CircleFit {
  const n = points.length;
  if (n < 3) {
    throw new EngineError('DEGENERATE_GEOMETRY', `A circle needs at least 3 contour points; ${n} given.`);
  }
  let mx = 0;
  let my = 0;
  for (const p of points) {
    mx += p.x;
    my += p.y;
  }
  mx /= n;
  my /= n;
  // Kåsa: u² + v² + D·u + E·v + F = 0 on centred coordinates, normal equations 3×3.
  let suu = 0, svv = 0, suv = 0, su = 0, sv = 0, suz = 0, svz = 0, sz = 0;
  let spread = 0;
  for (const p of points) {
    const u = p.x - mx;
    const v = p.y - my;
    const z = u * u + v * v;
    suu += u * u;
    svv += v * v;
    suv += u * v;
    su += u;
    sv += v;
    suz += u * z;
    svz += v * z;
    sz += z;
    spread = Math.max(spread, z);
  }
  // Solve [suu suv su; suv svv sv; su sv n] [D E F]ᵀ = −[suz svz sz]ᵀ.
  const det = det3(suu, suv, su, suv, svv, sv, su, sv, n);
  // Relative collinearity test: the determinant scales with spread⁴·n for a genuine circle.
  if (!(spread > 0) || Math.abs(det) <= 1e-12 * spread * spread * n * n) {
    throw new EngineError('DEGENERATE_GEOMETRY', 'The contour points are collinear or coincide: no circle fits them.');
  }
  const [D, E, F] = solveSymmetric3(suu, suv, su, svv, sv, n, -suz, -svz, -sz, det);
  let cx = -D / 2;
  let cy = -E / 2;
  let r = Math.sqrt(Math.max(cx * cx + cy * cy - F, 0));

  const cost = (x: number, y: number, rr: number) => {
    let s = 0;
    for (const p of points) {
      const d = Math.hypot(p.x - mx - x, p.y - my - y) - rr;
      s += d * d;
    }
    return s;
  };
  let current = cost(cx, cy, r);
  for (let iter = 0; iter < 50 && current > 0; iter++) {
    // Gauss–Newton on residuals e_i = |p_i − c| − r; Jacobian rows [−(u−cx)/d, −(v−cy)/d, −1].
    let a11 = 0, a12 = 0, a13 = 0, a22 = 0, a23 = 0, a33 = 0, g1 = 0, g2 = 0, g3 = 0;
    for (const p of points) {
      const du = p.x - mx - cx;
      const dv = p.y - my - cy;
      const d = Math.hypot(du, dv);
      if (d === 0) continue;
      const j1 = -du / d;
      const j2 = -dv / d;
      const j3 = -1;
      const e = d - r;
      a11 += j1 * j1; a12 += j1 * j2; a13 += j1 * j3; a22 += j2 * j2; a23 += j2 * j3; a33 += j3 * j3;
      g1 += j1 * e; g2 += j2 * e; g3 += j3 * e;
    }
    const dA = det3(a11, a12, a13, a12, a22, a23, a13, a23, a33);
    if (!(Math.abs(dA) > 0)) break;
    const [sx, sy, sr] = solveSymmetric3(a11, a12, a13, a22, a23, a33, -g1, -g2, -g3, dA);
    const next = cost(cx + sx, cy + sy, r + sr);
    if (!(next < current)) break;
    cx += sx;
    cy += sy;
    r += sr;
    const improved = current - next;
    current = next;
    if (improved <= 1e-15 * (r * r * n)) break;
  }
  if (!Number.isFinite(cx) || !Number.isFinite(cy) || !(r > 0)) {
    throw new EngineError('DEGENERATE_GEOMETRY', 'The contour points do not define a circle.');
  }
  return { centre: { x: cx + mx, y: cy + my }, radius: r, rmsResidual: Math.sqrt(current / n) };
}

function det3(a: number, b: number, c: number, d: number, e: number, f: number, g: number, h: number, i: number): number {
  return a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
}

/** Cramer's rule for the symmetric system [a b c; b d e; c e f]·x = [r1 r2 r3] with its determinant given. */
function solveSymmetric3(a: number, b: number, c: number, d: number, e: number, f: number, r1: number, r2: number, r3: number, det: number): [number, number, number] {
  return [
    det3(r1, b, c, r2, d, e, r3, e, f) / det,
    det3(a, r1, c, b, r2, e, c, r3, f) / det,
    det3(a, b, r1, b, d, r2, c, e, r3) / det,
  ];
}
