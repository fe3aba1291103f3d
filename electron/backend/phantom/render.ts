// Rasterises the phantom scene: every structure is a simple analytic solid whose X-ray path length
// (thickness along the beam, perpendicular to the film) is known in closed form, so attenuation is
// Σ μ·thickness per pixel. Cortical bone is a shell around a less dense interior, which is what makes
// cortices bright at the edges of a long bone, as on a real film. Typed arrays only, no per-pixel
// allocation: a full 0.15 mm film renders in a few seconds.
import type { Vec2 } from './vec';

/** Keeps the side where (p − point)·normal ≥ 0 (normal need not be unit). */
export interface HalfPlane {
  point: Vec2;
  normal: Vec2;
}

/**
 * A round-ended tube along a polyline; the radius (and cortex, interior density) varies linearly
 * along each segment. Cross-sections are ellipses `depthRatio` times deeper than wide, so the beam
 * path at distance d from the axis is 2·depthRatio·√(r² − d²); `flat` makes it a plate of constant
 * thickness 2·depthRatio·r (lead letters, metal plates).
 */
export interface TubePart {
  kind: 'tube';
  points: Vec2[];
  radii: number[];
  /** Cortical wall thickness per point; absent = solid (soft tissue, metal). */
  cortex?: number[];
  /** Attenuation of the interior per point (marrow or cancellous bone). */
  innerMu?: number[];
  depthRatio?: number;
  flat?: boolean;
  clips?: HalfPlane[];
}

/** An ellipsoid with semi-axes a (along axisU), b (perpendicular, in plane) and c (depth). */
export interface EllipsoidPart {
  kind: 'ellipsoid';
  centre: Vec2;
  axisU: Vec2;
  a: number;
  b: number;
  c: number;
  shell?: number;
  innerMu?: number;
  clips?: HalfPlane[];
}

export type Part = TubePart | EllipsoidPart;

/**
 * Parts of one structure are united (per-pixel maximum of path lengths), so a bone built from
 * several pieces does not double its density where the pieces overlap; different structures add.
 * mode 'max' merges the group into the running attenuation by maximum (used once, for the skin envelope).
 */
export interface Group {
  name: string;
  /** Attenuation per mm of the outer material (cortex, soft tissue, metal). */
  mu: number;
  parts: Part[];
  mode?: 'add' | 'max';
}

/** Where pixel centres lie at the patient plane: x = originX + (i + 0.5)·stepX, likewise y. */
export interface PixelGrid {
  columns: number;
  rows: number;
  originXmm: number;
  originYmm: number;
  /** Patient-plane mm per pixel along x (columns) and y (rows). */
  stepXmm: number;
  stepYmm: number;
}

interface Bounds {
  i0: number;
  i1: number;
  j0: number;
  j1: number;
}

export function partBoundsMm(p: Part): { minX: number; maxX: number; minY: number; maxY: number } {
  if (p.kind === 'ellipsoid') {
    const r = Math.max(p.a, p.b);
    return { minX: p.centre.x - r, maxX: p.centre.x + r, minY: p.centre.y - r, maxY: p.centre.y + r };
  }
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  p.points.forEach((pt, i) => {
    const r = p.radii[i]!;
    minX = Math.min(minX, pt.x - r);
    maxX = Math.max(maxX, pt.x + r);
    minY = Math.min(minY, pt.y - r);
    maxY = Math.max(maxY, pt.y + r);
  });
  return { minX, maxX, minY, maxY };
}

function toPixelBounds(grid: PixelGrid, b: { minX: number; maxX: number; minY: number; maxY: number }): Bounds | null {
  const i0 = Math.max(0, Math.floor((b.minX - grid.originXmm) / grid.stepXmm - 1));
  const i1 = Math.min(grid.columns, Math.ceil((b.maxX - grid.originXmm) / grid.stepXmm + 1));
  const j0 = Math.max(0, Math.floor((b.minY - grid.originYmm) / grid.stepYmm - 1));
  const j1 = Math.min(grid.rows, Math.ceil((b.maxY - grid.originYmm) / grid.stepYmm + 1));
  return i0 < i1 && j0 < j1 ? { i0, i1, j0, j1 } : null;
}

function union(a: Bounds | null, b: Bounds | null): Bounds | null {
  if (!a) return b;
  if (!b) return a;
  return { i0: Math.min(a.i0, b.i0), i1: Math.max(a.i1, b.i1), j0: Math.min(a.j0, b.j0), j1: Math.max(a.j1, b.j1) };
}

/** Output of one part on one pixel: outer path length, inner path length, inner μ·length. */
type Sink = (i: number, j: number, outer: number, inner: number, innerAtt: number) => void;

/** Factor in [0, 1] for the clip half-planes, with a one-pixel ramp so cut edges are anti-aliased. */
function clipFactor(clips: HalfPlane[] | undefined, norms: number[], x: number, y: number, ramp: number): number {
  if (!clips) return 1;
  let f = 1;
  for (let c = 0; c < clips.length; c++) {
    const h = clips[c]!;
    const s = ((x - h.point.x) * h.normal.x + (y - h.point.y) * h.normal.y) / norms[c]!;
    if (s <= -ramp / 2) return 0;
    if (s < ramp / 2) f *= s / ramp + 0.5;
  }
  return f;
}

