// The plan screen (issue 5, "Plan the osteotomy on the film"; clinical-spec §5): the measuring
// screen's sibling on the same viewport. From the measured leg it computes the plan on every
// change (computePlan + planDisplayGeometry, microseconds), draws it through projection.ts, lets
// the surgeon drag the hinge and cut entry, shows the simulated correction (the film itself cut
// and rotated) and autosaves plans like landmarks. Several plans per leg, one chosen.
import type { CornerstoneImage } from 'cornerstone-core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { decideCalibration, type Calibration } from '../../../../shared/calibration/calibration';
import type { ImageDetail, SavedLandmarkSet, SavedPlan } from '../../../../shared/ipc/contract';
import { landmarkLabel } from '../../../../shared/landmarks/catalogue';
import { computeLegAlignment, type LegAlignment } from '../../../../shared/measurements/leg-alignment';
import { planDisplayGeometry, type PlanDisplayGeometry } from '../../../../shared/planning/display-geometry';
import { computePlan, type PlanResult } from '../../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import type { Plan } from '../../../../shared/schemas/plan';
import { ApiError, type OsteoplanApi } from '../../api';
import { formatDicomDate, formatPersonName } from '../../format';
import { hitTest } from '../../overlays/leg-overlay';
import { Loupe, LOUPE_SIZE } from '../../overlays/Loupe';
import { OverlaySvg } from '../../overlays/OverlaySvg';
import { buildPlanOverlay } from '../../overlays/plan-overlay';
import { beginGesture } from '../../overlays/pointer-gesture';
import { SimulationCanvas } from '../../overlays/SimulationCanvas';
import { DicomViewport, type ViewerController, type ViewSnapshot } from '../../viewer/DicomViewport';
import * as projection from '../../viewer/projection';
import type { Point, ViewState } from '../../viewer/projection';
import { Autosaver, saveStatusText, type SaveStatus } from '../measure/autosave';
import { PlanEditor } from './PlanEditor';
import { PlanList } from './PlanList';
import { PlanResults } from './PlanResults';
import { duplicatePlan, newPlan, nextPlanName, withHandle, type PlanHandleRef } from './plan-model';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';

type Side = 'L' | 'R';
const FRAME = 0; // the viewer shows the first frame, as on the measuring screen

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String((err as Error)?.message ?? err));

interface Props {
  api: OsteoplanApi;
  imageId: number;
  side: Side | null;
  planId: number | null;
  onBack(side: Side | null): void;
  /** Another plan of the patient lives on another film: open it there. */
  onOpenPlan(imageId: number, side: Side, planId: number): void;
}

interface Loaded {
  detail: ImageDetail;
  sets: Partial<Record<Side, LandmarkSet>>;
  plans: SavedPlan[];
}

export function PlanScreen({ api, imageId, side, planId, onBack, onOpenPlan }: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    setLoaded(null);
    setLoadError(null);
    (async () => {
      const [detail, list] = await Promise.all([api.invoke('library:getImage', { imageId }), api.invoke('measurement:list', { imageId })]);
      const plans = await api.invoke('plan:list', { patientId: detail.patient.id });
      const sets: Partial<Record<Side, LandmarkSet>> = {};
      for (const s of list as SavedLandmarkSet[]) if (s.set.frame === FRAME) sets[s.set.side] = s.set;
      if (!stale) setLoaded({ detail, sets, plans });
    })().catch((err) => !stale && setLoadError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, imageId]);

  if (loadError) {
    return <ScreenError onBack={() => onBack(side)}>{loadError}</ScreenError>;
  }
  if (!loaded) {
    return <ScreenLoading />;
  }
  // The leg: the route's, else the plan's, else the one measured (right first).
  const routePlan = planId !== null ? loaded.plans.find((p) => p.planId === planId && p.imageId === imageId) : undefined;
  const legSide: Side | null = side ?? routePlan?.side ?? (loaded.sets.R ? 'R' : loaded.sets.L ? 'L' : null);
  const set = legSide ? loaded.sets[legSide] : undefined;
  if (!legSide || !set) {
    return (
      <div className="side-ask" data-testid="plan-needs-measure">
        <h2>Measure the leg first</h2>
        <p>
          A plan is computed from the measured leg: place the femoral head, knee, ankle and plateau landmarks of the {legSide === 'L' ? 'left' : legSide === 'R' ? 'right' : ''} leg on
          the measuring screen, then come back here.
        </p>
        <div className="actions">
          <button className="btn primary" onClick={() => onBack(legSide)}>Measure this film</button>
        </div>
      </div>
    );
  }
  return (
    <PlanWorkspace
      key={legSide}
      api={api}
      imageId={imageId}
      detail={loaded.detail}
      set={set}
      side={legSide}
      otherSideMeasured={!!loaded.sets[legSide === 'R' ? 'L' : 'R']}
      initialPlans={loaded.plans}
      initialPlanId={routePlan?.planId ?? null}
      onBack={() => onBack(legSide)}
      onOpenPlan={onOpenPlan}
    />
  );
}

