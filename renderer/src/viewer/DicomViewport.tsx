// One cornerstone viewport: loads an image by id, fits it, and turns pointer input into view
// changes through projection.ts (zoom about the cursor, pan, window/level). Every render stamps
// data-image-rendered with the image id: the DOM signal tests and the benchmark wait on.
import type { CornerstoneImage, Viewport } from 'cornerstone-core';
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { OsteoplanApi } from '../api';
import { initCornerstone, loadDicomImage } from './cornerstone-setup';
import * as projection from './projection';
import type { Point, ViewState } from './projection';

export type ViewerTool = 'pan' | 'wl';

export interface ViewSnapshot {
  scale: number;
  translation: Point;
  windowCenter: number;
  windowWidth: number;
  invert: boolean;
  /** Canvas pixels per image pixel, 1 = actual size. */
  zoom: number;
  /** The header's VOI LUT Sequence is in effect (the window values above are then unused). */
  voiLut: boolean;
  /** 0-based frame shown. */
  frame: number;
}

export interface ViewerController {
  readonly element: HTMLDivElement;
  /** The frame on screen. */
  readonly image: CornerstoneImage;
  readonly frame: number;
  view(): ViewState;
  snapshot(): ViewSnapshot;
  fit(): void;
  reset(): void;
  actualSize(): void;
  zoomBy(factor: number, anchor?: Point): void;
  panBy(canvasDelta: Point): void;
  setVoi(windowCenter: number, windowWidth: number): void;
  toggleInvert(): void;
  setViewport(partial: Partial<Viewport>): void;
  /** Image pixel <-> canvas through the shared projection (what overlays use). */
  pixelToCanvas(p: Point): Point;
  canvasToPixel(p: Point): Point;
  /** cornerstone's own mapping, kept for the e2e check that projection.ts agrees with it. */
  cornerstonePixelToCanvas(p: Point): Point;
}

interface Props {
  api: OsteoplanApi;
  imageId: number;
  modality: string | null;
  /** Refused with a clear message when the loader cannot decode it. */
  transferSyntaxUid?: string | null;
  /** 0-based frame to show; changing it keeps zoom, pan and window. */
  frame?: number;
  tool: ViewerTool;
  controllerRef: RefObject<ViewerController | null>;
  onView?(snapshot: ViewSnapshot): void;
  onLoaded?(image: CornerstoneImage): void;
  /** Drawn inside the viewport element above the canvas, so wheel/middle/right input still reaches the viewport. */
  overlay?: ReactNode;
  /**
   * Primary-button press (no Space held) at a canvas point: return true to take the gesture over
   * (e.g. placing or dragging a landmark); the viewport then starts no pan or window drag.
   */
  onPrimaryPointerDown?(e: PointerEvent, canvasPoint: Point): boolean;
}

const MIN_ZOOM_FACTOR_OF_FIT = 0.2;
const MAX_ZOOM = 40;
const FIT_MARGIN = 0.98;

