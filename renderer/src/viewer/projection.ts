// The ONE mapping between image pixel coordinates and canvas coordinates (architecture.md §4).
// Landmarks are stored in image pixels (clinical-spec §1: x right, y down, (0,0) the top-left
// corner of the top-left pixel); every overlay, hit-test and interaction goes through here.
// It reproduces cornerstone-core 2.6's calculateTransform (rotation, non-square pixels, pan,
// flips) as a pure function of the view state, so it is testable without a browser and the e2e
// test checks it against cornerstone's own pixelToCanvas in Chromium.
// Pure: no DOM, no cornerstone import.

export interface Point {
  x: number;
  y: number;
}

export interface ViewState {
  /** Canvas backing-store size in canvas pixels. */
  canvasWidth: number;
  canvasHeight: number;
  /** Image matrix: columns (width) and rows (height). */
  columns: number;
  rows: number;
  /** mm per pixel between rows (Δy) and between columns (Δx); absent = square pixels. */
  rowPixelSpacing?: number | null;
  columnPixelSpacing?: number | null;
  /** cornerstone viewport fields. Translation is in image pixels, applied before rotation. */
  scale: number;
  translation: Point;
  /** Degrees, clockwise on screen. */
  rotation: number;
  hflip: boolean;
  vflip: boolean;
}

/** Affine transform as [a, b, c, d, e, f]: x' = a·x + c·y + e, y' = b·x + d·y + f (canvas 2D order). */
export type Affine = [number, number, number, number, number, number];

const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

function multiply(m: Affine, n: Affine): Affine {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}
const translate = (m: Affine, x: number, y: number): Affine => multiply(m, [1, 0, 0, 1, x, y]);
const scale = (m: Affine, sx: number, sy: number): Affine => multiply(m, [sx, 0, 0, sy, 0, 0]);
function rotate(m: Affine, rad: number): Affine {
  const c = Math.cos(rad);
  const s = Math.sin(rad);
  return multiply(m, [c, s, -s, c, 0, 0]);
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[2] * p.y + m[4], y: m[1] * p.x + m[3] * p.y + m[5] };
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[3] - m[1] * m[2];
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) throw new Error('The view transform is not invertible (scale 0?).');
  const a = m[3] / det;
  const b = -m[1] / det;
  const c = -m[2] / det;
  const d = m[0] / det;
  return [a, b, c, d, -(a * m[4] + c * m[5]), -(b * m[4] + d * m[5])];
}

/** Display stretch for non-square pixels, as cornerstone's presentationSizeMode 'NONE'. */
export function aspectScale(view: Pick<ViewState, 'rowPixelSpacing' | 'columnPixelSpacing'>): Point {
  const r = view.rowPixelSpacing;
  const c = view.columnPixelSpacing;
  if (!r || !c || !(r > 0) || !(c > 0)) return { x: 1, y: 1 };
  if (r < c) return { x: c / r, y: 1 };
  if (c < r) return { x: 1, y: r / c };
  return { x: 1, y: 1 };
}

/** Image pixel -> canvas pixel transform (cornerstone-core calculateTransform, displayedArea = whole image). */
export function pixelToCanvasTransform(view: ViewState): Affine {
  const rad = (view.rotation * Math.PI) / 180;
  const aspect = aspectScale(view);
  let m = translate(IDENTITY, view.canvasWidth / 2, view.canvasHeight / 2);
  if (view.rotation !== 0) m = rotate(m, rad);
  m = scale(m, view.scale * aspect.x, view.scale * aspect.y);
  if (view.rotation !== 0) m = rotate(m, -rad);
  m = translate(m, view.translation.x, view.translation.y);
  if (view.rotation !== 0) m = rotate(m, rad);
  if (view.hflip) m = scale(m, -1, 1);
  if (view.vflip) m = scale(m, 1, -1);
  return translate(m, -view.columns / 2, -view.rows / 2);
}

export function pixelToCanvas(view: ViewState, p: Point): Point {
  return applyAffine(pixelToCanvasTransform(view), p);
}

