// The plan screen (issue 5, "Plan the osteotomy on the film"; clinical-spec §5): the measuring
// screen's sibling on the same viewport. From the measured leg it computes the plan on every
// change (computePlan + planDisplayGeometry, microseconds), draws it through projection.ts, lets
// the surgeon drag the hinge and cut entry, shows the simulated correction (the film itself cut
// and rotated) and autosaves plans like landmarks. Several plans per leg, one chosen. Every edit
// is an undo step (a drag is one), undo and redo are saved like edits, and the History panel
// previews any saved revision read-only and restores it as a new one.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { decideCalibration, type Calibration } from '../../../../shared/calibration/calibration';
import type { ImageDetail, PlanRevisionInfo, SavedLandmarkSet, SavedPlan } from '../../../../shared/ipc/contract';
import { landmarkLabel } from '../../../../shared/landmarks/catalogue';
import { computeLegAlignment, type LegAlignment } from '../../../../shared/measurements/leg-alignment';
import { planDisplayGeometry, type PlanDisplayGeometry } from '../../../../shared/planning/display-geometry';
import { computePlan, type PlanResult } from '../../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import type { Plan } from '../../../../shared/schemas/plan';
import { ApiError, type OsteoplanApi } from '../../api';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';
import { formatDicomDate, formatPersonName } from '../../format';
import { OverlaySvg } from '../../overlays/OverlaySvg';
import { buildPlanOverlay } from '../../overlays/plan-overlay';
import { beginGesture } from '../../overlays/pointer-gesture';
import { SimulationCanvas } from '../../overlays/SimulationCanvas';
import { canRedo, canUndo, record, redo, startHistory, undo, undoRedoKey, type UndoHistory } from '../../undo-history';
import { handleAt, ImageWorkspace, isTypingTarget, SaveStatusLine, UndoRedoButtons, useHandleHover, useImageView, ViewportLoupe, type ViewportPointer } from '../../viewer/ImageWorkspace';
import * as projection from '../../viewer/projection';
import type { Point } from '../../viewer/projection';
import { Autosaver, useAutosaverLifecycle, type SaveStatus } from '../measure/autosave';
import { PlanEditor } from './PlanEditor';
import { PlanHistory } from './PlanHistory';
import { PlanList } from './PlanList';
import { PlanResults } from './PlanResults';
import { duplicatePlan, newPlan, nextPlanName, withHandle, type PlanHandleRef } from './plan-model';

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
interface SavedDraft {
  localKey: string;
  planId: number | null;
  plan: Plan;
}

/** The plan being edited with its undo history; switching plans starts a fresh history. */
interface PlanDraft {
  localKey: string;
  planId: number | null;
  history: UndoHistory<Plan>;
  /**
   * Bumped by every edit, even one that changes nothing (no undo step then): the autosave trigger.
   * Choosing the preset a new plan already has still saves it, as it did before undo existed.
   */
  saves: number;
}

const openDraft = (localKey: string, planId: number | null, plan: Plan): PlanDraft => ({ localKey, planId, history: startHistory(plan), saves: 0 });

