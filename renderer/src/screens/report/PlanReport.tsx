// The theatre report: one saved plan as an A4 page the surgeon takes to the operating room. Every
// number is recomputed here by the planning screen's own engine calls (computePlan +
// planDisplayGeometry on the leg's current landmarks and the film's calibration, clinical-spec
// §4–§5); nothing derived is stored. The sheet is laid out in mm at A4 size on screen too, so what
// the print dialog or "Save as PDF" produces is what the surgeon sees here.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { decideCalibration, type Calibration } from '../../../../shared/calibration/calibration';
import type { AppInfo, ImageDetail, SavedLandmarkSet, SavedPlan } from '../../../../shared/ipc/contract';
import { planDisplayGeometry, type PlanDisplayGeometry } from '../../../../shared/planning/display-geometry';
import { computePlan, type PlanResult } from '../../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { ApiError, type OsteoplanApi } from '../../api';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';
import type { ViewState } from '../../viewer/projection';
import { OVERLAY_COLOURS, PLAN_COLOURS } from '../../overlays/palette';
import { closingSavesSettled } from '../measure/autosave';
import { ReportFigure } from './ReportFigure';
import './report.css';
import { kneeFigureScene, kneeRegion, legFigureScene, legRegion } from './report-figures';
import {
  alignmentChangeNumber,
  CALIBRATION_WORDS,
  comparisonRows,
  cutSummaries,
  localDateTime,
  procedureSentences,
  reportHeader,
  reportWarnings,
  type PointPosition,
  type TheatreNumber,
} from './report-model';

type Side = 'L' | 'R';

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String((err as Error)?.message ?? err));

interface Props {
  api: OsteoplanApi;
  imageId: number;
  side: Side;
  planId: number;
  onBack(): void;
}

interface Loaded {
  detail: ImageDetail;
  saved: SavedPlan;
  set: LandmarkSet;
  setRevision: number;
  /** The landmarks the plan was saved on, when the leg has been measured again since (null otherwise or unreadable). */
  setAtPlanning: LandmarkSet | null;
  app: AppInfo | null;
}

async function loadReport(api: OsteoplanApi, imageId: number, side: Side, planId: number): Promise<Loaded> {
  // The plan screen's last edit may still be saving: the report must show the plan as last edited.
  await closingSavesSettled();
  const [detail, sets, app] = await Promise.all([
    api.invoke('library:getImage', { imageId }),
    api.invoke('measurement:list', { imageId }),
    api.invoke('app:info', {}).catch(() => null),
  ]);
  const plans = await api.invoke('plan:list', { patientId: detail.patient.id });
  const saved = plans.find((p) => p.planId === planId);
  if (!saved) throw new Error(`Plan ${planId} is not in the library any more (it may have been archived): open the patient's plans on the planning screen.`);
  if (saved.imageId !== imageId || saved.side !== side) {
    throw new Error(`Plan “${saved.plan.name}” is drawn on the ${saved.side === 'R' ? 'right' : 'left'} leg of another film (${saved.studyDate ?? 'no date'}): open it from the planning screen.`);
  }
  const current = (sets as SavedLandmarkSet[]).find((s) => s.set.frame === saved.frame && s.set.side === saved.side);
  if (!current) throw new Error('The leg this plan was made on has no landmarks any more: measure it again, then check the plan.');
  let setAtPlanning: LandmarkSet | null = null;
  if (saved.latestLandmarkRevision > saved.landmarkRevision) {
    setAtPlanning = await api
      .invoke('measurement:getRevision', { imageId, frame: saved.frame, side: saved.side, revision: saved.landmarkRevision })
      .then((r) => r.set)
      .catch(() => null);
  }
  return { detail, saved, set: current.set, setRevision: current.revision, setAtPlanning, app };
}

/** clinical-spec §4: the user's marker wins; a marker the engine refuses falls back to the header, as on the plan screen. */
function calibrationFor(detail: ImageDetail, set: LandmarkSet): Calibration {
  try {
    return decideCalibration(detail.header, set.userCalibration);
  } catch {
    return decideCalibration(detail.header);
  }
}