export function canvasToPixel(view: ViewState, p: Point): Point {
  return applyAffine(invertAffine(pixelToCanvasTransform(view)), p);
}

/** Canvas pixels per image pixel along x (the factor an overlay stroke width is divided by). */
export function canvasPixelsPerImagePixel(view: ViewState): number {
  const m = pixelToCanvasTransform(view);
  return Math.sqrt(Math.abs(m[0] * m[3] - m[1] * m[2]));
}

/** Scale at which the whole (rotated, aspect-corrected) image fits the canvas, times `margin`. */
export function fitScale(view: Omit<ViewState, 'scale' | 'translation'>, margin = 1): number {
  const aspect = aspectScale(view);
  const w = view.columns * aspect.x;
  const h = view.rows * aspect.y;
  const rad = (view.rotation * Math.PI) / 180;
  const bw = Math.abs(w * Math.cos(rad)) + Math.abs(h * Math.sin(rad));
  const bh = Math.abs(w * Math.sin(rad)) + Math.abs(h * Math.cos(rad));
  if (!(bw > 0 && bh > 0 && view.canvasWidth > 0 && view.canvasHeight > 0)) return 1;
  return Math.min(view.canvasWidth / bw, view.canvasHeight / bh) * margin;
}

/**
 * The translation change that moves the image by `canvasDelta` on screen. Canvas position is
 * affine in the translation, so two probe points give the exact linear map to invert.
 */
export function translationForCanvasDelta(view: ViewState, canvasDelta: Point): Point {
  const probe = { x: 0, y: 0 };
  const base = pixelToCanvas(view, probe);
  const dx = pixelToCanvas({ ...view, translation: { x: view.translation.x + 1, y: view.translation.y } }, probe);
  const dy = pixelToCanvas({ ...view, translation: { x: view.translation.x, y: view.translation.y + 1 } }, probe);
  const a = dx.x - base.x;
  const b = dx.y - base.y;
  const c = dy.x - base.x;
  const d = dy.y - base.y;
  const det = a * d - b * c;
  if (Math.abs(det) < 1e-300) return { ...view.translation };
  const tx = (d * canvasDelta.x - c * canvasDelta.y) / det;
  const ty = (-b * canvasDelta.x + a * canvasDelta.y) / det;
  return { x: view.translation.x + tx, y: view.translation.y + ty };
}

/** Pan: the translation after dragging by `canvasDelta`. */
export function pan(view: ViewState, canvasDelta: Point): Point {
  return translationForCanvasDelta(view, canvasDelta);
}

/**
 * Zoom about a canvas point: the image pixel under `anchor` stays under it. Returns the new
 * scale and translation.
 */
export function zoomAt(view: ViewState, anchor: Point, newScale: number): { scale: number; translation: Point } {
  const pixel = canvasToPixel(view, anchor);
  const zoomed: ViewState = { ...view, scale: newScale };
  const landed = pixelToCanvas(zoomed, pixel);
  const translation = translationForCanvasDelta(zoomed, { x: anchor.x - landed.x, y: anchor.y - landed.y });
  return { scale: newScale, translation };
}

/** Translation that puts image pixel `pixel` at canvas point `at` (used to align for pixel checks). */
export function translationPlacing(view: ViewState, pixel: Point, at: Point): Point {
  const now = pixelToCanvas(view, pixel);
  return translationForCanvasDelta(view, { x: at.x - now.x, y: at.y - now.y });
}

/** Mouse client coordinates -> canvas pixels, for a canvas whose CSS box may differ from its backing store. */
export function clientToCanvas(
  rect: { left: number; top: number; width: number; height: number },
  canvasSize: { width: number; height: number },
  clientX: number,
  clientY: number,
): Point {
  const sx = rect.width > 0 ? canvasSize.width / rect.width : 1;
  const sy = rect.height > 0 ? canvasSize.height / rect.height : 1;
  return { x: (clientX - rect.left) * sx, y: (clientY - rect.top) * sy };
}