function rasteriseTube(p: TubePart, grid: PixelGrid, xs: Float64Array, ys: Float64Array, b: Bounds, sink: Sink): void {
  const n = p.points.length;
  const k = p.depthRatio ?? 1;
  const hasInner = p.cortex !== undefined;
  const segs = n === 1 ? 1 : n - 1;
  const ax = new Float64Array(segs);
  const ay = new Float64Array(segs);
  const dx = new Float64Array(segs);
  const dy = new Float64Array(segs);
  const inv = new Float64Array(segs);
  for (let s = 0; s < segs; s++) {
    const a = p.points[s]!;
    const e = p.points[Math.min(s + 1, n - 1)]!;
    ax[s] = a.x;
    ay[s] = a.y;
    dx[s] = e.x - a.x;
    dy[s] = e.y - a.y;
    const l2 = dx[s]! * dx[s]! + dy[s]! * dy[s]!;
    inv[s] = l2 > 0 ? 1 / l2 : 0;
  }
  const r = p.radii;
  const c = p.cortex;
  const mu = p.innerMu;
  const clipNorms = (p.clips ?? []).map((h) => Math.hypot(h.normal.x, h.normal.y));
  const ramp = Math.min(grid.stepXmm, grid.stepYmm);
  // Per-segment extents, so each row only visits the segments (and columns) it can touch.
  const segMinX = new Float64Array(segs);
  const segMaxX = new Float64Array(segs);
  const segMinY = new Float64Array(segs);
  const segMaxY = new Float64Array(segs);
  for (let s = 0; s < segs; s++) {
    const rMax = Math.max(r[s]!, r[Math.min(s + 1, n - 1)]!);
    segMinX[s] = Math.min(ax[s]!, ax[s]! + dx[s]!) - rMax;
    segMaxX[s] = Math.max(ax[s]!, ax[s]! + dx[s]!) + rMax;
    segMinY[s] = Math.min(ay[s]!, ay[s]! + dy[s]!) - rMax;
    segMaxY[s] = Math.max(ay[s]!, ay[s]! + dy[s]!) + rMax;
  }
  const active = new Int32Array(segs);
  for (let j = b.j0; j < b.j1; j++) {
    const y = ys[j]!;
    let nActive = 0;
    let rowMinX = Infinity;
    let rowMaxX = -Infinity;
    for (let s = 0; s < segs; s++) {
      if (y < segMinY[s]! || y > segMaxY[s]!) continue;
      active[nActive++] = s;
      if (segMinX[s]! < rowMinX) rowMinX = segMinX[s]!;
      if (segMaxX[s]! > rowMaxX) rowMaxX = segMaxX[s]!;
    }
    if (nActive === 0) continue;
    const iStart = Math.max(b.i0, Math.floor((rowMinX - grid.originXmm) / grid.stepXmm - 1));
    const iEnd = Math.min(b.i1, Math.ceil((rowMaxX - grid.originXmm) / grid.stepXmm + 1));
    for (let i = iStart; i < iEnd; i++) {
      const x = xs[i]!;
      let best = 0;
      let bestSeg = -1;
      let bestT = 0;
      for (let q = 0; q < nActive; q++) {
        const s = active[q]!;
        const px = x - ax[s]!;
        const py = y - ay[s]!;
        let t = (px * dx[s]! + py * dy[s]!) * inv[s]!;
        if (t < 0) t = 0;
        else if (t > 1) t = 1;
        const qx = px - t * dx[s]!;
        const qy = py - t * dy[s]!;
        const rr = r[s]! + t * (r[Math.min(s + 1, n - 1)]! - r[s]!);
        const v = rr * rr - qx * qx - qy * qy;
        if (v > best) {
          best = v;
          bestSeg = s;
          bestT = t;
        }
      }
      if (bestSeg < 0) continue;
      const f = clipFactor(p.clips, clipNorms, x, y, ramp);
      if (f === 0) continue;
      const rr = r[bestSeg]! + bestT * (r[Math.min(bestSeg + 1, n - 1)]! - r[bestSeg]!);
      const outer = p.flat ? 2 * k * rr * f : 2 * k * Math.sqrt(best) * f;
      let inner = 0;
      let innerAtt = 0;
      if (hasInner) {
        const s1 = Math.min(bestSeg + 1, n - 1);
        const cc = c![bestSeg]! + bestT * (c![s1]! - c![bestSeg]!);
        const ri = rr - cc;
        const vi = ri * ri - (rr * rr - best);
        if (ri > 0 && vi > 0) {
          inner = 2 * k * Math.sqrt(vi) * f;
          const m = mu ? mu[bestSeg]! + bestT * (mu[s1]! - mu[bestSeg]!) : 0;
          innerAtt = inner * m;
        }
      }
      sink(i, j, outer, inner, innerAtt);
    }
  }
}

