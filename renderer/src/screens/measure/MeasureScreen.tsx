// The measuring screen (issue "Measure a long-leg film"; architecture.md §4): guided landmark
// clicks on the film, overlays drawn through projection.ts on every render, the values panel
// recomputed from (landmark set, calibration) on every change, and autosave of the set.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { decideCalibration, type Calibration } from '../../../../shared/calibration/calibration';
import { suggestImageFlipped } from '../../../../shared/geometry/frame';
import type { ImageDetail, SavedLandmarkSet, StudyRole } from '../../../../shared/ipc/contract';
import { guidedLandmarkSteps, landmarkLabel } from '../../../../shared/landmarks/catalogue';
import { ANKLE_CENTRE_VARIANTS, DEFAULT_VARIANTS, KNEE_CENTRE_VARIANTS, PLATEAU_VARIANTS, type LandmarkId } from '../../../../shared/landmarks/ids';
import { computeLegAlignment, type LegAlignment, type Measurement } from '../../../../shared/measurements/leg-alignment';
import { computeLegLengthDifference } from '../../../../shared/measurements/leg-length';
import type { UserCalibration } from '../../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { ApiError, type OsteoplanApi } from '../../api';
import { formatDicomDate, formatPersonName } from '../../format';
import { buildOverlay, LAYERS, type Handle, type LayerId } from '../../overlays/leg-overlay';
import { OverlaySvg } from '../../overlays/OverlaySvg';
import { beginGesture } from '../../overlays/pointer-gesture';
import type { ViewerController } from '../../viewer/DicomViewport';
import {
  CALIBRATION_LABEL,
  handleAt,
  ImageWorkspace,
  isTypingTarget,
  SaveStatusLine,
  UndoRedoButtons,
  useHandleHover,
  useImageView,
  ViewportLoupe,
  type ViewportPointer,
} from '../../viewer/ImageWorkspace';
import * as projection from '../../viewer/projection';
import type { Point } from '../../viewer/projection';
import { Autosaver, useAutosaverLifecycle, type SaveStatus } from './autosave';
import { emptySet, handlePosition, initialState, landmarkReducer, type HandleRef } from './landmark-store';
import { firstOpenStep, MIN_CONTOUR_POINTS, nextOpenStep } from './steps';
import { StepList } from './StepList';
import { ValuesPanel } from './ValuesPanel';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';
import { canRedo, canUndo, undoRedoKey } from '../../undo-history';

type Side = 'L' | 'R';
type Mode = 'landmarks' | 'calibrate-line' | 'calibrate-circle';

/** clinical-spec §4: the default marker is a 25 mm sphere (shared/schemas DEFAULT_SPHERE_DIAMETER_MM, not imported: zod stays out of the page). */
const DEFAULT_SPHERE_MM = 25;
const FRAME = 0; // the viewer shows the first frame; a set is keyed by frame all the same

const ROLE_LABEL: Record<StudyRole, string> = { 'pre-op': 'Pre-op', planning: 'Planning', 'post-op': 'Immediate post-op', 'follow-up': 'Follow-up' };
const KNEE_LABEL: Record<string, string> = { spines: 'Tibial spines / notch', 'plateau-midpoint': 'Plateau midpoint', 'soft-tissue': 'Soft-tissue centre' };
const ANKLE_LABEL: Record<string, string> = { 'plafond-midpoint': 'Talar dome / plafond', 'malleoli-midpoint': 'Malleoli midpoint' };
const PLATEAU_LABEL: Record<string, string> = { edges: 'Plateau edges', subchondral: 'Subchondral lowest points' };

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String((err as Error)?.message ?? err));

interface Props {
  api: OsteoplanApi;
  imageId: number;
  onBack(): void;
  /** Opens the plan screen for the measured leg (issue 5). */
  onPlan?(side: Side): void;
}