export function DicomViewport({ api, imageId, modality, transferSyntaxUid = null, frame = 0, tool, controllerRef, onView, onLoaded, overlay, onPrimaryPointerDown }: Props) {
  const elementRef = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<{ kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string }>({ kind: 'loading' });
  const toolRef = useRef(tool);
  toolRef.current = tool;
  const onViewRef = useRef(onView);
  onViewRef.current = onView;
  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  const onPrimaryRef = useRef(onPrimaryPointerDown);
  onPrimaryRef.current = onPrimaryPointerDown;
  const [dragging, setDragging] = useState(false);
  const frameRef = useRef(frame);
  frameRef.current = frame;
  const showFrameRef = useRef<((frame: number) => void) | null>(null);

  useEffect(() => {
    const element = elementRef.current;
    if (!element) return;
    const cs = initCornerstone();
    let disposed = false;
    let fitted = true;
    const openedAt = performance.now();
    performance.mark(`osteoplan:open:${imageId}`);
    element.dataset.imageRendered = '';
    element.dataset.renderCount = '0';
    delete element.dataset.openMs;
    setStatus({ kind: 'loading' });
    cs.enable(element);

    const viewport = (): Viewport => cs.getViewport(element)!;
    const view = (): ViewState => {
      const enabled = cs.getEnabledElement(element);
      const img = enabled.image!;
      const vp = viewport();
      return {
        canvasWidth: enabled.canvas.width,
        canvasHeight: enabled.canvas.height,
        columns: img.columns,
        rows: img.rows,
        rowPixelSpacing: img.rowPixelSpacing ?? null,
        columnPixelSpacing: img.columnPixelSpacing ?? null,
        scale: vp.scale,
        translation: { ...vp.translation },
        rotation: vp.rotation ?? 0,
        hflip: Boolean(vp.hflip),
        vflip: Boolean(vp.vflip),
      };
    };
    const snapshot = (): ViewSnapshot => {
      const vp = viewport();
      return {
        scale: vp.scale,
        translation: { ...vp.translation },
        windowCenter: vp.voi.windowCenter,
        windowWidth: vp.voi.windowWidth,
        invert: vp.invert,
        zoom: projection.canvasPixelsPerImagePixel(view()),
        voiLut: Boolean(vp.voiLUT),
        frame: shownFrame,
      };
    };
    const apply = (partial: Partial<Viewport>) => cs.setViewport(element, { ...viewport(), ...partial });
    const fit = () => {
      const v = view();
      apply({ scale: projection.fitScale(v, FIT_MARGIN), translation: { x: 0, y: 0 } });
      fitted = true;
    };
    const zoomBy = (factor: number, anchor?: Point) => {
      const v = view();
      const min = projection.fitScale(v) * MIN_ZOOM_FACTOR_OF_FIT;
      const next = Math.min(MAX_ZOOM, Math.max(min, v.scale * factor));
      const at = anchor ?? { x: v.canvasWidth / 2, y: v.canvasHeight / 2 };
      apply(projection.zoomAt(v, at, next));
      fitted = false;
    };
    const panBy = (delta: Point) => {
      apply({ translation: projection.pan(view(), delta) });
      fitted = false;
    };

    let image: CornerstoneImage | null = null;
    let shownFrame = frameRef.current;
    let defaultVoi = { windowCenter: 0, windowWidth: 1 };
    let defaultVoiLut: unknown = undefined;
    let defaultInvert = false;

    const onRendered = () => {
      element.dataset.imageRendered = String(imageId);
      element.dataset.frameRendered = String(shownFrame);
      element.dataset.renderCount = String(Number(element.dataset.renderCount ?? '0') + 1);
      if (!element.dataset.openMs) element.dataset.openMs = (performance.now() - openedAt).toFixed(1);
      onViewRef.current?.(snapshot());
    };
    element.addEventListener(cs.EVENTS.IMAGE_RENDERED, onRendered);

    // Another frame of the same image: decode it and swap it in under the current view.
    let frameRequest = 0;
    showFrameRef.current = (next: number) => {
      if (!image || next === shownFrame) return;
      const request = ++frameRequest;
      loadDicomImage(api.imageUrl(imageId), { modality, transferSyntaxUid, frame: next })
        .then((img) => {
          if (disposed || request !== frameRequest) return;
          image = img;
          shownFrame = next;
          cs.displayImage(element, img, viewport());
        })
        .catch((err: unknown) => {
          if (disposed || request !== frameRequest) return;
          setStatus({ kind: 'error', message: `Frame ${next + 1}: ${(err as Error)?.message ?? String(err)}` });
        });
    };

    loadDicomImage(api.imageUrl(imageId), { modality, transferSyntaxUid, frame: shownFrame })
      .then((img) => {
        if (disposed) return;
        image = img;
        const vp = cs.getDefaultViewportForImage(element, img);
        // Some files carry no window: cornerstone then leaves voi undefined; use the full range.
        if (!Number.isFinite(vp.voi.windowWidth) || !Number.isFinite(vp.voi.windowCenter) || vp.voi.windowWidth < 1) {
          vp.voi = { windowWidth: Math.max(1, img.maxPixelValue - img.minPixelValue), windowCenter: (img.maxPixelValue + img.minPixelValue) / 2 };
        }
        defaultVoi = { ...vp.voi };
        defaultVoiLut = vp.voiLUT;
        defaultInvert = vp.invert; // true for MONOCHROME1: low stored values display bright
        cs.displayImage(element, img, vp);
        fit();
        const controller: ViewerController = {
          element,
          get image() {
            return image!;
          },
          get frame() {
            return shownFrame;
          },
          view,
          snapshot,
          fit,
          reset() {
            apply({ voi: { ...defaultVoi }, voiLUT: defaultVoiLut, invert: defaultInvert, rotation: 0, hflip: false, vflip: false });
            fit();
          },
          actualSize() {
            const v = view();
            // Scale 1 means one image pixel per canvas pixel along the less-stretched axis.
            apply(projection.zoomAt(v, { x: v.canvasWidth / 2, y: v.canvasHeight / 2 }, 1));
            fitted = false;
          },
          zoomBy,
          panBy,
          setVoi(windowCenter, windowWidth) {
            // An explicit window replaces the header's VOI LUT, which cornerstone would otherwise prefer.
            apply({ voi: { windowCenter, windowWidth: Math.max(1, windowWidth) }, voiLUT: undefined });
          },
          toggleInvert() {
            apply({ invert: !viewport().invert });
          },
          setViewport(partial) {
            apply(partial);
            fitted = false;
          },
          pixelToCanvas: (p) => projection.pixelToCanvas(view(), p),
          canvasToPixel: (p) => projection.canvasToPixel(view(), p),
          cornerstonePixelToCanvas: (p) => cs.pixelToCanvas(element, p),
        };
        (controllerRef as { current: ViewerController | null }).current = controller;
        (element as unknown as { osteoplanViewer?: ViewerController }).osteoplanViewer = controller;
        setStatus({ kind: 'ready' });
        onLoadedRef.current?.(img);
        // The frame selector moved while the first frame was decoding.
        if (frameRef.current !== shownFrame) showFrameRef.current?.(frameRef.current);
      })
      .catch((err: unknown) => {
        if (disposed) return;
        setStatus({ kind: 'error', message: (err as Error)?.message ?? String(err) });
      });

    const resizeObserver = new ResizeObserver(() => {
      if (!image) return;
      cs.resize(element, false);
      if (fitted) fit();
    });
    resizeObserver.observe(element);

    // Pointer interaction: left = active tool (space held = pan), middle = pan, right = window/level.
    let drag: { mode: 'pan' | 'wl'; last: Point; pointerId: number } | null = null;
    let spaceHeld = false;
    const canvasPoint = (e: { clientX: number; clientY: number }): Point => {
      const canvas = cs.getEnabledElement(element).canvas;
      return projection.clientToCanvas(canvas.getBoundingClientRect(), canvas, e.clientX, e.clientY);
    };
    const onPointerDown = (e: PointerEvent) => {
      if (!image) return;
      element.focus({ preventScroll: true });
      if (e.button === 0 && !spaceHeld && onPrimaryRef.current?.(e, canvasPoint(e))) return;
      const mode: 'pan' | 'wl' | null = e.button === 1 ? 'pan' : e.button === 2 ? 'wl' : e.button === 0 ? (spaceHeld ? 'pan' : toolRef.current) : null;
      if (!mode) return;
      e.preventDefault();
      drag = { mode, last: canvasPoint(e), pointerId: e.pointerId };
      element.setPointerCapture(e.pointerId);
      setDragging(true);
    };
    const onPointerMove = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.pointerId || !image) return;
      const p = canvasPoint(e);
      const delta = { x: p.x - drag.last.x, y: p.y - drag.last.y };
      drag.last = p;
      if (drag.mode === 'pan') panBy(delta);
      else {
        const vp = viewport();
        // About 600 px of drag sweeps the whole stored range, whatever the bit depth.
        const perPixel = Math.max(0.25, (image.maxPixelValue - image.minPixelValue) / 600);
        apply({ voi: { windowWidth: Math.max(1, vp.voi.windowWidth + delta.x * perPixel), windowCenter: vp.voi.windowCenter + delta.y * perPixel }, voiLUT: undefined });
      }
    };
    const endDrag = (e: PointerEvent) => {
      if (!drag || e.pointerId !== drag.pointerId) return;
      drag = null;
      if (element.hasPointerCapture(e.pointerId)) element.releasePointerCapture(e.pointerId);
      setDragging(false);
    };
    const onWheel = (e: WheelEvent) => {
      if (!image) return;
      e.preventDefault();
      const delta = e.deltaMode === 1 ? e.deltaY * 33 : e.deltaY;
      zoomBy(Math.exp(-delta * 0.0015), canvasPoint(e));
    };
    const onContextMenu = (e: Event) => e.preventDefault();
    const onDoubleClick = () => image && fit();
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.code === 'Space') {
        spaceHeld = true;
        e.preventDefault();
      }
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.code === 'Space') spaceHeld = false;
    };
    element.addEventListener('pointerdown', onPointerDown);
    element.addEventListener('pointermove', onPointerMove);
    element.addEventListener('pointerup', endDrag);
    element.addEventListener('pointercancel', endDrag);
    element.addEventListener('wheel', onWheel, { passive: false });
    element.addEventListener('contextmenu', onContextMenu);
    element.addEventListener('dblclick', onDoubleClick);
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);

    return () => {
      disposed = true;
      resizeObserver.disconnect();
      element.removeEventListener(cs.EVENTS.IMAGE_RENDERED, onRendered);
      element.removeEventListener('pointerdown', onPointerDown);
      element.removeEventListener('pointermove', onPointerMove);
      element.removeEventListener('pointerup', endDrag);
      element.removeEventListener('pointercancel', endDrag);
      element.removeEventListener('wheel', onWheel);
      element.removeEventListener('contextmenu', onContextMenu);
      element.removeEventListener('dblclick', onDoubleClick);
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
      showFrameRef.current = null;
      (controllerRef as { current: ViewerController | null }).current = null;
      delete (element as unknown as { osteoplanViewer?: ViewerController }).osteoplanViewer;
      cs.disable(element);
    };
  }, [api, imageId, modality, transferSyntaxUid, controllerRef]);

  useEffect(() => showFrameRef.current?.(frame), [frame]);

  return (
    <div className="viewport-wrap">
      <div
        ref={elementRef}
        className={`viewport tool-${tool}${dragging ? ' dragging' : ''}`}
        tabIndex={0}
        aria-label="Radiograph"
        data-testid="viewport"
      >
        {overlay}
      </div>
      {status.kind === 'loading' && (
        <div className="viewport-message">
          <div className="spinner" />
          <div>Decoding image…</div>
        </div>
      )}
      {status.kind === 'error' && (
        <div className="viewport-message" role="alert">
          <div className="error-text">{status.message}</div>
        </div>
      )}
    </div>
  );
}
