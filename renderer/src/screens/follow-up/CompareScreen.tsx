// The compare view (issue 6; clinical-spec §6): two to four films of one patient side by side, or
// overlaid with an opacity slider, at the same physical mm scale (each film's own calibration;
// an uncalibrated film is drawn with a stand-in spacing and flagged), aligned on a chosen landmark
// (knee centre by default), pan / zoom / window-level synchronised, each film with its overlays.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react';
import type { TimelineFilm, TimelineStudy } from '../../../../shared/follow-up/timeline';
import type { FollowUpTimelineResponse } from '../../../../shared/ipc/contract';
import { landmarkLabel } from '../../../../shared/landmarks/catalogue';
import type { KeyPointId } from '../../../../shared/landmarks/resolve';
import { ApiError, type OsteoplanApi } from '../../api';
import { formatPersonName } from '../../format';
import { buildOverlay, LAYERS, type LayerId } from '../../overlays/leg-overlay';
import { OverlaySvg } from '../../overlays/OverlaySvg';
import { DicomViewport, type ViewerController, type ViewSnapshot } from '../../viewer/DicomViewport';
import * as projection from '../../viewer/projection';
import type { Point, ViewState } from '../../viewer/projection';
import { sameShared, sharedFromView, standInSpacing, viewForShared, type FilmScale, type SharedView } from './compare-sync';
import { ROLE_LABEL } from './labels';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String((err as Error)?.message ?? err));

const ANCHORS: { id: KeyPointId; label: string }[] = [
  { id: 'kneeCentre', label: 'Knee centre' },
  { id: 'femoralHeadCentre', label: 'Femoral head centre' },
  { id: 'ankleCentre', label: 'Ankle centre' },
];
const OVERLAY_LAYERS: ReadonlySet<LayerId> = new Set<LayerId>(LAYERS.map((l) => l.id).filter((id) => id !== 'landmarks' && id !== 'calibration'));
const NO_LAYERS: ReadonlySet<LayerId> = new Set<LayerId>();
const CAL_LABEL: Record<string, string> = {
  user: 'user calibrated',
  calibrated: 'calibrated',
  'magnification-corrected': 'magnification-corrected',
  detector: 'detector plane (≈10–20 % large)',
  uncalibrated: 'UNCALIBRATED',
};

interface Pane {
  film: TimelineFilm;
  study: TimelineStudy;
  scale: FilmScale;
  /** Spacing is a stand-in: the film has no calibration. */
  standIn: boolean;
  /** The chosen landmark is missing: aligned on the image centre instead. */
  anchorMissing: boolean;
}

interface Props {
  api: OsteoplanApi;
  patientId: number;
  imageIds: number[];
  onBack(): void;
}

export function CompareScreen({ api, patientId, imageIds, onBack }: Props) {
  const [timeline, setTimeline] = useState<FollowUpTimelineResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    api
      .invoke('followUp:getTimeline', { patientId })
      .then((t) => !stale && setTimeline(t))
      .catch((err) => !stale && setError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, patientId]);

  if (error) {
    return <ScreenError onBack={onBack}>{error}</ScreenError>;
  }
  if (!timeline) {
    return <ScreenLoading />;
  }
  const found = imageIds.flatMap((id) => timeline.studies.flatMap((s) => s.films.filter((f) => f.imageId === id).map((film) => ({ film, study: s }))));
  if (found.length < 2 || found.length > 4) {
    return (
      <ScreenError onBack={onBack} backLabel="Back to the timeline">
        {found.length < imageIds.length ? 'Some chosen films are not in this patient’s library. ' : ''}Choose two to four films on the timeline to compare.
      </ScreenError>
    );
  }
  return <CompareWorkspace api={api} timeline={timeline} films={found} onBack={onBack} />;
}