interface WorkspaceProps {
  api: OsteoplanApi;
  imageId: number;
  detail: ImageDetail;
  set: LandmarkSet;
  side: Side;
  otherSideMeasured: boolean;
  initialPlans: SavedPlan[];
  initialPlanId: number | null;
  onBack(): void;
  onOpenPlan(imageId: number, side: Side, planId: number): void;
}

/** What the autosaver saves: the plan and the id it has (null until the first save creates it). */
interface PlanDraft {
  localKey: string;
  planId: number | null;
  plan: Plan;
}

function startingPlan(plans: SavedPlan[], imageId: number, side: Side, wanted: number | null): SavedPlan | null {
  const here = plans.filter((p) => p.imageId === imageId && p.frame === FRAME && p.side === side);
  return here.find((p) => p.planId === wanted) ?? here.find((p) => p.chosen) ?? here[0] ?? null;
}

function PlanWorkspace({ api, imageId, detail, set, side, otherSideMeasured, initialPlans, initialPlanId, onBack, onOpenPlan }: WorkspaceProps) {
  const header = detail.header;
  const [plans, setPlans] = useState<SavedPlan[]>(initialPlans);
  const legPlans = useMemo(() => plans.filter((p) => p.side === side), [plans, side]);
  const start = useMemo(() => startingPlan(initialPlans, imageId, side, initialPlanId), [initialPlans, imageId, side, initialPlanId]);
  const [draft, setDraft] = useState<PlanDraft>(() =>
    start
      ? { localKey: `plan-${start.planId}`, planId: start.planId, plan: start.plan }
      : { localKey: 'draft-1', planId: null, plan: newPlan({ name: nextPlanName(legPlans.map((p) => p.plan.name)), surgeon: lastSurgeon(initialPlans) }) },
  );
  const draftRef = useRef(draft);
  draftRef.current = draft;
  /** Ids the first save of each unsaved draft got, so later saves of it revise that plan. */
  const createdIds = useRef(new Map<string, number>());
  const [edits, setEdits] = useState(0);

  const refreshPlans = useCallback(async () => {
    const list = await api.invoke('plan:list', { patientId: detail.patient.id });
    setPlans(list);
    return list;
  }, [api, detail.patient.id]);

  const [saveStatus, setSaveStatus] = useState<SaveStatus>({ kind: 'idle' });
  const saver = useMemo(
    () =>
      new Autosaver<PlanDraft>({
        keyOf: (d) => d.localKey,
        save: async (d) => {
          const planId = d.planId ?? createdIds.current.get(d.localKey) ?? null;
          const r = await api.invoke('plan:save', { planId, imageId, frame: FRAME, side, plan: d.plan });
          if (planId === null) {
            createdIds.current.set(d.localKey, r.planId);
            setDraft((cur) => (cur.localKey === d.localKey ? { ...cur, planId: r.planId } : cur));
          }
          void refreshPlans().catch(() => {});
          return r;
        },
        onStatus: setSaveStatus,
      }),
    [api, imageId, side, refreshPlans],
  );
  useEffect(() => {
    const flush = () => void saver.flush();
    window.addEventListener('beforeunload', flush);
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('beforeunload', flush);
      window.removeEventListener('pagehide', flush);
      void saver.flush().finally(() => saver.dispose());
    };
  }, [saver]);
  useEffect(() => {
    if (edits > 0) saver.schedule(draftRef.current);
  }, [edits, saver]);

  // The plan id in the address, so a reload reopens this plan (replaceState: no hash navigation).
  useEffect(() => {
    if (draft.planId === null) return;
    const hash = `#/image/${imageId}/plan/${side}/${draft.planId}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, [draft.planId, imageId, side]);

  const edit = useCallback((update: (p: Plan) => Plan) => {
    setDraft((d) => ({ ...d, plan: update(d.plan) }));
    setEdits((n) => n + 1);
  }, []);

  // clinical-spec §4 calibration and §3 pre-op values, then §5: the plan and what to draw.
  const calibration = useMemo((): Calibration => {
    try {
      return decideCalibration(header, set.userCalibration);
    } catch {
      return decideCalibration(header);
    }
  }, [header, set.userCalibration]);
  const preOp = useMemo((): LegAlignment | null => {
    try {
      return computeLegAlignment(set, calibration);
    } catch {
      return null;
    }
  }, [set, calibration]);
  const lastGood = useRef<{ result: PlanResult; geometry: PlanDisplayGeometry } | null>(null);
  const computed = useMemo((): { result: PlanResult | null; geometry: PlanDisplayGeometry | null; error: string | null } => {
    try {
      const result = computePlan(set, calibration, draft.plan);
      const geometry = planDisplayGeometry(set, calibration, result, { columns: header.columns, rows: header.rows });
      lastGood.current = { result, geometry };
      return { result, geometry, error: null };
    } catch (err) {
      // Keep drawing the last good plan; the message says why this one cannot be computed.
      return { result: lastGood.current?.result ?? null, geometry: lastGood.current?.geometry ?? null, error: errorText(err) };
    }
  }, [set, calibration, draft.plan, header.columns, header.rows]);
  const { result, geometry } = computed;

  const [simulate, setSimulate] = useState(false);
  const [selected, setSelected] = useState<PlanHandleRef | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [pointer, setPointer] = useState<{ canvas: Point; pixel: Point } | null>(null);

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

  const imageToCanvas = useMemo(() => (view ? projection.pixelToCanvasTransform(view) : null), [view]);
  const showSimulation = simulate && !!result && !!geometry;
  const scene = useMemo(() => {
    if (!view || !imageToCanvas) return null;
    return buildPlanOverlay({
      set: showSimulation ? result!.transformedSet : set,
      alignment: showSimulation ? result!.predicted : preOp,
      geometry,
      target: draft.plan.target,
      simulated: showSimulation,
      toCanvas: (p) => projection.applyAffine(imageToCanvas, p),
      bounds: { width: view.canvasWidth, height: view.canvasHeight },
      selected,
      labelFor: landmarkLabel,
    });
  }, [view, imageToCanvas, showSimulation, result, set, preOp, geometry, draft.plan.target, selected]);
  const sceneRef = useRef(scene);
  sceneRef.current = scene;

  // Current hinge and cut entry of every cut (defaults filled in), for pinning the other point of a drag.
  const cutsRef = useRef(result?.cuts ?? []);
  cutsRef.current = result?.cuts ?? [];

  const onPrimaryPointerDown = useCallback(
    (e: PointerEvent, canvasPoint: Point): boolean => {
      const c = controllerRef.current;
      if (!c) return false;
      const handles = (sceneRef.current?.handles ?? []).map((h) => ({ ...h, at: c.pixelToCanvas(h.pixel) }));
      const hit = hitTest(handles, canvasPoint);
      if (!hit) {
        beginGesture(c, e, canvasPoint, { grabbed: null, onClick: () => setSelected(null) });
        return true;
      }
      setSelected(hit.ref);
      setDragging(hit.key);
      beginGesture(c, e, canvasPoint, {
        grabbed: hit.pixel,
        onDrag: (pixel, canvas) => {
          const cut = cutsRef.current[hit.ref.cut];
          if (!cut) return;
          flushSync(() => {
            edit((p) => withHandle(p, hit.ref, pixel, cut));
            setPointer({ canvas, pixel });
          });
        },
        onDragEnd: () => setDragging(null),
      });
      return true;
    },
    [edit],
  );

  // Hover: highlight the handle under the cursor.
  useEffect(() => {
    const c = controllerRef.current;
    if (!c || !view) return;
    const element = c.element;
    const canvas = element.querySelector('canvas')!;
    const onMove = (ev: PointerEvent) => {
      const p = projection.clientToCanvas(canvas.getBoundingClientRect(), canvas, ev.clientX, ev.clientY);
      const handles = (sceneRef.current?.handles ?? []).map((h) => ({ ...h, at: c.pixelToCanvas(h.pixel) }));
      const h = hitTest(handles, p);
      setHovered((prev) => (prev === (h?.key ?? null) ? prev : (h?.key ?? null)));
    };
    const onLeave = () => setHovered(null);
    element.addEventListener('pointermove', onMove);
    element.addEventListener('pointerleave', onLeave);
    return () => {
      element.removeEventListener('pointermove', onMove);
      element.removeEventListener('pointerleave', onLeave);
    };
  }, [view !== null]);

  // Keyboard: C simulated correction, F fit, +/- zoom, Esc back.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === 'c') setSimulate((v) => !v);
      else if (k === 'f') controllerRef.current?.fit();
      else if (e.key === '+' || e.key === '=') controllerRef.current?.zoomBy(1.25);
      else if (e.key === '-') controllerRef.current?.zoomBy(0.8);
      else if (e.key === 'Escape') {
        if (selected) setSelected(null);
        else onBack();
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, onBack]);

  // Switching plans: save the one being left first; its edits never get lost.
  const openPlan = useCallback(
    async (p: SavedPlan) => {
      if (p.imageId !== imageId || p.frame !== FRAME) {
        await saver.flush();
        onOpenPlan(p.imageId, p.side, p.planId);
        return;
      }
      await saver.flush();
      setSelected(null);
      setDraft({ localKey: `plan-${p.planId}`, planId: p.planId, plan: p.plan });
    },
    [imageId, saver, onOpenPlan],
  );
  const [listError, setListError] = useState<string | null>(null);
  const act = useCallback(async (fn: () => Promise<unknown>) => {
    setListError(null);
    try {
      await fn();
    } catch (err) {
      setListError(errorText(err));
    }
  }, []);
  const createPlan = (plan: Plan) =>
    act(async () => {
      await saver.flush();
      const r = await api.invoke('plan:save', { planId: null, imageId, frame: FRAME, side, plan });
      setSelected(null);
      setDraft({ localKey: `plan-${r.planId}`, planId: r.planId, plan });
      await refreshPlans();
    });
  const names = legPlans.map((p) => p.plan.name);
  const onNew = () => createPlan(newPlan({ name: nextPlanName(names), surgeon: draft.plan.surgeon ?? lastSurgeon(plans) }));
  const onDuplicate = () => createPlan(duplicatePlan(draft.plan, [...names, draft.plan.name]));
  const onSaveDraft = () => act(() => saver.flush().then(() => saver.schedule(draftRef.current)).then(() => saver.flush()));
  const currentId = draft.planId;
  const onChoose = (chosen: boolean) =>
    act(async () => {
      if (currentId === null) return;
      await saver.flush();
      await api.invoke('plan:setChosen', { planId: currentId, chosen });
      await refreshPlans();
    });
  const onArchive = () =>
    act(async () => {
      if (currentId === null) return;
      await saver.flush();
      await api.invoke('plan:archive', { planId: currentId });
      const list = await refreshPlans();
      const next = startingPlan(list, imageId, side, null);
      setSelected(null);
      setDraft(
        next
          ? { localKey: `plan-${next.planId}`, planId: next.planId, plan: next.plan }
          : { localKey: `draft-${Date.now()}`, planId: null, plan: newPlan({ name: nextPlanName([]), surgeon: draft.plan.surgeon }) },
      );
    });

  // Test and benchmark hook on the screen root, like the measuring screen's.
  const rootRef = useRef<HTMLDivElement>(null);
  const resultRef = useRef(result);
  resultRef.current = result;
  useEffect(() => {
    const root = rootRef.current as (HTMLDivElement & { osteoplanPlan?: unknown }) | null;
    if (!root) return;
    root.osteoplanPlan = {
      plan: () => draftRef.current.plan,
      planId: () => draftRef.current.planId,
      result: () => resultRef.current,
      flush: () => saver.flush(),
    };
    return () => {
      delete root.osteoplanPlan;
    };
  }, [saver]);

  const saved = currentId !== null ? plans.find((p) => p.planId === currentId) : undefined;
  const statusText = saveStatusText(saveStatus, draft.planId === null ? 'Not saved yet' : 'Saved');
  const zoom = snap?.zoom ?? 1;
  const showLoupe = image && snap && pointer && view && dragging !== null;
  let loupeLeft = 0;
  let loupeTop = 0;
  if (pointer && view) {
    loupeLeft = pointer.canvas.x + 28;
    loupeTop = pointer.canvas.y - LOUPE_SIZE - 28;
    if (loupeLeft + LOUPE_SIZE + 4 > view.canvasWidth) loupeLeft = pointer.canvas.x - LOUPE_SIZE - 28;
    if (loupeTop < 4) loupeTop = pointer.canvas.y + 28;
  }
  const cursorClass = dragging ? 'cursor-grabbing' : hovered ? 'cursor-grab' : 'cursor-pan';

  return (
    <div
      className={`measure plan ${cursorClass}`}
      ref={rootRef}
      data-testid="plan"
      data-side={side}
      data-plan-id={draft.planId ?? ''}
      data-save-status={saveStatus.kind}
      data-simulated={showSimulation ? 'true' : 'false'}
    >
      <div className="viewer-main">
        <div className="toolbar" role="toolbar" aria-label="Planning tools">
          <button className="btn ghost" onClick={onBack} title="Back to the measuring screen (Esc)">← Measure</button>
          <span className="sep" />
          <span className="plan-leg" title={otherSideMeasured ? 'Open the other leg from the measuring screen' : undefined}>
            {side === 'R' ? 'Right leg' : 'Left leg'}
          </span>
          <span className="sep" />
          <button
            className={`btn${simulate ? ' active' : ''}`}
            onClick={() => setSimulate((v) => !v)}
            aria-pressed={simulate}
            disabled={!result}
            title="Show the film cut along the osteotomy and the fragment rotated about the hinge (C)"
            data-testid="toggle-simulation"
          >
            Simulated correction
          </button>
          <button className="btn" onClick={() => controllerRef.current?.fit()} title="Fit to window (F)">Fit</button>
          <span className="spacer" />
          <span className={`save-status save-${saveStatus.kind}`} data-testid="plan-save-status" role="status">
            {statusText}
          </span>
        </div>
        <div className="viewport-area">
          <DicomViewport
            api={api}
            imageId={imageId}
            modality={detail.image.modality ?? header.modality}
            transferSyntaxUid={detail.image.transferSyntaxUid}
            frame={FRAME}
            tool="pan"
            controllerRef={controllerRef}
            onView={onView}
            onLoaded={onLoaded}
            onPrimaryPointerDown={onPrimaryPointerDown}
            overlay={
              scene && view && imageToCanvas ? (
                <>
                  {showSimulation && geometry && <SimulationCanvas controllerRef={controllerRef} view={view} imageToCanvas={imageToCanvas} geometry={geometry} snapshot={snap} />}
                  <OverlaySvg scene={scene} width={view.canvasWidth} height={view.canvasHeight} hovered={hovered} />
                </>
              ) : null
            }
          />
          {showLoupe && (
            <Loupe
              image={image}
              centre={pointer.pixel}
              magnification={Math.min(12, Math.max(2, zoom * 4))}
              voi={{ windowCenter: snap.windowCenter, windowWidth: snap.windowWidth }}
              invert={snap.invert}
              left={loupeLeft}
              top={loupeTop}
              marks={scene ? scene.handles.map((h) => ({ x: h.pixel.x, y: h.pixel.y, colour: h.colour })) : []}
            />
          )}
          {computed.error && (
            <div className="place-hint plan-error" role="alert" data-testid="plan-error">
              {computed.error}
            </div>
          )}
          {snap && (
            <div className="viewport-status" data-testid="viewport-status">
              Zoom {(snap.zoom * 100).toFixed(0)} % · {side === 'R' ? 'Right' : 'Left'} leg · {showSimulation ? 'Simulated correction' : 'Pre-op film'}
            </div>
          )}
        </div>
      </div>
      <aside className="info measure-side plan-side" aria-label="Plan">
        <div className="cal-note">
          {formatPersonName(detail.patient.name)} · film of {formatDicomDate(detail.study.studyDate)}
        </div>
        <h3>Plans</h3>
        <PlanList
          plans={legPlans}
          imageId={imageId}
          currentId={currentId}
          draftName={currentId === null ? draft.plan.name : null}
          onOpen={(p) => void act(() => openPlan(p))}
          onNew={() => void onNew()}
          onDuplicate={() => void onDuplicate()}
          onSaveDraft={() => void onSaveDraft()}
          onChoose={(c) => void onChoose(c)}
          onArchive={() => void onArchive()}
          currentChosen={!!saved?.chosen}
        />
        {listError && (
          <div className="error-text" role="alert">
            {listError}
          </div>
        )}
        {saved && saved.latestLandmarkRevision > saved.landmarkRevision && (
          <div className="callout warn" data-testid="plan-remeasured">
            The leg was measured again after this plan was saved: the numbers below are recomputed from the new landmarks and differ from
            those at the time of planning.
          </div>
        )}
        <PlanEditor plan={draft.plan} result={result} onEdit={edit} />
        <PlanResults result={result} preOp={preOp} set={set} calibration={calibration} error={computed.error} />
      </aside>
    </div>
  );
}

function lastSurgeon(plans: readonly SavedPlan[]): string | null {
  const withSurgeon = [...plans].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).find((p) => p.plan.surgeon);
  return withSurgeon?.plan.surgeon ?? null;
}
