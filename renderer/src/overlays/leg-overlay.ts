// The measuring overlay as plain primitives in canvas pixels (architecture.md §4: overlays map
// stored pixel points through projection.ts on every render, so they stay crisp at any zoom).
// Built from the landmark set and the engine's result; pure, so it is unit-tested in Node.
import type { LandmarkId } from '../../../shared/landmarks/ids';
import type { LegAlignment } from '../../../shared/measurements/leg-alignment';
import { fixed1 } from '../../../shared/measurements/format';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { HandleRef } from '../screens/measure/landmark-store';
import { placeLabels, type PlacedLabel } from './label-placement';
import { OVERLAY_COLOURS as C } from './palette';

export interface Pt {
  x: number;
  y: number;
}

export const LAYERS = [
  { id: 'landmarks', label: 'Landmarks' },
  { id: 'axes', label: 'Mechanical axes' },
  { id: 'joints', label: 'Joint lines' },
  { id: 'wbl', label: 'WBL point and MAD' },
  { id: 'angles', label: 'Angles' },
  { id: 'head', label: 'Femoral head circle' },
  { id: 'calibration', label: 'Calibration marker' },
] as const;
export type LayerId = (typeof LAYERS)[number]['id'];
/** Primitives of the plan screen (osteotomy, wedge, new axis) sit on their own layer. */
export type PrimitiveLayer = LayerId | 'plan';

export type Primitive =
  | { kind: 'line'; key: string; layer: PrimitiveLayer; a: Pt; b: Pt; colour: string; width: number; dash?: string }
  | { kind: 'polyline'; key: string; layer: PrimitiveLayer; points: Pt[]; colour: string; width: number; closed: boolean; dash?: string; fill?: string }
  | { kind: 'marker'; key: string; layer: PrimitiveLayer; at: Pt; colour: string; shape: 'cross' | 'diamond' };

/** A draggable point; R says what it moves (a landmark here, a hinge or cut entry on the plan screen). */
export interface Handle<R = HandleRef> {
  key: string;
  ref: R;
  at: Pt;
  /** Image pixel position, for tests and the loupe. */
  pixel: Pt;
  colour: string;
  radius: number;
  selected: boolean;
  title: string;
}

export interface OverlayScene<R = HandleRef> {
  primitives: Primitive[];
  handles: Handle<R>[];
  labels: (PlacedLabel & { layer: PrimitiveLayer; colour: string; measure: string | null })[];
}

export interface OverlayInput {
  set: LandmarkSet;
  alignment: LegAlignment | null;
  toCanvas(p: Pt): Pt;
  bounds: { width: number; height: number };
  layers: ReadonlySet<LayerId>;
  selected: HandleRef | null;
  /** Calibration clicks not yet applied (line ends or sphere contour). */
  pendingCalibration: readonly Pt[];
  labelFor(id: string): string;
}

export const HANDLE_RADIUS = 5;
const CONTOUR_RADIUS = 4;
const ARC_RADIUS = 26;
const MAX_ARC_RADIUS = 110;

const sameRef = (a: HandleRef | null, b: HandleRef) =>
  !!a && a.kind === b.kind && (a.kind === 'landmark' ? a.id === (b as { id: LandmarkId }).id : (a as { index: number }).index === (b as { index: number }).index);

const sub = (a: Pt, b: Pt): Pt => ({ x: a.x - b.x, y: a.y - b.y });
const len = (v: Pt) => Math.hypot(v.x, v.y);
const unit = (v: Pt): Pt => {
  const l = len(v);
  return l > 0 ? { x: v.x / l, y: v.y / l } : { x: 0, y: 0 };
};

/** Where line a1–a2 meets line b1–b2 (canvas space), or null when parallel. */
export function intersect(a1: Pt, a2: Pt, b1: Pt, b2: Pt): Pt | null {
  const r = sub(a2, a1);
  const s = sub(b2, b1);
  const den = r.x * s.y - r.y * s.x;
  if (Math.abs(den) < 1e-9) return null;
  const t = ((b1.x - a1.x) * s.y - (b1.y - a1.y) * s.x) / den;
  return { x: a1.x + t * r.x, y: a1.y + t * r.y };
}

