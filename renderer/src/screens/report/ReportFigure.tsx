// One fixed view of the film on the report: the viewer's DicomViewport (same decoding, VOI and
// MONOCHROME1 handling as every screen) held on a region of the image, with an SVG overlay that
// stays vector on paper. The view is re-fitted whenever the canvas changes size (printing lays
// the page out again), so the picture always shows the same region. No interaction: a report is
// read, not edited.
import { useCallback, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ImageDetail } from '../../../../shared/ipc/contract';
import type { OsteoplanApi } from '../../api';
import type { Rect } from '../../overlays/label-placement';
import type { OverlayScene } from '../../overlays/leg-overlay';
import { OverlaySvg } from '../../overlays/OverlaySvg';
import { DicomViewport, type ViewerController } from '../../viewer/DicomViewport';
import type { ViewState } from '../../viewer/projection';
import { viewForRegion } from './report-figures';

interface Props {
  api: OsteoplanApi;
  detail: ImageDetail;
  frame: number;
  region: Rect;
  scene(view: ViewState): OverlayScene<unknown>;
  testId: string;
  className: string;
  caption: ReactNode;
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

export function ReportFigure({ api, detail, frame, region, scene, testId, className, caption }: Props) {
  const controllerRef = useRef<ViewerController | null>(null);
  const [view, setView] = useState<ViewState | null>(null);
  const onView = useCallback(() => {
    const c = controllerRef.current;
    if (!c) return;
    const v = c.view();
    const want = viewForRegion(v, region);
    if (!close(v.scale, want.scale) || !close(v.translation.x, want.translation.x) || !close(v.translation.y, want.translation.y)) {
      c.setViewport(want); // renders again, and this runs again with the fitted view
      return;
    }
    setView((prev) =>
      prev && prev.canvasWidth === v.canvasWidth && prev.canvasHeight === v.canvasHeight && prev.scale === v.scale && prev.translation.x === v.translation.x && prev.translation.y === v.translation.y
        ? prev
        : v,
    );
  }, [region]);
  const drawn = useMemo(() => (view ? scene(view) : null), [view, scene]);
  return (
    <figure className={`report-figure ${className}`} data-testid={testId} data-ready={drawn ? 'true' : 'false'}>
      <div className="report-figure-image">
        <DicomViewport
          api={api}
          imageId={detail.image.id}
          modality={detail.image.modality ?? detail.header.modality}
          transferSyntaxUid={detail.image.transferSyntaxUid}
          frame={frame}
          tool="pan"
          controllerRef={controllerRef}
          onView={onView}
          overlay={drawn && view ? <OverlaySvg scene={drawn} width={view.canvasWidth} height={view.canvasHeight} hovered={null} /> : null}
        />
      </div>
      <figcaption>{caption}</figcaption>
    </figure>
  );
}