function CompareWorkspace({ api, timeline, films, onBack }: { api: OsteoplanApi; timeline: FollowUpTimelineResponse; films: { film: TimelineFilm; study: TimelineStudy }[]; onBack(): void }) {
  const [mode, setMode] = useState<'side' | 'overlay'>('side');
  const [opacity, setOpacity] = useState(0.5);
  const [anchorId, setAnchorId] = useState<KeyPointId>('kneeCentre');
  const [showOverlays, setShowOverlays] = useState(true);
  const side = timeline.legs[0]?.side ?? 'R';

  const panes: Pane[] = useMemo(() => {
    const spacingOf = (f: TimelineFilm) =>
      f.calibration && f.calibration.type !== 'uncalibrated' && f.calibration.rowSpacingMm && f.calibration.columnSpacingMm
        ? { rowSpacingMm: f.calibration.rowSpacingMm, columnSpacingMm: f.calibration.columnSpacingMm }
        : null;
    const standIn = standInSpacing(films.map((f) => spacingOf(f.film)).filter((s): s is NonNullable<typeof s> => s !== null));
    return films.map(({ film, study }) => {
      const leg = film.legs.find((l) => l.side === side) ?? film.legs[0] ?? null;
      const key = leg?.alignment?.keyPoints[anchorId];
      const anchor = key && key.available ? key.pixel : null;
      const spacing = spacingOf(film);
      return {
        film,
        study,
        scale: { ...(spacing ?? standIn), anchorPx: anchor ?? { x: film.columns / 2, y: film.rows / 2 } },
        standIn: spacing === null,
        anchorMissing: anchor === null,
      };
    });
  }, [films, side, anchorId]);

  // The one shared view; every pane is brought to it (compare-sync.ts).
  const controllers = useRef<(ViewerController | null)[]>([]);
  const ready = useRef<boolean[]>([]);
  const shared = useRef<SharedView | null>(null);
  const voi = useRef<{ windowCenter: number; windowWidth: number }[]>([]);
  const panesRef = useRef(panes);
  panesRef.current = panes;
  const [views, setViews] = useState<(ViewState | null)[]>([]);
  // Stable ref objects: DicomViewport re-creates its viewport when its controllerRef changes.
  const controllerRefs = useMemo(
    () =>
      Array.from({ length: 4 }, (_, k) => ({
        get current(): ViewerController | null {
          return controllers.current[k] ?? null;
        },
        set current(c: ViewerController | null) {
          controllers.current[k] = c;
          if (!c) ready.current[k] = false;
        },
      })),
    [],
  );

  const bringTo = useCallback((k: number, target: SharedView) => {
    const c = controllers.current[k];
    if (!c || !ready.current[k]) return;
    const v = c.view();
    if (sameShared(sharedFromView(v, panesRef.current[k]!.scale), target)) return;
    c.setViewport(viewForShared(v, panesRef.current[k]!.scale, target));
  }, []);

  const onView = useCallback(
    (k: number, snap: ViewSnapshot) => {
      const c = controllers.current[k];
      if (!c || !ready.current[k]) return;
      const v = c.view();
      setViews((vs) => {
        const next = [...vs];
        next[k] = v;
        return next;
      });
      const mine = sharedFromView(v, panesRef.current[k]!.scale);
      if (!shared.current || !sameShared(mine, shared.current)) {
        shared.current = mine;
        panesRef.current.forEach((_, j) => j !== k && bringTo(j, mine));
      }
      const last = voi.current[k];
      if (last && (last.windowCenter !== snap.windowCenter || last.windowWidth !== snap.windowWidth)) {
        const w = { windowCenter: snap.windowCenter, windowWidth: snap.windowWidth };
        voi.current = voi.current.map(() => ({ ...w }));
        controllers.current.forEach((other, j) => {
          if (j !== k && other && ready.current[j]) other.setVoi(w.windowCenter, w.windowWidth);
        });
      } else if (!last) voi.current[k] = { windowCenter: snap.windowCenter, windowWidth: snap.windowWidth };
    },
    [bringTo],
  );

  const onLoaded = useCallback(
    (k: number) => {
      ready.current[k] = true;
      const c = controllers.current[k]!;
      const s = c.snapshot();
      voi.current[k] = { windowCenter: s.windowCenter, windowWidth: s.windowWidth };
      if (shared.current) bringTo(k, shared.current);
      else shared.current = sharedFromView(c.view(), panesRef.current[k]!.scale);
    },
    [bringTo],
  );

  // A new anchor: keep the zoom, put the new landmark where the old one was.
  useEffect(() => {
    if (!shared.current) return;
    const target = shared.current;
    panes.forEach((_, k) => {
      const c = controllers.current[k];
      if (c && ready.current[k]) c.setViewport(viewForShared(c.view(), panes[k]!.scale, target));
    });
  }, [panes]);

  const fitAll = () => {
    const c = controllers.current.map((x, k) => (x && ready.current[k] ? { x, k } : null)).filter((x): x is { x: ViewerController; k: number } => x !== null);
    if (!c.length) return;
    // The physical zoom at which every film fits, anchors at the centre line of the pane.
    const fits = c.map(({ x, k }) => {
      const v = x.view();
      const fitted = { ...v, scale: projection.fitScale(v, 0.98), translation: { x: 0, y: 0 } };
      return sharedFromView(fitted, panes[k]!.scale);
    });
    const smallest = fits.reduce((a, b) => (b.pxPerMm < a.pxPerMm ? b : a));
    shared.current = null;
    const target = { pxPerMm: smallest.pxPerMm, anchorOffset: fits[0]!.anchorOffset };
    shared.current = target;
    c.forEach(({ k }) => bringTo(k, target));
  };

  /** Overlay mode: the first film's overlay, drawn above all films (they share one canvas geometry there). */
  let baseOverlay: ReactElement | null = null;
  const titleOf = (p: Pane) => `${p.study.date ?? 'no date'} · ${p.study.role ? ROLE_LABEL[p.study.role] : 'no role'}${p.study.weeksLabel ? ` · ${p.study.weeksLabel}` : ''}`;

  return (
    <div className="compare-screen" data-testid="compare" data-compare-mode={mode}>
      <div className="toolbar" role="toolbar" aria-label="Compare tools">
        <button className="btn ghost" onClick={onBack}>← Timeline</button>
        <b>{formatPersonName(timeline.patient.name)}</b>
        <div className="sep" />
        <div className="segmented" role="group" aria-label="Layout">
          <button className={`btn${mode === 'side' ? ' active' : ''}`} onClick={() => setMode('side')} data-testid="mode-side">
            Side by side
          </button>
          <button className={`btn${mode === 'overlay' ? ' active' : ''}`} onClick={() => setMode('overlay')} data-testid="mode-overlay">
            Overlay
          </button>
        </div>
        {mode === 'overlay' && (
          <label className="opacity">
            Opacity of the later film(s)
            <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} data-testid="overlay-opacity" />
            <span>{Math.round(opacity * 100)} %</span>
          </label>
        )}
        <div className="sep" />
        <label>
          Align on{' '}
          <select value={anchorId} onChange={(e) => setAnchorId(e.target.value as KeyPointId)} data-testid="align-on">
            {ANCHORS.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={showOverlays} onChange={(e) => setShowOverlays(e.target.checked)} /> Overlays
        </label>
        <button className="btn" onClick={fitAll} data-testid="compare-fit">
          Fit all
        </button>
        <span className="spacer" />
        <span className="muted" title="Wheel zooms, drag pans, right-drag sets the window: on all films at once">One mm scale · synced zoom, pan, window</span>
      </div>
      <div className={`compare-grid ${mode}`} style={mode === 'side' ? { gridTemplateColumns: `repeat(${panes.length}, 1fr)` } : undefined}>
        {panes.map((p, k) => {
          const leg = p.film.legs.find((l) => l.side === side) ?? p.film.legs[0] ?? null;
          const v = views[k];
          const scene =
            v && leg && showOverlays
              ? buildOverlay({
                  set: leg.set,
                  alignment: leg.alignment,
                  toCanvas: (q: Point) => projection.pixelToCanvas(v, q),
                  bounds: { width: v.canvasWidth, height: v.canvasHeight },
                  layers: mode === 'overlay' && k > 0 ? NO_LAYERS : OVERLAY_LAYERS,
                  selected: null,
                  pendingCalibration: [],
                  labelFor: landmarkLabel,
                })
              : null;
          // Overlay mode: only the later films' images fade; their labels stay legible above every film,
          // and the first film's lines and values are drawn on top (see below) instead of under the others.
          const overlaid = mode === 'overlay';
          const overlay = scene && v && !(overlaid && k === 0) ? <OverlaySvg scene={scene} width={v.canvasWidth} height={v.canvasHeight} hovered={null} /> : null;
          if (overlaid && k === 0 && scene && v) baseOverlay = <OverlaySvg scene={scene} width={v.canvasWidth} height={v.canvasHeight} hovered={null} />;
          return (
            <div key={p.film.imageId} className="compare-pane" data-compare-image-id={p.film.imageId} style={overlaid && k > 0 ? { background: 'transparent' } : undefined}>
              <div className="compare-label" style={mode === 'overlay' ? { top: 8 + k * 26 } : undefined}>
                <b>{titleOf(p)}</b>
                <span className={p.standIn ? 'flag-bad' : 'muted'} data-calibration={p.film.calibration?.type ?? 'none'}>
                  {p.standIn ? 'UNCALIBRATED: not at true scale' : CAL_LABEL[p.film.calibration?.type ?? ''] ?? ''}
                </span>
                {p.anchorMissing && <span className="flag-warn">no {ANCHORS.find((a) => a.id === anchorId)!.label.toLowerCase()}: aligned on the image centre</span>}
              </div>
              <div className="compare-viewport" style={overlaid && k > 0 ? { opacity } : undefined}>
                <DicomViewport
                  api={api}
                  imageId={p.film.imageId}
                  modality={p.film.modality}
                  transferSyntaxUid={p.film.transferSyntaxUid}
                  tool="pan"
                  controllerRef={controllerRefs[k]!}
                  onView={(snap) => onView(k, snap)}
                  onLoaded={() => onLoaded(k)}
                  overlay={overlay}
                />
              </div>
            </div>
          );
        })}
        {baseOverlay && (
          <div className="compare-top-overlay" style={{ position: 'absolute', inset: 0, zIndex: 2, pointerEvents: 'none' }} data-testid="compare-top-overlay">
            {baseOverlay}
          </div>
        )}
      </div>
    </div>
  );
}