/** Arc polyline at `v` from direction d1 to d2 the short way round, radius r (canvas pixels). */
export function arcPoints(v: Pt, d1: Pt, d2: Pt, r = ARC_RADIUS, steps = 24): Pt[] {
  const a1 = Math.atan2(d1.y, d1.x);
  let delta = Math.atan2(d2.y, d2.x) - a1;
  while (delta > Math.PI) delta -= 2 * Math.PI;
  while (delta < -Math.PI) delta += 2 * Math.PI;
  const pts: Pt[] = [];
  for (let i = 0; i <= steps; i++) {
    const a = a1 + (delta * i) / steps;
    pts.push({ x: v.x + r * Math.cos(a), y: v.y + r * Math.sin(a) });
  }
  return pts;
}

const extend = (a: Pt, b: Pt, f: number): [Pt, Pt] => {
  const d = sub(b, a);
  return [
    { x: a.x - d.x * f, y: a.y - d.y * f },
    { x: b.x + d.x * f, y: b.y + d.y * f },
  ];
};

const HANDLE_COLOUR: Partial<Record<LandmarkId, string>> = {
  femoralCondyleMedial: C.condylarLine,
  femoralCondyleLateral: C.condylarLine,
  tibialPlateauMedial: C.plateauLine,
  tibialPlateauLateral: C.plateauLine,
  plafondMedial: C.plafondLine,
  plafondLateral: C.plafondLine,
  kneeCentre: C.mechanicalAxis,
  ankleCentre: C.mechanicalAxis,
  femoralHeadCentre: C.mechanicalAxis,
};

