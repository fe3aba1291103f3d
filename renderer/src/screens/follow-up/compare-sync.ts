// The compare view's shared view (clinical-spec §6: films "compared side by side at the same
// physical scale, aligned on a chosen landmark"). One state for all films: canvas pixels per mm
// and where the alignment landmark sits relative to the canvas centre. Each film's cornerstone
// scale and translation are solved from it through projection.ts, so a length in mm spans the
// same canvas pixels on every film whatever its pixel spacing, and pan/zoom on one moves all.
// Pure: no DOM, no cornerstone.
import * as projection from '../../viewer/projection';
import type { Point, ViewState } from '../../viewer/projection';

export interface SharedView {
  /** Canvas pixels per millimetre in the patient plane. */
  pxPerMm: number;
  /** Where the alignment landmark lies, in canvas pixels from the canvas centre. */
  anchorOffset: Point;
}

export interface FilmScale {
  /** mm per pixel between rows (Δy) and between columns (Δx), from the film's calibration (clinical-spec §4). */
  rowSpacingMm: number;
  columnSpacingMm: number;
  /** The alignment landmark in image pixels (knee centre by default). */
  anchorPx: Point;
}

/** Canvas pixels per mm along the image's columns (x) for this view and calibration. */
export function canvasPxPerMm(view: ViewState, film: Pick<FilmScale, 'columnSpacingMm'>): number {
  const m = projection.pixelToCanvasTransform(view);
  return Math.hypot(m[0], m[1]) / film.columnSpacingMm;
}

/** The shared state a film's current view stands for. */
export function sharedFromView(view: ViewState, film: FilmScale): SharedView {
  const at = projection.pixelToCanvas(view, film.anchorPx);
  return { pxPerMm: canvasPxPerMm(view, film), anchorOffset: { x: at.x - view.canvasWidth / 2, y: at.y - view.canvasHeight / 2 } };
}

/** The cornerstone scale and translation that show `film` in the shared state. */
export function viewForShared(view: ViewState, film: FilmScale, shared: SharedView): { scale: number; translation: Point } {
  // Canvas size is linear in cornerstone's scale, so one ratio gives the scale exactly.
  const scale = (view.scale * shared.pxPerMm) / canvasPxPerMm(view, film);
  const scaled: ViewState = { ...view, scale };
  const target = { x: view.canvasWidth / 2 + shared.anchorOffset.x, y: view.canvasHeight / 2 + shared.anchorOffset.y };
  return { scale, translation: projection.translationPlacing(scaled, film.anchorPx, target) };
}

/** Equal within float noise: a film brought to the shared state reports it back, and nothing loops. */
export function sameShared(a: SharedView, b: SharedView): boolean {
  return (
    Math.abs(a.pxPerMm - b.pxPerMm) <= 1e-7 * Math.max(a.pxPerMm, b.pxPerMm) &&
    Math.abs(a.anchorOffset.x - b.anchorOffset.x) < 1e-3 &&
    Math.abs(a.anchorOffset.y - b.anchorOffset.y) < 1e-3
  );
}

/**
 * The spacing an uncalibrated film is drawn with: the median of the calibrated films' spacing (so
 * it is at least near the others), or 1 mm per pixel when none is calibrated. The screen flags it.
 */
export function standInSpacing(calibrated: readonly { rowSpacingMm: number; columnSpacingMm: number }[]): { rowSpacingMm: number; columnSpacingMm: number } {
  if (calibrated.length === 0) return { rowSpacingMm: 1, columnSpacingMm: 1 };
  const median = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    const mid = Math.floor(s.length / 2);
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  return { rowSpacingMm: median(calibrated.map((c) => c.rowSpacingMm)), columnSpacingMm: median(calibrated.map((c) => c.columnSpacingMm)) };
}