export function MeasureScreen({ api, imageId, onBack, onPlan }: Props) {
  const [detail, setDetail] = useState<ImageDetail | null>(null);
  const [saved, setSaved] = useState<Partial<Record<Side, LandmarkSet>> | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [side, setSide] = useState<Side | null>(null);

  useEffect(() => {
    let stale = false;
    setDetail(null);
    setSaved(null);
    setLoadError(null);
    setSide(null);
    Promise.all([api.invoke('library:getImage', { imageId }), api.invoke('measurement:list', { imageId })])
      .then(([d, list]) => {
        if (stale) return;
        const bySide: Partial<Record<Side, LandmarkSet>> = {};
        for (const s of list as SavedLandmarkSet[]) {
          if (s.set.frame !== FRAME) continue;
          const have = bySide[s.set.side];
          if (!have || s.revision >= 0) bySide[s.set.side] = s.set;
        }
        setDetail(d);
        setSaved(bySide);
        // Side: the leg already measured, else the header's laterality, else ask.
        const measured = (Object.keys(bySide) as Side[]).sort((a, b) => (a === 'R' ? -1 : b === 'R' ? 1 : 0));
        const lat = (d.header.laterality ?? '').trim().toUpperCase();
        setSide(measured.length === 1 ? measured[0]! : lat === 'R' || lat === 'L' ? (lat as Side) : measured[0] ?? null);
      })
      .catch((err) => !stale && setLoadError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, imageId]);

  if (loadError) {
    return <ScreenError onBack={onBack}>{loadError}</ScreenError>;
  }
  if (!detail || !saved) {
    return <ScreenLoading />;
  }
  return <MeasureWorkspace api={api} imageId={imageId} detail={detail} saved={saved} side={side} onSide={setSide} onBack={onBack} onDetail={setDetail} onPlan={onPlan} />;
}

interface WorkspaceProps {
  api: OsteoplanApi;
  imageId: number;
  detail: ImageDetail;
  saved: Partial<Record<Side, LandmarkSet>>;
  side: Side | null;
  onSide(side: Side): void;
  onBack(): void;
  onDetail(d: ImageDetail): void;
  onPlan?(side: Side): void;
}

function MeasureWorkspace({ api, imageId, detail, saved, side, onSide, onBack, onDetail, onPlan }: WorkspaceProps) {
  const header = detail.header;
  const flipSuggestion = useMemo(() => suggestImageFlipped(header.patientOrientation), [header]);
  // The latest known set per side: what switching sides comes back to.
  const sets = useRef<Partial<Record<Side, LandmarkSet>>>({ ...saved });
  const newSet = useCallback(
    (s: Side): LandmarkSet => {
      const other = sets.current[s === 'R' ? 'L' : 'R'];
      const fresh = emptySet(detail.image.sopInstanceUid, FRAME, s, other?.imageFlipped ?? flipSuggestion.imageFlipped, other?.variants ?? DEFAULT_VARIANTS);
      // One marker calibrates the whole film: carry it over to the other leg.
      return { ...fresh, userCalibration: other?.userCalibration ?? null };
    },
    [detail.image.sopInstanceUid, flipSuggestion.imageFlipped],
  );
  const [state, dispatch] = useReducer(landmarkReducer, null, () => initialState(sets.current[side ?? 'R'] ?? newSet(side ?? 'R')));
  const set = state.present;
  const presentRef = useRef(set);
  presentRef.current = set;

  const [saveStatus, setSaveStatus] = useState<SaveStatus>({ kind: 'idle' });
  const saver = useMemo(
    () =>
      new Autosaver({
        save: (s) => api.invoke('measurement:save', { imageId, set: s }),
        onStatus: setSaveStatus,
      }),
    [api, imageId],
  );
  useAutosaverLifecycle(saver);
  useEffect(() => {
    if (state.edits === 0) return;
    sets.current[state.present.side] = state.present;
    saver.schedule(state.present);
  }, [state.edits, state.present, saver]);

  // Side switch: flush the current leg, load the other (its saved set or a fresh one).
  useEffect(() => {
    if (!side || presentRef.current.side === side) return;
    void saver.flush();
    sets.current[presentRef.current.side] = presentRef.current;
    dispatch({ type: 'load', set: sets.current[side] ?? newSet(side) });
  }, [side, saver, newSet]);

  // Calibration (clinical-spec §4) and every measure (§3), recomputed on each change.
  const { calibration, calibrationError } = useMemo((): { calibration: Calibration; calibrationError: string | null } => {
    try {
      return { calibration: decideCalibration(header, set.userCalibration), calibrationError: null };
    } catch (err) {
      return { calibration: decideCalibration(header), calibrationError: `The calibration marker is unusable: ${errorText(err)}` };
    }
  }, [header, set.userCalibration]);
  const { alignment, alignmentError } = useMemo((): { alignment: LegAlignment | null; alignmentError: string | null } => {
    try {
      return { alignment: computeLegAlignment(set, calibration), alignmentError: null };
    } catch (err) {
      return { alignment: null, alignmentError: errorText(err) };
    }
  }, [set, calibration]);

  // clinical-spec §3 lengths: the leg-length difference once the other leg of this film is measured too.
  const legLengthDifference = useMemo((): Measurement | null => {
    const other = sets.current[set.side === 'R' ? 'L' : 'R'];
    if (!alignment || !other) return null;
    try {
      return computeLegLengthDifference(alignment, computeLegAlignment(other, decideCalibration(header, other.userCalibration)));
    } catch {
      return null;
    }
  }, [alignment, header, set.side]);

  // Guided steps (clinical-spec §2).
  const steps = useMemo(() => guidedLandmarkSteps(set.variants), [set.variants]);
  const [skipped, setSkipped] = useState<Set<string>>(() => new Set());
  const [active, setActive] = useState<number | null>(() => firstOpenStep(steps, set));
  useEffect(() => {
    setSkipped(new Set());
    setActive(firstOpenStep(steps, presentRef.current));
  }, [steps, set.side]);

  const [mode, setMode] = useState<Mode>('landmarks');
  const [pendingCal, setPendingCal] = useState<Point[]>([]);
  const [knownLengthMm, setKnownLengthMm] = useState('');
  const [sphereMm, setSphereMm] = useState(String(DEFAULT_SPHERE_MM));
  const [calMessage, setCalMessage] = useState<string | null>(null);
  const [selected, setSelected] = useState<HandleRef | null>(null);
  const [layers, setLayers] = useState<Set<LayerId>>(() => new Set(LAYERS.map((l) => l.id)));
  const [loupeOn, setLoupeOn] = useState(true);
  const [pointer, setPointer] = useState<ViewportPointer | null>(null);
  const pointerRef = useRef(pointer);
  pointerRef.current = pointer;
  const [dragging, setDragging] = useState<string | null>(null);

  const iv = useImageView();
  const { controllerRef, view } = iv;

  const scene = useMemo(() => {
    if (!view) return null;
    const m = projection.pixelToCanvasTransform(view);
    return buildOverlay({
      set,
      alignment,
      toCanvas: (p) => projection.applyAffine(m, p),
      bounds: { width: view.canvasWidth, height: view.canvasHeight },
      layers,
      selected,
      pendingCalibration: pendingCal,
      labelFor: landmarkLabel,
    });
  }, [view, set, alignment, layers, selected, pendingCal]);
  const sceneRef = useRef(scene);
  sceneRef.current = scene;
  const liveHit = useCallback((c: ViewerController, p: Point): Handle | null => handleAt(c, sceneRef.current?.handles ?? [], p), []);

  // Everything the pointer handlers read, kept current without re-binding listeners.
  const live = useRef({ mode, active, steps, skipped, set });
  live.current = { mode, active, steps, skipped, set };
  const dragTimings = useRef<{ commitMs: number; eventToCommitMs: number }[]>([]);

  const placeAt = useCallback((pixel: Point) => {
    const { mode: md, active: idx, steps: st, skipped: sk, set: s } = live.current;
    if (md !== 'landmarks') {
      setPendingCal((prev) => (md === 'calibrate-line' ? [...prev, pixel].slice(-2) : [...prev, pixel].slice(-64)));
      return;
    }
    if (idx === null) return;
    const step = st[idx];
    if (!step) return;
    if (step.kind === 'contour') {
      dispatch({ type: 'addContour', point: pixel });
      setSelected({ kind: 'contour', index: s.femoralHeadContour.length });
      return;
    }
    const id = step.id as LandmarkId;
    dispatch({ type: 'place', id, point: pixel });
    setSelected({ kind: 'landmark', id });
    const after: LandmarkSet = { ...s, landmarks: { ...s.landmarks, [id]: { ...pixel, placedBy: 'user' } } };
    setActive(nextOpenStep(st, after, idx, sk));
  }, []);

  const onPrimaryPointerDown = useCallback(
    (e: PointerEvent, canvasPoint: Point): boolean => {
      const c = controllerRef.current;
      if (!c) return false;
      const hit = liveHit(c, canvasPoint);
      if (hit) {
        // Drag a handle (the shared gesture keeps the grab offset so the point does not jump).
        const dragId = `${hit.key}-${e.timeStamp}`;
        setSelected(hit.ref);
        setDragging(hit.key);
        beginGesture(c, e, canvasPoint, {
          grabbed: hit.pixel,
          onDrag: (pixel, canvas, ev) => {
            const t0 = performance.now();
            flushSync(() => {
              dispatch({ type: 'move', target: hit.ref, point: pixel, dragId });
              setPointer({ canvas, pixel });
            });
            const t1 = performance.now();
            dragTimings.current.push({ commitMs: t1 - t0, eventToCommitMs: t1 - ev.timeStamp });
            if (dragTimings.current.length > 5000) dragTimings.current.shift();
          },
          onDragEnd: () => setDragging(null),
        });
      } else {
        // Click places (or collects a calibration point); a drag beyond a few pixels pans.
        beginGesture(c, e, canvasPoint, {
          grabbed: null,
          onClick: (pixel) => {
            placeAt(pixel);
            if (live.current.mode === 'landmarks' && live.current.active === null) setSelected(null);
          },
        });
      }
      return true;
    },
    [placeAt, liveHit],
  );

  // Hover: highlight the handle under the cursor and feed the loupe (a drag feeds it itself).
  const hovered = useHandleHover(iv, () => sceneRef.current?.handles ?? [], (p) => {
    if (!p || !dragging) setPointer(p);
  });

  const applyCalibration = useCallback(() => {
    setCalMessage(null);
    let marker: UserCalibration;
    if (mode === 'calibrate-line') {
      const length = Number(knownLengthMm.replace(',', '.'));
      if (pendingCal.length !== 2) return setCalMessage('Click both ends of the marker first.');
      if (!(length > 0) || !Number.isFinite(length)) return setCalMessage('Enter the known length in mm (a positive number).');
      marker = { kind: 'line', from: pendingCal[0]!, to: pendingCal[1]!, lengthMm: length };
    } else {
      const diameter = Number(sphereMm.replace(',', '.'));
      if (pendingCal.length < 3) return setCalMessage('Click at least 3 points around the sphere outline.');
      if (!(diameter > 0) || !Number.isFinite(diameter)) return setCalMessage('Enter the sphere diameter in mm (a positive number).');
      marker = { kind: 'circle', points: pendingCal, diameterMm: diameter };
    }
    try {
      decideCalibration(header, marker);
    } catch (err) {
      return setCalMessage(errorText(err));
    }
    dispatch({ type: 'setUserCalibration', calibration: marker });
    setPendingCal([]);
    setMode('landmarks');
  }, [mode, knownLengthMm, sphereMm, pendingCal, header]);

  const startCalibration = (m: Mode) => {
    setMode(m);
    setPendingCal([]);
    setCalMessage(null);
  };

  // Keyboard: N/P/S steps, Ctrl+Z / Ctrl+Shift+Z, Delete, L loupe, 1..7 layers, F fit, Esc.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) {
        if (e.key === 'Enter' && (e.target as HTMLElement).closest('.cal-form')) applyCalibration();
        return;
      }
      const { steps: st, active: idx, set: s, skipped: sk } = live.current;
      const k = e.key.toLowerCase();
      const step = undoRedoKey(e);
      if (step) {
        dispatch({ type: step });
      } else if (e.ctrlKey || e.metaKey || e.altKey) {
        return;
      } else if (k === 'n') {
        setActive(idx === null ? firstOpenStep(st, s) : Math.min(st.length - 1, idx + 1));
      } else if (k === 'p') {
        setActive(idx === null ? st.length - 1 : Math.max(0, idx - 1));
      } else if (k === 's') {
        if (idx === null) return;
        const next = new Set(sk).add(st[idx]!.id);
        setSkipped(next);
        setActive(nextOpenStep(st, s, idx, next));
      } else if (e.key === 'Delete' || e.key === 'Backspace') {
        if (!selected) return;
        dispatch({ type: 'remove', target: selected });
        setSelected(null);
      } else if (k === 'l') {
        setLoupeOn((v) => !v);
      } else if (/^[1-7]$/.test(e.key)) {
        const layer = LAYERS[Number(e.key) - 1]!.id;
        setLayers((prev) => {
          const next = new Set(prev);
          if (next.has(layer)) next.delete(layer);
          else next.add(layer);
          return next;
        });
      } else if (k === 'f') {
        controllerRef.current?.fit();
      } else if (e.key === '+' || e.key === '=') {
        controllerRef.current?.zoomBy(1.25, pointerRef.current?.canvas);
      } else if (e.key === '-') {
        controllerRef.current?.zoomBy(0.8, pointerRef.current?.canvas);
      } else if (e.key === 'Enter' && mode !== 'landmarks') {
        applyCalibration();
      } else if (e.key === 'Escape') {
        if (mode !== 'landmarks') startCalibration('landmarks');
        else if (selected) setSelected(null);
        else onBack();
      } else {
        return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, mode, applyCalibration, onBack]);

  // Test and benchmark hook on the screen root, like the viewport's osteoplanViewer.
  const rootRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = rootRef.current as (HTMLDivElement & { osteoplanMeasure?: unknown }) | null;
    if (!root) return;
    root.osteoplanMeasure = {
      set: () => presentRef.current,
      dragTimings: () => dragTimings.current.slice(),
      clearDragTimings: () => void (dragTimings.current = []),
      flush: () => saver.flush(),
    };
    return () => {
      delete root.osteoplanMeasure;
    };
  }, [saver, side]);

  const selectedPos = selected ? handlePosition(set, selected) : null;
  const currentStep = active !== null ? steps[active] : null;
  const placing = mode !== 'landmarks' || (currentStep !== null && currentStep !== undefined);
  const showLoupe = loupeOn && (placing || dragging !== null);
  const loupeMarks = useMemo(() => (scene ? scene.handles.map((h) => ({ x: h.pixel.x, y: h.pixel.y, colour: h.colour })) : []), [scene]);

  const cursorClass = dragging ? 'cursor-grabbing' : hovered ? 'cursor-grab' : placing ? 'cursor-place' : 'cursor-pan';

  if (!side) {
    return (
      <div className="side-ask" data-testid="side-ask">
        <h2>Which leg do you measure?</h2>
        <p>
          The header does not say ({header.laterality ? `laterality ${header.laterality}` : 'no laterality'}). Both legs on one film are two
          measurement sets; you can switch at any time.
        </p>
        <div className="actions">
          <button className="btn primary" onClick={() => onSide('R')}>Right leg</button>
          <button className="btn primary" onClick={() => onSide('L')}>Left leg</button>
          <button className="btn ghost" onClick={onBack}>Back</button>
        </div>
      </div>
    );
  }

  return (
    <ImageWorkspace
      iv={iv}
      film={{ api, imageId, modality: detail.image.modality ?? header.modality, transferSyntaxUid: detail.image.transferSyntaxUid, frame: FRAME }}
      className={`measure ${cursorClass}`}
      rootRef={rootRef}
      data={{
        'data-testid': 'measure',
        'data-side': set.side,
        'data-save-status': saveStatus.kind,
        'data-save-latency-ms': saveStatus.kind === 'saved' ? saveStatus.latencyMs.toFixed(1) : '',
        'data-landmark-count': Object.keys(set.landmarks).length + set.femoralHeadContour.length,
      }}
      toolbarLabel="Measuring tools"
      toolbar={
        <>
          <button className="btn ghost" onClick={onBack} title="Back to the viewer (Esc)">← Viewer</button>
          <span className="sep" />
          <div className="segmented" role="group" aria-label="Leg">
            {(['R', 'L'] as const).map((s) => (
              <button key={s} className={`btn${set.side === s ? ' active' : ''}`} onClick={() => onSide(s)} aria-pressed={set.side === s} data-side-button={s}>
                {s === 'R' ? 'Right leg' : 'Left leg'}
              </button>
            ))}
          </div>
          <label className="check" title={flipSuggestion.note}>
            <input type="checkbox" checked={set.imageFlipped} onChange={(e) => dispatch({ type: 'setFlipped', imageFlipped: e.target.checked })} />
            Mirrored image
          </label>
          <span className="sep" />
          <UndoRedoButtons canUndo={canUndo(state)} canRedo={canRedo(state)} onUndo={() => dispatch({ type: 'undo' })} onRedo={() => dispatch({ type: 'redo' })} />
          <button className="btn" disabled={!selectedPos} onClick={() => selected && (dispatch({ type: 'remove', target: selected }), setSelected(null))} title="Remove the selected point (Delete)">
            Delete point
          </button>
          <span className="sep" />
          <button className={`btn${loupeOn ? ' active' : ''}`} onClick={() => setLoupeOn((v) => !v)} title="Magnifier while placing or dragging (L)" aria-pressed={loupeOn}>
            Loupe
          </button>
          <details className="layers-menu">
            <summary className="btn">Layers</summary>
            <div className="layers-pop">
              {LAYERS.map((l, i) => (
                <label key={l.id} className="check">
                  <input
                    type="checkbox"
                    checked={layers.has(l.id)}
                    data-layer={l.id}
                    onChange={() =>
                      setLayers((prev) => {
                        const next = new Set(prev);
                        if (next.has(l.id)) next.delete(l.id);
                        else next.add(l.id);
                        return next;
                      })
                    }
                  />
                  <span className="kbd">{i + 1}</span> {l.label}
                </label>
              ))}
            </div>
          </details>
          <button className="btn" onClick={() => controllerRef.current?.fit()} title="Fit to window (F)">Fit</button>
          {onPlan && (
            <>
              <span className="sep" />
              <button
                className="btn primary"
                disabled={!alignment?.keyPoints.femoralHeadCentre.available || !alignment?.keyPoints.ankleCentre.available}
                onClick={() => void saver.flush().finally(() => onPlan(set.side))}
                title="Plan the osteotomy on this leg (needs the femoral head, knee, ankle and plateau)"
                data-testid="open-plan"
              >
                Plan
              </button>
            </>
          )}
          <SaveStatusLine status={saveStatus} idle={saved[set.side] ? 'Saved' : 'Nothing placed yet'} testId="save-status" />
        </>
      }
      onPrimaryPointerDown={onPrimaryPointerDown}
      overlay={scene && view ? <OverlaySvg scene={scene} width={view.canvasWidth} height={view.canvasHeight} hovered={hovered} /> : null}
      status={() => `${set.side === 'R' ? 'Right' : 'Left'} leg · ${CALIBRATION_LABEL[calibration.type]}`}
      asideClassName="info measure-side"
      asideLabel="Measurements"
      aside={
        <>
        <h3>Landmarks</h3>
        <StepList steps={steps} set={set} active={active} skipped={skipped} onActivate={(i) => (setActive(i), setMode('landmarks'))} />
        <h3>Values</h3>
        <ValuesPanel alignment={alignment} error={alignmentError} legLengthDifference={legLengthDifference} />
        <h3>Calibration</h3>
        <div className="cal-section">
          <span className={`cal-badge cal-${calibration.type}`} data-testid="measure-calibration" data-calibration={calibration.type}>
            {CALIBRATION_LABEL[calibration.type]}
          </span>
          <div className="cal-note">{calibration.source}</div>
          {calibration.note && <div className="cal-note">{calibration.note}</div>}
          {calibrationError && <div className="error-text">{calibrationError}</div>}
          <div className="cal-actions">
            <button className={`btn${mode === 'calibrate-circle' ? ' active' : ''}`} onClick={() => startCalibration(mode === 'calibrate-circle' ? 'landmarks' : 'calibrate-circle')} data-testid="cal-sphere">
              Sphere
            </button>
            <button className={`btn${mode === 'calibrate-line' ? ' active' : ''}`} onClick={() => startCalibration(mode === 'calibrate-line' ? 'landmarks' : 'calibrate-line')} data-testid="cal-line">
              Line
            </button>
            {set.userCalibration && (
              <button className="btn ghost" onClick={() => dispatch({ type: 'setUserCalibration', calibration: null })} data-testid="cal-remove">
                Remove marker
              </button>
            )}
          </div>
          {mode !== 'landmarks' && (
            <div className="cal-form">
              {mode === 'calibrate-line' ? (
                <label>
                  Known length
                  <input inputMode="decimal" value={knownLengthMm} onChange={(e) => setKnownLengthMm(e.target.value)} aria-label="Known length in mm" data-testid="cal-length" /> mm
                </label>
              ) : (
                <label>
                  Sphere diameter
                  <input inputMode="decimal" value={sphereMm} onChange={(e) => setSphereMm(e.target.value)} aria-label="Sphere diameter in mm" data-testid="cal-diameter" /> mm
                </label>
              )}
              <div className="cal-actions">
                <button className="btn primary" onClick={applyCalibration} data-testid="cal-apply">Apply</button>
                <button className="btn ghost" onClick={() => setPendingCal((p) => p.slice(0, -1))} disabled={pendingCal.length === 0}>Undo point</button>
                <button className="btn ghost" onClick={() => startCalibration('landmarks')}>Cancel</button>
              </div>
              {calMessage && <div className="error-text" role="alert">{calMessage}</div>}
            </div>
          )}
        </div>
        <h3>Settings</h3>
        <div className="settings">
          <label>
            Knee centre
            <select value={set.variants.kneeCentre} onChange={(e) => dispatch({ type: 'setVariants', variants: { kneeCentre: e.target.value as (typeof KNEE_CENTRE_VARIANTS)[number] } })}>
              {KNEE_CENTRE_VARIANTS.map((v) => (
                <option key={v} value={v}>{KNEE_LABEL[v]}</option>
              ))}
            </select>
          </label>
          <label>
            Ankle centre
            <select value={set.variants.ankleCentre} onChange={(e) => dispatch({ type: 'setVariants', variants: { ankleCentre: e.target.value as (typeof ANKLE_CENTRE_VARIANTS)[number] } })}>
              {ANKLE_CENTRE_VARIANTS.map((v) => (
                <option key={v} value={v}>{ANKLE_LABEL[v]}</option>
              ))}
            </select>
          </label>
          <label>
            Plateau
            <select value={set.variants.plateau} onChange={(e) => dispatch({ type: 'setVariants', variants: { plateau: e.target.value as (typeof PLATEAU_VARIANTS)[number] } })}>
              {PLATEAU_VARIANTS.map((v) => (
                <option key={v} value={v}>{PLATEAU_LABEL[v]}</option>
              ))}
            </select>
          </label>
          <div className="cal-note">{flipSuggestion.note}</div>
        </div>
        <ClinicalPanel api={api} detail={detail} onDetail={onDetail} />
        </>
      }
    >
      {showLoupe && <ViewportLoupe iv={iv} pointer={pointer} marks={loupeMarks} />}
      {mode !== 'landmarks' ? (
        <div className="place-hint" data-testid="place-hint">
          {mode === 'calibrate-line' ? `Calibration line: click both ends of the marker (${pendingCal.length}/2).` : `Calibration sphere: click points around its outline (${pendingCal.length}, at least 3).`}
        </div>
      ) : currentStep ? (
        <div className="place-hint" data-testid="place-hint">
          Click: <b>{currentStep.label}</b>
          {currentStep.kind === 'contour' ? ` (${set.femoralHeadContour.length}${set.femoralHeadContour.length < MIN_CONTOUR_POINTS ? ` of ≥ ${MIN_CONTOUR_POINTS}` : ', N when done'})` : ''}
        </div>
      ) : null}
    </ImageWorkspace>
  );
}