export function buildOverlay(input: OverlayInput): OverlayScene {
  const { set, alignment, toCanvas, layers } = input;
  const prims: Primitive[] = [];
  const handles: Handle[] = [];
  const labelReqs: { key: string; anchor: Pt; text: string; layer: LayerId; colour: string; measure: string | null; direction?: Pt }[] = [];
  const show = (l: LayerId) => layers.has(l);
  const px = (id: LandmarkId): Pt | null => {
    const p = set.landmarks[id];
    return p ? toCanvas(p) : null;
  };
  const key = alignment?.keyPoints;
  const H = key?.femoralHeadCentre.available ? toCanvas(key.femoralHeadCentre.pixel) : null;
  const K = key?.kneeCentre.available ? toCanvas(key.kneeCentre.pixel) : null;
  const A = key?.ankleCentre.available ? toCanvas(key.ankleCentre.pixel) : null;
  const m = alignment?.measurements;
  const value = (id: keyof NonNullable<typeof m>) => (m && m[id].value !== null ? m[id] : null);

  // Head circle: the fitted circle is an ellipse in pixels when pixels are not square; sampled and
  // mapped point by point so any view rotation or flip is honoured.
  const circle = alignment?.femoralHeadCircle;
  if (circle && show('head')) {
    const pts: Pt[] = [];
    for (let i = 0; i < 72; i++) {
      const a = (i / 72) * 2 * Math.PI;
      pts.push(toCanvas({ x: circle.centre.x + circle.radiusXPx * Math.cos(a), y: circle.centre.y + circle.radiusYPx * Math.sin(a) }));
    }
    prims.push({ kind: 'polyline', key: 'head-circle', layer: 'head', points: pts, colour: C.headCircle, width: 1.5, closed: true });
  }
  if (H) prims.push({ kind: 'marker', key: 'H', layer: 'axes', at: H, colour: C.mechanicalAxis, shape: 'cross' });
  if (K && set.variants.kneeCentre === 'plateau-midpoint') prims.push({ kind: 'marker', key: 'K', layer: 'axes', at: K, colour: C.mechanicalAxis, shape: 'cross' });
  if (A && !set.landmarks.ankleCentre) prims.push({ kind: 'marker', key: 'A', layer: 'axes', at: A, colour: C.mechanicalAxis, shape: 'cross' });

  if (show('axes')) {
    if (H && K) prims.push({ kind: 'line', key: 'femoral-axis', layer: 'axes', a: H, b: K, colour: C.femoralAxis, width: 1.5 });
    if (K && A) prims.push({ kind: 'line', key: 'tibial-axis', layer: 'axes', a: K, b: A, colour: C.tibialAxis, width: 1.5 });
    if (H && A) prims.push({ kind: 'line', key: 'mechanical-axis', layer: 'axes', a: H, b: A, colour: C.mechanicalAxis, width: 2, dash: '10 5' });
  }

  const condM = px('femoralCondyleMedial');
  const condL = px('femoralCondyleLateral');
  const platM = px('tibialPlateauMedial');
  const platL = px('tibialPlateauLateral');
  const plafM = px('plafondMedial');
  const plafL = px('plafondLateral');
  if (show('joints')) {
    if (condM && condL) {
      const [a, b] = extend(condM, condL, 0.25);
      prims.push({ kind: 'line', key: 'condylar-line', layer: 'joints', a, b, colour: C.condylarLine, width: 1.5 });
    }
    if (platM && platL) {
      const [a, b] = extend(platM, platL, 0.25);
      prims.push({ kind: 'line', key: 'plateau-line', layer: 'joints', a, b, colour: C.plateauLine, width: 1.5 });
    }
    if (plafM && plafL) {
      const [a, b] = extend(plafM, plafL, 0.35);
      prims.push({ kind: 'line', key: 'plafond-line', layer: 'joints', a, b, colour: C.plafondLine, width: 1.5 });
    }
  }

  if (show('wbl') && alignment?.wblPoint) {
    const w = toCanvas(alignment.wblPoint);
    prims.push({ kind: 'marker', key: 'wbl-point', layer: 'wbl', at: w, colour: C.wbl, shape: 'diamond' });
    const wbl = value('wbl');
    if (wbl) labelReqs.push({ key: 'wbl', anchor: w, text: `WBL ${fixed1(wbl.value!)} %`, layer: 'wbl', colour: C.wbl, measure: 'wbl' });
  }
  if (show('wbl') && H && A && K) {
    // MAD: the perpendicular from K to H–A. The canvas is aspect-corrected, so a right angle here is one in mm.
    const d = unit(sub(A, H));
    const t = (K.x - H.x) * d.x + (K.y - H.y) * d.y;
    const foot = { x: H.x + t * d.x, y: H.y + t * d.y };
    prims.push({ kind: 'line', key: 'mad', layer: 'wbl', a: K, b: foot, colour: C.wbl, width: 2 });
    const mad = m?.mad;
    const text = mad && mad.value !== null ? `MAD ${mad.display.replace(/ \([^)]*\)$/, '')}` : mad?.errorCode === 'CALIBRATION_REQUIRED' ? 'MAD: calibrate' : null;
    if (text) labelReqs.push({ key: 'mad', anchor: { x: (K.x + foot.x) / 2, y: (K.y + foot.y) / 2 }, text, layer: 'wbl', colour: C.wbl, measure: 'mad' });
  }

  if (show('angles')) {
    const arc = (id: string, vertex: Pt | null, towards1: Pt | null, towards2: Pt | null, text: string | null, colour: string, sizeFrom: number) => {
      if (!vertex || !towards1 || !towards2 || !text) return;
      const d1 = unit(sub(towards1, vertex));
      const d2 = unit(sub(towards2, vertex));
      if (!len(d1) || !len(d2)) return;
      // Arcs grow with the zoom up to a limit, so a close-up shows them clearly and fit stays tidy.
      const r = Math.min(MAX_ARC_RADIUS, Math.max(ARC_RADIUS, sizeFrom * 0.45));
      prims.push({ kind: 'polyline', key: `arc-${id}`, layer: 'angles', points: arcPoints(vertex, d1, d2, r), colour, width: 1.5, closed: false });
      const mid = unit({ x: d1.x + d2.x, y: d1.y + d2.y });
      const anchor = len(mid) ? { x: vertex.x + mid.x * r, y: vertex.y + mid.y * r } : vertex;
      labelReqs.push({ key: id, anchor, text, layer: 'angles', colour, measure: id, direction: len(mid) ? mid : undefined });
    };
    const deg = (id: 'hka' | 'mldfa' | 'mpta' | 'ldta' | 'mlpfa' | 'jlca', name: string) => {
      const v = value(id);
      if (!v) return null;
      return id === 'hka' ? `HKA ${fixed1(180 + v.value!)}°` : `${name} ${fixed1(v.value!)}°`;
    };
    // HKA at K: between the femoral axis carried on beyond K and the tibial axis.
    const dist = (a: Pt | null, b: Pt | null) => (a && b ? len(sub(a, b)) : 0);
    if (H && K && A) arc('hka', K, { x: 2 * K.x - H.x, y: 2 * K.y - H.y }, A, deg('hka', 'HKA'), C.mechanicalAxis, dist(platM, platL) * 0.8);
    if (H && K && condM && condL) {
      const v = intersect(H, K, condM, condL);
      arc('mldfa', v, H, condL, deg('mldfa', 'mLDFA'), C.condylarLine, dist(v, condL));
    }
    if (K && A && platM && platL) {
      const v = intersect(K, A, platM, platL);
      arc('mpta', v, A, platM, deg('mpta', 'MPTA'), C.plateauLine, dist(v, platM));
    }
    if (K && A && plafM && plafL) {
      const v = intersect(K, A, plafM, plafL);
      arc('ldta', v, K, plafL, deg('ldta', 'LDTA'), C.plafondLine, dist(v, plafL));
    }
    const gt = px('greaterTrochanterTip');
    if (H && K && gt) arc('mlpfa', H, K, gt, deg('mlpfa', 'mLPFA'), C.femoralAxis, dist(H, gt));
    const jlca = deg('jlca', 'JLCA');
    if (jlca && condL && platL) {
      labelReqs.push({ key: 'jlca', anchor: { x: (condL.x + platL.x) / 2, y: (condL.y + platL.y) / 2 }, text: jlca, layer: 'angles', colour: C.condylarLine, measure: 'jlca' });
    }
  }

  if (show('landmarks')) {
    for (const [id, p] of Object.entries(set.landmarks) as [LandmarkId, { x: number; y: number }][]) {
      const ref: HandleRef = { kind: 'landmark', id };
      handles.push({ key: `lm-${id}`, ref, at: toCanvas(p), pixel: { x: p.x, y: p.y }, colour: HANDLE_COLOUR[id] ?? C.handle, radius: HANDLE_RADIUS, selected: sameRef(input.selected, ref), title: input.labelFor(id) });
    }
    set.femoralHeadContour.forEach((p, index) => {
      const ref: HandleRef = { kind: 'contour', index };
      handles.push({ key: `contour-${index}`, ref, at: toCanvas(p), pixel: { x: p.x, y: p.y }, colour: C.headCircle, radius: CONTOUR_RADIUS, selected: sameRef(input.selected, ref), title: `Femoral head contour point ${index + 1}` });
    });
  }
  const cal = set.userCalibration;
  if (show('calibration')) {
    if (cal) {
      const pts = cal.kind === 'line' ? [cal.from, cal.to] : cal.points;
      pts.forEach((p, index) => {
        const ref: HandleRef = { kind: 'calibration', index };
        handles.push({ key: `cal-${index}`, ref, at: toCanvas(p), pixel: { x: p.x, y: p.y }, colour: C.calibration, radius: CONTOUR_RADIUS, selected: sameRef(input.selected, ref), title: `Calibration point ${index + 1}` });
      });
      if (cal.kind === 'line') prims.push({ kind: 'line', key: 'cal-line', layer: 'calibration', a: toCanvas(cal.from), b: toCanvas(cal.to), colour: C.calibration, width: 1.5 });
    }
    input.pendingCalibration.forEach((p, i) => prims.push({ kind: 'marker', key: `cal-pending-${i}`, layer: 'calibration', at: toCanvas(p), colour: C.calibration, shape: 'cross' }));
    if (input.pendingCalibration.length === 2) {
      prims.push({ kind: 'line', key: 'cal-pending-line', layer: 'calibration', a: toCanvas(input.pendingCalibration[0]!), b: toCanvas(input.pendingCalibration[1]!), colour: C.calibration, width: 1.5, dash: '4 3' });
    }
  }

  const obstacles = handles.map((h) => ({ x: h.at.x, y: h.at.y, r: h.radius + 4 }));
  if (H) obstacles.push({ x: H.x, y: H.y, r: 8 });
  if (K) obstacles.push({ x: K.x, y: K.y, r: 8 });
  if (A) obstacles.push({ x: A.x, y: A.y, r: 8 });
  const placed = placeLabels(labelReqs, obstacles, { x: 0, y: 0, width: input.bounds.width, height: input.bounds.height });
  const labels = placed.map((p, i) => ({ ...p, layer: labelReqs[i]!.layer, colour: labelReqs[i]!.colour, measure: labelReqs[i]!.measure }));
  return { primitives: prims, handles, labels };
}

/** The handle under a canvas point (nearest within its radius plus a touch margin), or null. */
export function hitTest<R>(handles: readonly Handle<R>[], p: Pt, margin = 4): Handle<R> | null {
  let best: Handle<R> | null = null;
  let bestD = Infinity;
  for (const h of handles) {
    const d = Math.hypot(h.at.x - p.x, h.at.y - p.y);
    if (d <= h.radius + margin && d < bestD) {
      best = h;
      bestD = d;
    }
  }
  return best;
}
