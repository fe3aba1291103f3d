// The simulated correction as a canvas layered over the viewport (issue 5): redrawn after every
// viewport render (zoom, pan, window) and every plan change, at most once per animation frame, so
// it follows the hinge and target smoothly while they are dragged. data-draws counts the drawn
// frames (tests wait on it).
import type { RefObject } from 'react';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { PlanDisplayGeometry } from '../../../shared/planning/display-geometry';
import { initCornerstone } from '../viewer/cornerstone-setup';
import type { ViewerController, ViewSnapshot } from '../viewer/DicomViewport';
import * as projection from '../viewer/projection';
import type { Affine, ViewState } from '../viewer/projection';
import { drawSimulatedCorrection } from './simulated-correction';

interface Props {
  controllerRef: RefObject<ViewerController | null>;
  view: ViewState;
  imageToCanvas: Affine;
  geometry: PlanDisplayGeometry;
  /** Changes on every viewport render (window, invert): a reason to redraw. */
  snapshot: ViewSnapshot | null;
}

interface RenderingTools {
  renderingTools?: { renderCanvas?: HTMLCanvasElement };
}

const IDENTITY: Affine = [1, 0, 0, 1, 0, 0];

export function SimulationCanvas({ controllerRef, view, imageToCanvas, geometry, snapshot }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const latest = useRef({ view, imageToCanvas, geometry });
  latest.current = { view, imageToCanvas, geometry };
  const frame = useRef<number | null>(null);

  const draw = () => {
    frame.current = null;
    const canvas = ref.current;
    const c = controllerRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !c || !ctx) return;
    const { view: v, imageToCanvas: m, geometry: g } = latest.current;
    const cs = initCornerstone();
    const enabled = cs.getEnabledElement(c.element) as unknown as RenderingTools & { canvas: HTMLCanvasElement };
    const full = enabled.renderingTools?.renderCanvas;
    // cornerstone's windowed image at one canvas pixel per image pixel; else the viewport canvas itself.
    const useFull = !!full && full.width === v.columns && full.height === v.rows;
    const source = useFull ? full : enabled.canvas;
    const sourceToImage = useFull ? IDENTITY : projection.invertAffine(m);
    drawSimulatedCorrection(ctx, {
      source,
      sourceToImage,
      imageToCanvas: m,
      geometry: g,
      canvasSize: { width: canvas.width, height: canvas.height },
      smoothing: !cs.getViewport(c.element)?.pixelReplication,
    });
    canvas.dataset.draws = String(Number(canvas.dataset.draws ?? '0') + 1);
    canvas.dataset.source = useFull ? 'image' : 'viewport';
  };

  useLayoutEffect(() => {
    if (frame.current === null) frame.current = requestAnimationFrame(draw);
  });
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
  void snapshot;

  return <canvas ref={ref} className="simulation-canvas" width={view.canvasWidth} height={view.canvasHeight} data-testid="simulation" aria-hidden="true" />;
}