function rasteriseEllipsoid(p: EllipsoidPart, grid: PixelGrid, xs: Float64Array, ys: Float64Array, b: Bounds, sink: Sink): void {
  const ux = p.axisU.x;
  const uy = p.axisU.y;
  const ia2 = 1 / (p.a * p.a);
  const ib2 = 1 / (p.b * p.b);
  const s = p.shell ?? 0;
  const hasInner = s > 0 && s < Math.min(p.a, p.b, p.c);
  const ja2 = hasInner ? 1 / ((p.a - s) * (p.a - s)) : 0;
  const jb2 = hasInner ? 1 / ((p.b - s) * (p.b - s)) : 0;
  const clipNorms = (p.clips ?? []).map((h) => Math.hypot(h.normal.x, h.normal.y));
  const ramp = Math.min(grid.stepXmm, grid.stepYmm);
  for (let j = b.j0; j < b.j1; j++) {
    const y = ys[j]! - p.centre.y;
    for (let i = b.i0; i < b.i1; i++) {
      const x = xs[i]! - p.centre.x;
      const u = x * ux + y * uy;
      const v = -x * uy + y * ux;
      const q = 1 - u * u * ia2 - v * v * ib2;
      if (q <= 0) continue;
      const f = clipFactor(p.clips, clipNorms, xs[i]!, ys[j]!, ramp);
      if (f === 0) continue;
      const outer = 2 * p.c * Math.sqrt(q) * f;
      let inner = 0;
      if (hasInner) {
        const qi = 1 - u * u * ja2 - v * v * jb2;
        if (qi > 0) inner = 2 * (p.c - s) * Math.sqrt(qi) * f;
      }
      sink(i, j, outer, inner, inner * (p.innerMu ?? 0));
    }
  }
}

function rasterise(p: Part, grid: PixelGrid, xs: Float64Array, ys: Float64Array, b: Bounds, sink: Sink): void {
  if (p.kind === 'tube') rasteriseTube(p, grid, xs, ys, b, sink);
  else rasteriseEllipsoid(p, grid, xs, ys, b, sink);
}

/** Patient-plane x (and y) of every pixel centre. */
export function pixelCentres(grid: PixelGrid): { xs: Float64Array; ys: Float64Array } {
  const xs = new Float64Array(grid.columns);
  const ys = new Float64Array(grid.rows);
  for (let i = 0; i < grid.columns; i++) xs[i] = grid.originXmm + (i + 0.5) * grid.stepXmm;
  for (let j = 0; j < grid.rows; j++) ys[j] = grid.originYmm + (j + 0.5) * grid.stepYmm;
  return { xs, ys };
}

/** Accumulates Σ μ·path length of every group into a new attenuation image. */
export function renderAttenuation(grid: PixelGrid, groups: Group[]): Float32Array {
  const W = grid.columns;
  const att = new Float32Array(W * grid.rows);
  const { xs, ys } = pixelCentres(grid);
  let scratch = new Float32Array(0);
  for (const group of groups) {
    const mu = group.mu;
    const bounds = group.parts.map((p) => toPixelBounds(grid, partBoundsMm(p)));
    if (group.mode === 'max') {
      group.parts.forEach((part, k) => {
        const b = bounds[k];
        if (!b) return;
        rasterise(part, grid, xs, ys, b, (i, j, outer, inner, innerAtt) => {
          const v = mu * (outer - inner) + innerAtt;
          const at = j * W + i;
          if (v > att[at]!) att[at] = v;
        });
      });
      continue;
    }
    if (group.parts.length === 1) {
      const b = bounds[0];
      if (!b) continue;
      rasterise(group.parts[0]!, grid, xs, ys, b, (i, j, outer, inner, innerAtt) => {
        const at = j * W + i;
        att[at] = att[at]! + mu * (outer - inner) + innerAtt;
      });
      continue;
    }
    let gb: Bounds | null = null;
    for (const b of bounds) gb = union(gb, b);
    if (!gb) continue;
    const g = gb;
    const w = g.i1 - g.i0;
    const n = w * (g.j1 - g.j0);
    if (scratch.length < 3 * n) scratch = new Float32Array(3 * n);
    const s = scratch;
    s.fill(0, 0, 3 * n);
    group.parts.forEach((part, k) => {
      const b = bounds[k];
      if (!b) return;
      rasterise(part, grid, xs, ys, b, (i, j, outer, inner, innerAtt) => {
        const p = (j - g.j0) * w + (i - g.i0);
        if (outer > s[p]!) s[p] = outer;
        if (inner > s[n + p]!) s[n + p] = inner;
        if (innerAtt > s[2 * n + p]!) s[2 * n + p] = innerAtt;
      });
    });
    for (let j = g.j0; j < g.j1; j++) {
      const rowS = (j - g.j0) * w - g.i0;
      const rowImg = j * W;
      for (let i = g.i0; i < g.i1; i++) {
        const p = rowS + i;
        const outer = s[p]!;
        if (outer === 0) continue;
        att[rowImg + i] = att[rowImg + i]! + mu * (outer - s[n + p]!) + s[2 * n + p]!;
      }
    }
  }
  return att;
}