/** Plans are small documents: equal JSON is an equal plan (a re-click of the chosen preset, say). */
const sameDocument = (a: Plan, b: Plan) => JSON.stringify(a) === JSON.stringify(b);

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
      ? openDraft(`plan-${start.planId}`, start.planId, start.plan)
      : openDraft('draft-1', null, newPlan({ name: nextPlanName(legPlans.map((p) => p.plan.name)), surgeon: lastSurgeon(initialPlans) })),
  );
  const current: SavedDraft = { localKey: draft.localKey, planId: draft.planId, plan: draft.history.present };
  const draftRef = useRef(current);
  draftRef.current = current;
  /** Ids the first save of each unsaved draft got, so later saves of it revise that plan. */
  const createdIds = useRef(new Map<string, number>());

  const refreshPlans = useCallback(async () => {
    const list = await api.invoke('plan:list', { patientId: detail.patient.id });
    setPlans(list);
    return list;
  }, [api, detail.patient.id]);

  const [saveStatus, setSaveStatus] = useState<SaveStatus>({ kind: 'idle' });
  const saver = useMemo(
    () =>
      new Autosaver<SavedDraft>({
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
  useAutosaverLifecycle(saver);
  // Every change of the plan, undo and redo included, is saved like any other.
  useEffect(() => {
    if (draft.saves > 0) saver.schedule(draftRef.current);
  }, [draft.saves, saver]);

  // The plan id in the address, so a reload reopens this plan (replaceState: no hash navigation).
  useEffect(() => {
    if (draft.planId === null) return;
    const hash = `#/image/${imageId}/plan/${side}/${draft.planId}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
  }, [draft.planId, imageId, side]);

  // A revision shown read-only from the history, or null for the plan being edited.
  const [preview, setPreview] = useState<{ revision: number; plan: Plan } | null>(null);
  const previewRef = useRef(preview);
  previewRef.current = preview;

  /** A change of the surgeon's: one undo step, or one per gesture when `gesture` names a drag. */
  const edit = useCallback((update: (p: Plan) => Plan, gesture: string | null = null) => {
    setDraft((d) => {
      const next = update(d.history.present);
      // A click that re-selects what is already chosen builds an equal plan: no step, no save.
      if (next === d.history.present || sameDocument(next, d.history.present)) return { ...d, saves: d.saves + 1 };
      return { ...d, history: record(d.history, next, gesture), saves: d.saves + 1 };
    });
  }, []);
  const step = useCallback((which: 'undo' | 'redo') => {
    setPreview(null);
    setDraft((d) => {
      const history = which === 'undo' ? undo(d.history) : redo(d.history);
      return history === d.history ? d : { ...d, history, saves: d.saves + 1 };
    });
  }, []);
  const openPlanDraft = useCallback((localKey: string, planId: number | null, plan: Plan) => {
    setSelected(null);
    setPreview(null);
    setDraft(openDraft(localKey, planId, plan));
  }, []);

  const shownPlan = preview?.plan ?? draft.history.present;

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
      const result = computePlan(set, calibration, shownPlan);
      const geometry = planDisplayGeometry(set, calibration, result, { columns: header.columns, rows: header.rows });
      lastGood.current = { result, geometry };
      return { result, geometry, error: null };
    } catch (err) {
      // Keep drawing the last good plan; the message says why this one cannot be computed.
      return { result: lastGood.current?.result ?? null, geometry: lastGood.current?.geometry ?? null, error: errorText(err) };
    }
  }, [set, calibration, shownPlan, header.columns, header.rows]);
  const { result, geometry } = computed;

  const [simulate, setSimulate] = useState(false);
  const [selected, setSelected] = useState<PlanHandleRef | null>(null);
  const [dragging, setDragging] = useState<string | null>(null);
  const [pointer, setPointer] = useState<ViewportPointer | null>(null);

  const iv = useImageView();
  const { controllerRef, view, snap } = iv;

  const imageToCanvas = useMemo(() => (view ? projection.pixelToCanvasTransform(view) : null), [view]);
  const showSimulation = simulate && !!result && !!geometry;
  const scene = useMemo(() => {
    if (!view || !imageToCanvas) return null;
    return buildPlanOverlay({
      set: showSimulation ? result!.transformedSet : set,
      alignment: showSimulation ? result!.predicted : preOp,
      geometry,
      target: shownPlan.target,
      simulated: showSimulation,
      toCanvas: (p) => projection.applyAffine(imageToCanvas, p),
      bounds: { width: view.canvasWidth, height: view.canvasHeight },
      selected,
      labelFor: landmarkLabel,
    });
  }, [view, imageToCanvas, showSimulation, result, set, preOp, geometry, shownPlan.target, selected]);
  const sceneRef = useRef(scene);
  sceneRef.current = scene;

  // Current hinge and cut entry of every cut (defaults filled in), for pinning the other point of a drag.
  const cutsRef = useRef(result?.cuts ?? []);
  cutsRef.current = result?.cuts ?? [];

  const onPrimaryPointerDown = useCallback(
    (e: PointerEvent, canvasPoint: Point): boolean => {
      const c = controllerRef.current;
      if (!c) return false;
      // A previewed revision is read-only: its handles do not move.
      const hit = previewRef.current ? null : handleAt(c, sceneRef.current?.handles ?? [], canvasPoint);
      if (!hit) {
        beginGesture(c, e, canvasPoint, { grabbed: null, onClick: () => setSelected(null) });
        return true;
      }
      // The whole drag is one undo step.
      const gesture = `${hit.key}-${e.timeStamp}`;
      setSelected(hit.ref);
      setDragging(hit.key);
      beginGesture(c, e, canvasPoint, {
        grabbed: hit.pixel,
        onDrag: (pixel, canvas) => {
          const cut = cutsRef.current[hit.ref.cut];
          if (!cut) return;
          flushSync(() => {
            edit((p) => withHandle(p, hit.ref, pixel, cut), gesture);
            setPointer({ canvas, pixel });
          });
        },
        onDragEnd: () => setDragging(null),
      });
      return true;
    },
    [edit, controllerRef],
  );

  // Hover: highlight the handle under the cursor.
  const hovered = useHandleHover(iv, () => (previewRef.current ? [] : (sceneRef.current?.handles ?? [])));

  // Keyboard: Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y), C simulated correction, F fit, +/- zoom, Esc back.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTypingTarget(e.target)) return;
      const undoRedo = undoRedoKey(e);
      if (undoRedo) {
        step(undoRedo);
        e.preventDefault();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const k = e.key.toLowerCase();
      if (k === 'c') setSimulate((v) => !v);
      else if (k === 'f') controllerRef.current?.fit();
      else if (e.key === '+' || e.key === '=') controllerRef.current?.zoomBy(1.25);
      else if (e.key === '-') controllerRef.current?.zoomBy(0.8);
      else if (e.key === 'Escape') {
        if (previewRef.current) setPreview(null);
        else if (selected) setSelected(null);
        else onBack();
      } else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected, onBack, step, controllerRef]);

  // Switching plans: save the one being left first; its edits never get lost.
  const openPlan = useCallback(
    async (p: SavedPlan) => {
      if (p.imageId !== imageId || p.frame !== FRAME) {
        await saver.flush();
        onOpenPlan(p.imageId, p.side, p.planId);
        return;
      }
      await saver.flush();
      openPlanDraft(`plan-${p.planId}`, p.planId, p.plan);
    },
    [imageId, saver, onOpenPlan, openPlanDraft],
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
      openPlanDraft(`plan-${r.planId}`, r.planId, plan);
      await refreshPlans();
    });
  const names = legPlans.map((p) => p.plan.name);
  const onNew = () => createPlan(newPlan({ name: nextPlanName(names), surgeon: current.plan.surgeon ?? lastSurgeon(plans) }));
  const onDuplicate = () => createPlan(duplicatePlan(current.plan, [...names, current.plan.name]));
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
      if (next) openPlanDraft(`plan-${next.planId}`, next.planId, next.plan);
      else openPlanDraft(`draft-${Date.now()}`, null, newPlan({ name: nextPlanName([]), surgeon: current.plan.surgeon }));
    });

  // Revision history (plan:history), read when opened and again after every save while open.
  const [historyOpen, setHistoryOpen] = useState(false);
  const [revisions, setRevisions] = useState<{ planId: number; entries: PlanRevisionInfo[] } | null>(null);
  const [historyError, setHistoryError] = useState<string | null>(null);
  const savedRevision = saveStatus.kind === 'saved' ? saveStatus.revision : null;
  useEffect(() => {
    if (!historyOpen || currentId === null) return;
    let stale = false;
    setHistoryError(null);
    api
      .invoke('plan:history', { planId: currentId })
      .then((entries) => !stale && setRevisions({ planId: currentId, entries }))
      .catch((err) => !stale && setHistoryError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, historyOpen, currentId, savedRevision]);
  const onPreview = (revision: number | null) =>
    void act(async () => {
      if (revision === null || currentId === null) return setPreview(null);
      const r = await api.invoke('plan:getRevision', { planId: currentId, revision });
      setSelected(null);
      setPreview({ revision: r.revision, plan: r.plan });
    });
  // Restoring is an edit like any other: a new revision is saved, and Ctrl+Z takes it back.
  const onRestore = () => {
    const restored = previewRef.current;
    if (!restored) return;
    setPreview(null);
    edit(() => restored.plan);
  };

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
  const cursorClass = dragging ? 'cursor-grabbing' : hovered ? 'cursor-grab' : 'cursor-pan';

  return (
    <ImageWorkspace
      iv={iv}
      film={{ api, imageId, modality: detail.image.modality ?? header.modality, transferSyntaxUid: detail.image.transferSyntaxUid, frame: FRAME }}
      className={`measure plan ${cursorClass}`}
      rootRef={rootRef}
      data={{
        'data-testid': 'plan',
        'data-side': side,
        'data-plan-id': draft.planId ?? '',
        'data-save-status': saveStatus.kind,
        'data-simulated': showSimulation ? 'true' : 'false',
        'data-preview-revision': preview?.revision ?? '',
      }}
      toolbarLabel="Planning tools"
      toolbar={
        <>
          <button className="btn ghost" onClick={onBack} title="Back to the measuring screen (Esc)">← Measure</button>
          <span className="sep" />
          <span className="plan-leg" title={otherSideMeasured ? 'Open the other leg from the measuring screen' : undefined}>
            {side === 'R' ? 'Right leg' : 'Left leg'}
          </span>
          <span className="sep" />
          <UndoRedoButtons canUndo={canUndo(draft.history)} canRedo={canRedo(draft.history)} onUndo={() => step('undo')} onRedo={() => step('redo')} />
          <button
            className={`btn${historyOpen ? ' active' : ''}`}
            onClick={() => {
              setHistoryOpen((v) => !v);
              setPreview(null);
            }}
            aria-pressed={historyOpen}
            title="Every saved revision of this plan: view one, or restore it"
            data-testid="toggle-history"
          >
            History
          </button>
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
          <SaveStatusLine status={saveStatus} idle={draft.planId === null ? 'Not saved yet' : 'Saved'} testId="plan-save-status" />
        </>
      }
      onPrimaryPointerDown={onPrimaryPointerDown}
      overlay={
        scene && view && imageToCanvas ? (
          <>
            {showSimulation && geometry && <SimulationCanvas controllerRef={controllerRef} view={view} imageToCanvas={imageToCanvas} geometry={geometry} snapshot={snap} />}
            <OverlaySvg scene={scene} width={view.canvasWidth} height={view.canvasHeight} hovered={hovered} />
          </>
        ) : null
      }
      status={() => `${side === 'R' ? 'Right' : 'Left'} leg · ${showSimulation ? 'Simulated correction' : 'Pre-op film'}${preview ? ` · revision ${preview.revision} (read-only)` : ''}`}
      asideClassName="info measure-side plan-side"
      asideLabel="Plan"
      aside={
        <>
          <div className="cal-note">
            {formatPersonName(detail.patient.name)} · film of {formatDicomDate(detail.study.studyDate)}
          </div>
          <h3>Plans</h3>
          <PlanList
            plans={legPlans}
            imageId={imageId}
            currentId={currentId}
            draftName={currentId === null ? current.plan.name : null}
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
          {historyOpen && (
            <PlanHistory
              entries={revisions && revisions.planId === currentId ? revisions.entries : null}
              saved={currentId !== null}
              error={historyError}
              previewRevision={preview?.revision ?? null}
              onPreview={onPreview}
              onRestore={onRestore}
            />
          )}
          {saved && saved.latestLandmarkRevision > saved.landmarkRevision && (
            <div className="callout warn" data-testid="plan-remeasured">
              The leg was measured again after this plan was saved: the numbers below are recomputed from the new landmarks and differ from
              those at the time of planning.
            </div>
          )}
          {preview && (
            <div className="callout plan-preview-note" data-testid="plan-preview-note">
              Revision {preview.revision}, read-only: restore it from the history to edit it again.
            </div>
          )}
          <fieldset className="plan-editor-fields" disabled={preview !== null}>
            <PlanEditor plan={shownPlan} result={result} onEdit={edit} />
          </fieldset>
          <PlanResults result={result} preOp={preOp} set={set} calibration={calibration} error={computed.error} />
        </>
      }
    >
      {dragging !== null && <ViewportLoupe iv={iv} pointer={pointer} marks={scene ? scene.handles.map((h) => ({ x: h.pixel.x, y: h.pixel.y, colour: h.colour })) : []} />}
      {computed.error && (
        <div className="place-hint plan-error" role="alert" data-testid="plan-error">
          {computed.error}
        </div>
      )}
    </ImageWorkspace>
  );
}

function lastSurgeon(plans: readonly SavedPlan[]): string | null {
  const withSurgeon = [...plans].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).find((p) => p.plan.surgeon);
  return withSurgeon?.plan.surgeon ?? null;
}
