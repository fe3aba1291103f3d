// The simulated correction (issue 5): the film itself cut along each osteotomy line and the moved
// fragment rotated about its hinge, as a surgeon cuts a printed film — the canvas recipe of
// shared/planning/README.md. The source is cornerstone's windowed full-resolution image (its
// render canvas, one canvas pixel per image pixel) so the view's window, invert, zoom, rotation
// and flips all apply; `sourceToImage` also admits the viewport canvas itself as a fallback.
import { composeAffine, type Affine, type PlanDisplayGeometry } from '../../../shared/planning/display-geometry';

/** The parts of CanvasRenderingContext2D this uses (a recording fake in the unit tests). */
export interface SimulationContext {
  fillStyle: string | CanvasGradient | CanvasPattern;
  imageSmoothingEnabled: boolean;
  save(): void;
  restore(): void;
  setTransform(a: number, b: number, c: number, d: number, e: number, f: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  clip(): void;
  fill(): void;
  drawImage(image: CanvasImageSource, dx: number, dy: number): void;
}

export interface SimulationInput {
  source: CanvasImageSource;
  /** Source pixel → image pixel (identity for cornerstone's render canvas). */
  sourceToImage: Affine;
  /** The viewer projection (projection.pixelToCanvasTransform). */
  imageToCanvas: Affine;
  geometry: PlanDisplayGeometry;
  canvasSize: { width: number; height: number };
  /** cornerstone draws with smoothing unless pixel replication is on; match it so the still part is identical. */
  smoothing: boolean;
}

const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

function path(ctx: SimulationContext, polygon: readonly { x: number; y: number }[]) {
  ctx.beginPath();
  polygon.forEach((p, i) => (i === 0 ? ctx.moveTo(p.x, p.y) : ctx.lineTo(p.x, p.y)));
  ctx.closePath();
}

/** Draws the corrected film over the whole canvas (opaque: the opened gap shows as black, like the background). */
export function drawSimulatedCorrection(ctx: SimulationContext, input: SimulationInput): void {
  const { source, sourceToImage, imageToCanvas, geometry, canvasSize } = input;
  ctx.save();
  ctx.setTransform(...IDENTITY);
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvasSize.width, canvasSize.height);
  ctx.restore();
  ctx.imageSmoothingEnabled = input.smoothing;

  // The film as it stays, with each moved fragment blanked where it was: what the rotation does
  // not cover again is the opened gap, black like the background.
  ctx.save();
  ctx.setTransform(...composeAffine(imageToCanvas, sourceToImage));
  ctx.drawImage(source, 0, 0);
  ctx.setTransform(...imageToCanvas);
  ctx.fillStyle = '#000';
  for (const cut of geometry.cuts) {
    if (cut.fragment.polygon.length < 3) continue;
    path(ctx, cut.fragment.polygon);
    ctx.fill();
  }
  ctx.restore();

  // Each moved fragment, clipped in its own (pre-op) pixels and drawn through its rotation.
  for (const cut of geometry.cuts) {
    if (cut.fragment.polygon.length < 3) continue;
    const moved = composeAffine(imageToCanvas, cut.fragment.transform);
    ctx.save();
    ctx.setTransform(...moved);
    path(ctx, cut.fragment.polygon);
    ctx.clip();
    ctx.setTransform(...composeAffine(moved, sourceToImage));
    ctx.drawImage(source, 0, 0);
    ctx.restore();
  }
}