function tryPlan(set: LandmarkSet, calibration: Calibration, saved: SavedPlan, detail: ImageDetail): { result: PlanResult; geometry: PlanDisplayGeometry } | { error: string } {
  try {
    const result = computePlan(set, calibration, saved.plan);
    const geometry = planDisplayGeometry(set, calibration, result, { columns: detail.header.columns, rows: detail.header.rows });
    return { result, geometry };
  } catch (err) {
    return { error: errorText(err) };
  }
}

export function PlanReport({ api, imageId, side, planId, onBack }: Props) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    loadReport(api, imageId, side, planId)
      .then((l) => !stale && setLoaded(l))
      .catch((err) => !stale && setLoadError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, imageId, side, planId]);

  if (loadError) {
    return (
      <ScreenError onBack={onBack} backLabel="Back to plan">
        {loadError}
      </ScreenError>
    );
  }
  if (!loaded) return <ScreenLoading />;
  return <ReportSheet api={api} loaded={loaded} onBack={onBack} />;
}

/** A theatre number: the ones the surgeon acts on in a large tile, the others on a line. */
function NumberTile({ n }: { n: TheatreNumber }) {
  return (
    <div className={`report-number${n.primary ? ' big' : ''}${n.value === null ? ' missing' : ''}`} data-report-value={n.id} data-value={n.value ?? ''}>
      <div className="report-number-label">{n.label}</div>
      <div className="report-number-value">{n.text}</div>
      {n.calibration && <div className="report-number-cal">mm {CALIBRATION_WORDS[n.calibration]}</div>}
    </div>
  );
}

function Position({ label, id, at }: { label: string; id: string; at: PointPosition }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-report-position={id} data-inside={at.insideMm ?? ''} data-from-joint={at.fromJointMm ?? ''}>
        {at.text}
      </dd>
    </>
  );
}

/** A line sample as drawn on the film (on black, like the film), for captions on white paper. */
function Swatch({ colour, dash }: { colour: string; dash?: string }) {
  return (
    <svg className="report-swatch" width="22" height="9" viewBox="0 0 22 9" aria-hidden="true">
      <rect width="22" height="9" fill="#000" />
      <line x1="2" y1="4.5" x2="20" y2="4.5" stroke={colour} strokeWidth="2" strokeDasharray={dash} />
    </svg>
  );
}

const SEVERITY_WORD = { strong: 'STOP', warn: 'WARNING', info: 'NOTE' } as const;

