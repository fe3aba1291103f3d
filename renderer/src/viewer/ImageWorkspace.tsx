// The one image workspace of the viewer, measuring and plan screens: a toolbar, the film in a
// DicomViewport with what a screen draws over it, the zoom status line, and a side panel. A screen
// brings its own tools, overlay and panel; the view state, the loupe's placement, hovering over
// handles, undo/redo buttons and the save status line are the same everywhere, so they live here.
import type { CornerstoneImage } from 'cornerstone-core';
import { useCallback, useEffect, useRef, useState, type MutableRefObject, type ReactNode, type Ref } from 'react';
import type { OsteoplanApi } from '../api';
import type { Handle } from '../overlays/leg-overlay';
import { hitTest } from '../overlays/leg-overlay';
import { Loupe, LOUPE_SIZE } from '../overlays/Loupe';
import { saveStatusText, type SaveStatus } from '../screens/measure/autosave';
import { DicomViewport, type ViewerController, type ViewerTool, type ViewSnapshot } from './DicomViewport';
import * as projection from './projection';
import type { Point, ViewState } from './projection';

/** clinical-spec §4 calibration types as the screens name them. */
export const CALIBRATION_LABEL: Record<string, string> = {
  user: 'User calibrated',
  calibrated: 'Calibrated',
  'magnification-corrected': 'Magnification-corrected',
  detector: 'Detector plane',
  uncalibrated: 'Uncalibrated',
};

/** The cursor over the film: canvas pixel and image pixel. */
export interface ViewportPointer {
  canvas: Point;
  pixel: Point;
}

/** What a screen knows of its viewport: the controller, the view for overlays, the decoded image for the loupe. */
export interface ImageView {
  controllerRef: MutableRefObject<ViewerController | null>;
  /** The projection overlays are drawn through; null until the image is on screen. */
  view: ViewState | null;
  snap: ViewSnapshot | null;
  image: CornerstoneImage | null;
  onView(snapshot: ViewSnapshot): void;
  onLoaded(image: CornerstoneImage): void;
}

export function useImageView(): ImageView {
  const controllerRef = useRef<ViewerController | null>(null);
  const [view, setView] = useState<ViewState | null>(null);
  const [snap, setSnap] = useState<ViewSnapshot | null>(null);
  const [image, setImage] = useState<CornerstoneImage | null>(null);
  const onView = useCallback((s: ViewSnapshot) => {
    setSnap(s);
    const c = controllerRef.current;
    if (c) setView(c.view());
  }, []);
  const onLoaded = useCallback((img: CornerstoneImage) => {
    setImage(img);
    const c = controllerRef.current;
    if (c) setView(c.view());
  }, []);
  return { controllerRef, view, snap, image, onView, onLoaded };
}

/** The handle at a canvas point, mapped through the live view: the drawn scene may lag a render behind a zoom. */
export function handleAt<R>(c: ViewerController, handles: readonly Handle<R>[], p: Point): Handle<R> | null {
  return hitTest(
    handles.map((h) => ({ ...h, at: c.pixelToCanvas(h.pixel) })),
    p,
  );
}

/**
 * The key of the handle under the cursor (for highlighting), and the cursor itself to
 * `onPointer` (null when it leaves the film). The callbacks are read live: no re-binding per render.
 */
export function useHandleHover<R>(iv: ImageView, handles: () => readonly Handle<R>[], onPointer?: (pointer: ViewportPointer | null) => void): string | null {
  const [hovered, setHovered] = useState<string | null>(null);
  const live = useRef({ handles, onPointer });
  live.current = { handles, onPointer };
  const ready = iv.view !== null;
  useEffect(() => {
    const c = iv.controllerRef.current;
    if (!c || !ready) return;
    const element = c.element;
    const canvas = element.querySelector('canvas')!;
    const onMove = (ev: PointerEvent) => {
      const p = projection.clientToCanvas(canvas.getBoundingClientRect(), canvas, ev.clientX, ev.clientY);
      const key = handleAt(c, live.current.handles(), p)?.key ?? null;
      setHovered((prev) => (prev === key ? prev : key));
      live.current.onPointer?.({ canvas: p, pixel: c.canvasToPixel(p) });
    };
    const onLeave = () => {
      setHovered(null);
      live.current.onPointer?.(null);
    };
    element.addEventListener('pointermove', onMove);
    element.addEventListener('pointerleave', onLeave);
    return () => {
      element.removeEventListener('pointermove', onMove);
      element.removeEventListener('pointerleave', onLeave);
    };
  }, [iv.controllerRef, ready]);
  return hovered;
}