/** clinical-spec §6: the study's role and the operation date, set from the measuring screen. */
function ClinicalPanel({ api, detail, onDetail }: { api: OsteoplanApi; detail: ImageDetail; onDetail(d: ImageDetail): void }) {
  const [role, setRole] = useState<StudyRole | ''>(detail.study.role ?? '');
  const [date, setDate] = useState(detail.study.operationDate ?? '');
  const [status, setStatus] = useState<{ kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const dirty = role !== (detail.study.role ?? '') || date !== (detail.study.operationDate ?? '');
  const save = () => {
    setStatus({ kind: 'saving' });
    api
      .invoke('study:setClinical', { studyId: detail.study.id, role: role || null, operationDate: date || null })
      .then((r) => {
        onDetail({ ...detail, study: { ...detail.study, role: r.role, operationDate: r.operationDate } });
        setStatus({ kind: 'saved' });
      })
      .catch((err) => setStatus({ kind: 'error', message: errorText(err) }));
  };
  return (
    <>
      <h3>Study</h3>
      <div className="settings" data-testid="clinical">
        <div className="cal-note">
          {formatPersonName(detail.patient.name)} · {formatDicomDate(detail.study.studyDate)}
          {detail.study.description ? ` · ${detail.study.description}` : ''}
        </div>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as StudyRole | '')} data-testid="study-role">
            <option value="">Not set</option>
            {(Object.keys(ROLE_LABEL) as StudyRole[]).map((r) => (
              <option key={r} value={r}>{ROLE_LABEL[r]}</option>
            ))}
          </select>
        </label>
        <label>
          Operation date
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} data-testid="operation-date" />
        </label>
        <div className="cal-actions">
          <button className="btn" disabled={!dirty || status.kind === 'saving'} onClick={save} data-testid="clinical-save">
            Save study
          </button>
          {status.kind === 'saved' && !dirty && <span className="save-status">Saved</span>}
          {status.kind === 'error' && <span className="error-text" role="alert">Not saved: {status.message}</span>}
        </div>
      </div>
    </>
  );
}