function ReportSheet({ api, loaded, onBack }: { api: OsteoplanApi; loaded: Loaded; onBack(): void }) {
  const { detail, saved, set, setRevision, setAtPlanning, app } = loaded;
  const calibration = useMemo(() => calibrationFor(detail, set), [detail, set]);
  const computed = useMemo(() => tryPlan(set, calibration, saved, detail), [set, calibration, saved, detail]);
  const atPlanning = useMemo(() => {
    if (!setAtPlanning) return null;
    const r = tryPlan(setAtPlanning, calibrationFor(detail, setAtPlanning), saved, detail);
    return 'result' in r ? r.result : null;
  }, [setAtPlanning, saved, detail]);
  const ok = 'result' in computed ? computed : null;
  const header = reportHeader(detail, saved);
  const warnings = reportWarnings(saved, calibration, ok?.result ?? null, atPlanning);
  const cuts = ok ? cutSummaries(calibration, ok.result) : [];
  const rows = ok ? comparisonRows(set, calibration, ok.result) : [];

  // "Save as PDF" proposes the document title as the file name.
  useEffect(() => {
    const before = document.title;
    document.title = `Theatre report — ${header.patient.name} — ${header.plan.name}`;
    return () => {
      document.title = before;
    };
  }, [header.patient.name, header.plan.name]);

  const legScene = useCallback((view: ViewState) => legFigureScene({ set, result: ok!.result, geometry: ok!.geometry, view }), [set, ok]);
  const kneeScene = useCallback((view: ViewState) => kneeFigureScene({ set, result: ok!.result, geometry: ok!.geometry, view }), [set, ok]);
  const legView = useMemo(() => (ok ? legRegion(ok.result, ok.geometry) : null), [ok]);
  const kneeView = useMemo(() => (ok ? kneeRegion(set, ok.result, ok.geometry) : null), [set, ok]);
  const hka = (r: PlanResult['preOp']) => r.measurements.hka.display;
  const film = { api, detail, frame: saved.frame };

  return (
    <div className="report-screen" data-testid="plan-report" data-plan-id={saved.planId} data-calibration={calibration.type}>
      <div className="toolbar report-toolbar" role="toolbar" aria-label="Report">
        <button className="btn ghost" onClick={onBack} data-testid="report-back">
          ← Back to plan
        </button>
        <span className="spacer" />
        <span className="muted">A4 portrait · what you see is what prints</span>
        <button className="btn primary" onClick={() => window.print()} data-testid="report-print">
          Print / Save as PDF
        </button>
      </div>
      {/* Warnings and a second cut take room: smaller film views keep the report on one page. */}
      <article className={`report-sheet${warnings.length > 0 || cuts.length > 1 ? ' compact' : ''}`} aria-label="Theatre report">
        <header className="report-head">
          <div className="report-title">
            <h1>Theatre report — osteotomy plan</h1>
            <div className="report-app">Osteoplan {app?.version ?? ''}</div>
          </div>
          <div className="report-meta">
            <dl data-testid="report-patient">
              <dt>Patient</dt>
              <dd className="strong">{header.patient.name}</dd>
              <dt>ID</dt>
              <dd>{header.patient.id}</dd>
              <dt>Born</dt>
              <dd>{header.patient.birthDate}</dd>
              <dt>Sex</dt>
              <dd>{header.patient.sex}</dd>
            </dl>
            <dl data-testid="report-film">
              <dt>Film</dt>
              <dd className="strong">{header.film.date}</dd>
              <dt>Study</dt>
              <dd>{header.film.description}</dd>
              <dt>Side</dt>
              <dd className="strong">{header.film.side}</dd>
              <dt>mm</dt>
              <dd>{CALIBRATION_WORDS[calibration.type]}</dd>
            </dl>
            <dl data-testid="report-plan">
              <dt>Plan</dt>
              <dd className="strong">
                {header.plan.name}{' '}
                <span className={`report-chosen ${header.plan.chosen ? 'yes' : 'no'}`} data-testid="report-chosen" data-chosen={header.plan.chosen ? 'true' : 'false'}>
                  {header.plan.chosen ? '★ chosen' : 'NOT the chosen plan'}
                </span>
              </dd>
              <dt>Surgeon</dt>
              <dd>{header.plan.surgeon}</dd>
              <dt>Planned</dt>
              <dd>{header.plan.date}</dd>
              <dt>Saved</dt>
              <dd>{header.plan.revision}</dd>
            </dl>
          </div>
        </header>

        {warnings.length > 0 && (
          <section className="report-warnings report-block">
            {warnings.map((w) => (
              <div key={w.code} className={`report-warning sev-${w.severity}`} data-report-warning={w.code} role={w.severity === 'strong' ? 'alert' : undefined}>
                <b>{SEVERITY_WORD[w.severity]}</b> {w.text}
              </div>
            ))}
          </section>
        )}

        {!ok ? (
          <div className="report-warning sev-strong" role="alert" data-testid="report-error">
            <b>STOP</b> This plan cannot be computed from the leg's current landmarks: {'error' in computed ? computed.error : ''} Open it on the planning screen.
          </div>
        ) : (
          <div className="report-body">
            <div className="report-left">
              <ReportFigure
                {...film}
                region={legView!}
                scene={legScene}
                testId="report-leg-figure"
                className="report-figure-leg"
                caption={
                  <>
                    <Swatch colour={OVERLAY_COLOURS.mechanicalAxis} dash="4 2" /> pre-op HKA {hka(ok.result.preOp)}
                    <br />
                    <Swatch colour={PLAN_COLOURS.newAxis} /> planned HKA {hka(ok.result.predicted)}
                  </>
                }
              />
            </div>
            <div className="report-right">
              <section className="report-block report-procedure" data-testid="report-procedure">
                <h2>Procedure</h2>
                {procedureSentences(saved.plan.procedure, saved.side, ok.result, cuts).map((s, i) => (
                  <p key={i}>{s}</p>
                ))}
                {saved.plan.notes.trim() && <p className="report-notes">Notes: {saved.plan.notes}</p>}
              </section>

              <section className="report-block report-numbers" data-testid="report-numbers">
                <h2>Numbers for theatre</h2>
                {cuts.map((c) => (
                  <div key={c.index} className="report-cut" data-report-cut={c.index}>
                    {cuts.length > 1 && <h3>{c.title}</h3>}
                    <div className="report-big-row">
                      {[...c.numbers, ...(c.index === 0 ? [alignmentChangeNumber(ok.result)] : [])]
                        .filter((n) => n.primary)
                        .map((n) => (
                          <NumberTile key={n.id} n={n} />
                        ))}
                    </div>
                    <div className="report-small-row">
                      {c.numbers
                        .filter((n) => !n.primary)
                        .map((n) => (
                          <NumberTile key={n.id} n={n} />
                        ))}
                    </div>
                    <dl className="report-positions">
                      <Position label="Hinge" id={`hinge-${c.index}`} at={c.hinge} />
                      <Position label="Cut entry" id={`cutEntry-${c.index}`} at={c.cutEntry} />
                    </dl>
                  </div>
                ))}
                <p className="report-fineprint">
                  α is what you {ok.result.cuts[0]?.wedge === 'closing' ? 'close' : 'open'} at the hinge; the alignment change is how much HKA changes (smaller, because the
                  hinge is not the knee centre). The gap is the exact chord 2L·sin(α/2); L·tan α is shown only for comparison.
                </p>
              </section>

              <ReportFigure
                {...film}
                region={kneeView!}
                scene={kneeScene}
                testId="report-knee-figure"
                className="report-figure-knee"
                caption="Knee: osteotomy line, hinge, cut entry and the wedge as it opens (the gap chord at the cortex)."
              />

            </div>
          </div>
        )}
        {ok && (
          <div className="report-lower">
            <section className="report-block">
              <h2>Pre-op → predicted</h2>
              <table className="report-table" data-testid="report-table">
                <thead>
                  <tr>
                    <th />
                    <th>Pre-op</th>
                    <th>Predicted</th>
                    <th>Normal</th>
                    <th>mm calibration</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.id} data-report-row={r.id} data-preop={r.preValue ?? ''} data-predicted={r.postValue ?? ''}>
                      <th>{r.label}</th>
                      <td>{r.pre}</td>
                      <td className={r.postOut ? 'out' : undefined}>{r.post}</td>
                      <td>{r.normal}</td>
                      <td>{r.calibration ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>

            <section className="report-block" data-testid="report-flags" data-flag-count={ok.result.flags.length}>
              <h2>Safety flags</h2>
              {ok.result.flags.length === 0 ? (
                <p>No safety flags for this plan.</p>
              ) : (
                <ul className="report-flags">
                  {ok.result.flags.map((f) => (
                    <li key={f.code} className={`sev-${f.severity}`} data-flag={f.code}>
                      <b>{SEVERITY_WORD[f.severity]}</b> {f.message}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
        )}
        <footer className="report-foot">
          Computed {localDateTime(new Date())} by Osteoplan {app?.version ?? ''} from landmark revision {setRevision}, plan revision {saved.revision}
          {ok ? `, engine ${ok.result.algorithmVersion}` : ''}. Check every number against the film before cutting.
        </footer>
      </article>
    </div>
  );
}