/** Keys typed into a field belong to the field, not to the screen's shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'SELECT' || el.tagName === 'TEXTAREA' || el.isContentEditable);
}

/** The loupe beside the cursor (above right, flipped where it would leave the film), magnified with the zoom. */
export function ViewportLoupe({ iv, pointer, marks }: { iv: ImageView; pointer: ViewportPointer | null; marks: readonly { x: number; y: number; colour: string }[] }) {
  const { image, snap, view } = iv;
  if (!image || !snap || !view || !pointer) return null;
  let left = pointer.canvas.x + 28;
  let top = pointer.canvas.y - LOUPE_SIZE - 28;
  if (left + LOUPE_SIZE + 4 > view.canvasWidth) left = pointer.canvas.x - LOUPE_SIZE - 28;
  if (top < 4) top = pointer.canvas.y + 28;
  return (
    <Loupe
      image={image}
      centre={pointer.pixel}
      magnification={Math.min(12, Math.max(2, snap.zoom * 4))}
      voi={{ windowCenter: snap.windowCenter, windowWidth: snap.windowWidth }}
      invert={snap.invert}
      left={left}
      top={top}
      marks={marks}
    />
  );
}

export function UndoRedoButtons({ canUndo, canRedo, onUndo, onRedo }: { canUndo: boolean; canRedo: boolean; onUndo(): void; onRedo(): void }) {
  return (
    <>
      <button className="btn" disabled={!canUndo} onClick={onUndo} title="Undo (Ctrl+Z)">Undo</button>
      <button className="btn" disabled={!canRedo} onClick={onRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
    </>
  );
}

/** The autosave line at the end of a toolbar; `idle` is what it says before anything changed. */
export function SaveStatusLine({ status, idle, testId }: { status: SaveStatus; idle: string; testId: string }) {
  return (
    <>
      <span className="spacer" />
      <span className={`save-status save-${status.kind}`} data-testid={testId} role="status">
        {saveStatusText(status, idle)}
      </span>
    </>
  );
}

interface Props {
  iv: ImageView;
  /** The film; null shows `placeholder` in its place (loading, or why it cannot be shown). */
  film: { api: OsteoplanApi; imageId: number; modality: string | null; transferSyntaxUid: string; frame: number; tool?: ViewerTool } | null;
  placeholder?: ReactNode;
  className: string;
  rootRef?: Ref<HTMLDivElement>;
  /** data-* attributes of the screen root (what tests and hooks read). */
  data?: Record<`data-${string}`, string | number>;
  toolbarLabel: string;
  toolbar: ReactNode;
  overlay?: ReactNode;
  onPrimaryPointerDown?(e: PointerEvent, canvasPoint: Point): boolean;
  /** Drawn over the viewport area: loupe, hints, errors. */
  children?: ReactNode;
  /** The rest of the status line after the zoom. */
  status?(snap: ViewSnapshot): ReactNode;
  asideClassName: string;
  asideLabel: string;
  aside: ReactNode;
}

export function ImageWorkspace({ iv, film, placeholder, className, rootRef, data, toolbarLabel, toolbar, overlay, onPrimaryPointerDown, children, status, asideClassName, asideLabel, aside }: Props) {
  return (
    <div className={className} ref={rootRef} {...data}>
      <div className="viewer-main">
        <div className="toolbar" role="toolbar" aria-label={toolbarLabel}>
          {toolbar}
        </div>
        <div className="viewport-area">
          {film ? (
            <DicomViewport
              api={film.api}
              imageId={film.imageId}
              modality={film.modality}
              transferSyntaxUid={film.transferSyntaxUid}
              frame={film.frame}
              tool={film.tool ?? 'pan'}
              controllerRef={iv.controllerRef}
              onView={iv.onView}
              onLoaded={iv.onLoaded}
              onPrimaryPointerDown={onPrimaryPointerDown}
              overlay={overlay}
            />
          ) : (
            placeholder
          )}
          {children}
          {film && iv.snap && status && (
            <div className="viewport-status" data-testid="viewport-status">
              Zoom {(iv.snap.zoom * 100).toFixed(0)} % · {status(iv.snap)}
            </div>
          )}
        </div>
      </div>
      <aside className={asideClassName} aria-label={asideLabel}>
        {aside}
      </aside>
    </div>
  );
}
