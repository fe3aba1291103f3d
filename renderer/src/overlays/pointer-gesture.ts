// The primary-button gesture on a viewport with draggable overlay handles, shared by the
// measuring and plan screens: press on a handle drags it (keeping the grab offset, so the point
// does not jump to the cursor); press elsewhere is a click unless it moves beyond a few pixels,
// which pans. Every position goes through the viewer's projection (projection.ts).
import type { ViewerController } from '../viewer/DicomViewport';
import * as projection from '../viewer/projection';
import type { Point } from '../viewer/projection';

export const CLICK_SLOP_PX = 4;

export interface GestureHandlers {
  /** Image pixel of the handle under the press, or null for a click/pan. */
  grabbed: Point | null;
  /** Dragging: the handle's new pixel (grab offset applied) and the pointer's canvas position. */
  onDrag?(pixel: Point, canvas: Point, ev: PointerEvent): void;
  onDragEnd?(): void;
  /** A press released without moving: the pixel pressed. */
  onClick?(pixel: Point, ev: PointerEvent): void;
}

/** Takes the pointer over from `e` (pointer capture) until it is released or cancelled. */
export function beginGesture(c: ViewerController, e: PointerEvent, canvasPoint: Point, h: GestureHandlers): void {
  const element = c.element;
  const canvas = element.querySelector('canvas')!;
  const toCanvasPt = (ev: PointerEvent) => projection.clientToCanvas(canvas.getBoundingClientRect(), canvas, ev.clientX, ev.clientY);
  e.preventDefault();
  element.setPointerCapture(e.pointerId);
  const pointerId = e.pointerId;
  let move: (ev: PointerEvent) => void;
  let up: (ev: PointerEvent) => void;
  const finish = () => {
    element.removeEventListener('pointermove', move);
    element.removeEventListener('pointerup', up);
    element.removeEventListener('pointercancel', up);
    if (element.hasPointerCapture(pointerId)) element.releasePointerCapture(pointerId);
  };
  if (h.grabbed) {
    const startPixel = c.canvasToPixel(canvasPoint);
    const offset = { x: h.grabbed.x - startPixel.x, y: h.grabbed.y - startPixel.y };
    move = (ev) => {
      if (ev.pointerId !== pointerId) return;
      const at = toCanvasPt(ev);
      const p = c.canvasToPixel(at);
      h.onDrag?.({ x: p.x + offset.x, y: p.y + offset.y }, at, ev);
    };
    up = (ev) => {
      if (ev.pointerId !== pointerId) return;
      finish();
      h.onDragEnd?.();
    };
  } else {
    const downPixel = c.canvasToPixel(canvasPoint);
    let last = canvasPoint;
    let panning = false;
    move = (ev) => {
      if (ev.pointerId !== pointerId) return;
      const p = toCanvasPt(ev);
      if (!panning && Math.hypot(p.x - canvasPoint.x, p.y - canvasPoint.y) > CLICK_SLOP_PX) panning = true;
      if (panning) {
        c.panBy({ x: p.x - last.x, y: p.y - last.y });
        last = p;
      }
    };
    up = (ev) => {
      if (ev.pointerId !== pointerId) return;
      finish();
      if (!panning && ev.type === 'pointerup') h.onClick?.(downPixel, ev);
    };
  }
  element.addEventListener('pointermove', move);
  element.addEventListener('pointerup', up);
  element.addEventListener('pointercancel', up);
}
