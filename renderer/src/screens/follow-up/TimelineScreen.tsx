// The patient timeline (issue 6; clinical-spec §6): the operation(s) with the chosen plan, every
// study in date order with its role and weeks after surgery and its measurements, planned vs
// achieved on the first post-op film, loss of correction flagged on the film where it happens
// against the thresholds in the settings, findings per film, the trend chart, and the films to
// compare. Every number comes from followUp:getTimeline (computed by the engine in the backend).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { FilmFindings } from '../../../../shared/follow-up/findings';
import { summariseFindings } from '../../../../shared/follow-up/findings';
import type { LossThresholds } from '../../../../shared/follow-up/follow-up';
import type { TimelineFilm, TimelineLeg, TimelineStudy } from '../../../../shared/follow-up/timeline';
import type { FollowUpTimelineResponse, StudyRole } from '../../../../shared/ipc/contract';
import { ApiError, type OsteoplanApi } from '../../api';
import { formatPersonName } from '../../format';
import { FindingsForm } from './FindingsForm';
import { FOLLOW_UP_MEASURES, formatDelta, formatHkaShort, formatValue, PROCEDURE_LABEL, ROLE_LABEL, SIDE_LABEL } from './labels';
import { TrendChart } from './TrendChart';
import { ScreenError, ScreenLoading } from '../../components/ScreenState';

const errorText = (err: unknown) => (err instanceof ApiError ? err.message : String((err as Error)?.message ?? err));
const MAX_COMPARE = 4;

interface Props {
  api: OsteoplanApi;
  patientId: number;
  onBack(): void;
  onOpenImage(imageId: number): void;
  onMeasure(imageId: number): void;
  onCompare(imageIds: number[]): void;
}

export function TimelineScreen({ api, patientId, onBack, onOpenImage, onMeasure, onCompare }: Props) {
  const [timeline, setTimeline] = useState<FollowUpTimelineResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [chosen, setChosen] = useState<number[]>([]);
  const [legSide, setLegSide] = useState<'L' | 'R' | null>(null);
  const reload = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    let stale = false;
    api
      .invoke('followUp:getTimeline', { patientId })
      .then((t) => {
        if (stale) return;
        setTimeline(t);
        setError(null);
      })
      .catch((err) => !stale && setError(errorText(err)));
    return () => {
      stale = true;
    };
  }, [api, patientId, version]);

  const leg = useMemo(() => timeline?.legs.find((l) => l.side === legSide) ?? timeline?.legs[0] ?? null, [timeline, legSide]);

  if (error) {
    return <ScreenError onBack={onBack}>{error}</ScreenError>;
  }
  if (!timeline) {
    return <ScreenLoading />;
  }

  const toggleCompare = (imageId: number) =>
    setChosen((c) => (c.includes(imageId) ? c.filter((x) => x !== imageId) : c.length >= MAX_COMPARE ? c : [...c, imageId]));
  const patientName = formatPersonName(timeline.patient.name);

  return (
    <div className="timeline-screen" data-testid="timeline">
      <div className="toolbar">
        <button className="btn ghost" onClick={onBack}>← Library</button>
        <div className="timeline-title">
          <b>{patientName}</b> <span className="muted">ID {timeline.patient.patientId || '—'} · timeline</span>
        </div>
        <span className="spacer" />
        {timeline.legs.length > 1 && (
          <div className="segmented" role="group" aria-label="Leg">
            {timeline.legs.map((l) => (
              <button key={l.side} className={`btn${leg?.side === l.side ? ' active' : ''}`} onClick={() => setLegSide(l.side)}>
                {SIDE_LABEL[l.side]}
              </button>
            ))}
          </div>
        )}
        <span className="muted">{chosen.length ? `${chosen.length} film(s) chosen` : 'Tick 2–4 films to compare'}</span>
        <button className="btn primary" disabled={chosen.length < 2} onClick={() => onCompare(chosen)} data-testid="open-compare">
          Compare {chosen.length >= 2 ? `${chosen.length} films` : 'films'}
        </button>
      </div>
      <div className="timeline-body">
        <div className="timeline-main">
          <Operations timeline={timeline} />
          {leg && <LegSummary api={api} leg={leg} thresholds={timeline.thresholds} onSaved={reload} />}
          <section className="timeline-studies" aria-label="Studies in date order">
            <h3>Studies</h3>
            {timeline.studies.length === 0 && <p className="muted">No studies.</p>}
            <ol className="study-timeline">
              {timeline.studies.map((s) => (
                <StudyRow
                  key={s.studyId}
                  api={api}
                  study={s}
                  leg={leg}
                  chosen={chosen}
                  onToggle={toggleCompare}
                  onOpenImage={onOpenImage}
                  onMeasure={onMeasure}
                  onChanged={reload}
                />
              ))}
            </ol>
          </section>
        </div>
        <aside className="timeline-side">
          {leg ? (
            <TrendChart leg={leg} thresholds={timeline.thresholds} title={`${patientName} — ${SIDE_LABEL[leg.side]} — follow-up`} />
          ) : (
            <p className="muted pad">Measure a film to see the trend.</p>
          )}
        </aside>
      </div>
    </div>
  );
}

function Operations({ timeline }: { timeline: FollowUpTimelineResponse }) {
  return (
    <section className="timeline-card" aria-label="Operations" data-testid="operations">
      <h3>Operation{timeline.operations.length === 1 ? '' : 's'}</h3>
      {timeline.operations.length === 0 && (
        <p className="muted">No operation date yet: set a study's role and operation date below (or on the measuring screen).</p>
      )}
      {timeline.operations.map((op) => (
        <div key={op.date} className="operation" data-operation-date={op.date}>
          <div className="operation-date">{op.date}</div>
          {op.plans.length === 0 && <div className="muted">No chosen plan for this operation.</div>}
          {op.plans.map((p) => (
            <div key={p.planId} className="operation-plan" data-plan-id={p.planId}>
              <b>{SIDE_LABEL[p.side]}</b> · {PROCEDURE_LABEL[p.procedure] ?? p.procedure} · plan “{p.name}”
              {p.target.kind === 'wbl' ? ` · target WBL ${p.target.percent} %` : ` · target HKA ${formatHkaShort(p.target.deg)}`}
              {p.wedgeAngleDeg !== null && ` · wedge ${p.wedgeAngleDeg.toFixed(1)}°`}
              <a className="timeline-report-link" href={`#/image/${p.imageId}/plan/${p.side}/${p.planId}/report`} data-timeline-report={p.planId}>
                Theatre report
              </a>
              {p.planError && <div className="error-text">{p.planError}</div>}
            </div>
          ))}
        </div>
      ))}
    </section>
  );
}

function ThresholdsForm({ api, thresholds, onSaved }: { api: OsteoplanApi; thresholds: LossThresholds; onSaved(): void }) {
  const text = (v: number | null) => (v === null ? '' : String(v));
  const [hka, setHka] = useState(text(thresholds.hkaDeg));
  const [wbl, setWbl] = useState(text(thresholds.wblPercent));
  const [mpta, setMpta] = useState(text(thresholds.mptaDeg));
  const [message, setMessage] = useState<string | null>(null);
  const parse = (s: string): number | null | 'bad' => {
    const t = s.trim().replace(',', '.');
    if (t === '') return null;
    const n = Number(t);
    return Number.isFinite(n) && n > 0 ? n : 'bad';
  };
  const save = () => {
    const values = { hkaDeg: parse(hka), wblPercent: parse(wbl), mptaDeg: parse(mpta) };
    if (Object.values(values).includes('bad')) return setMessage('Each threshold is a positive number, or empty to report the change without flagging it.');
    api
      .invoke('settings:save', { lossThresholds: values as LossThresholds })
      .then(() => {
        setMessage(null);
        onSaved();
      })
      .catch((err) => setMessage(`Not saved: ${errorText(err)}`));
  };
  const dirty = hka !== text(thresholds.hkaDeg) || wbl !== text(thresholds.wblPercent) || mpta !== text(thresholds.mptaDeg);
  return (
    <form
      className="thresholds"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      aria-label="Loss-of-correction thresholds"
    >
      <span className="muted">Flag a loss of</span>
      <label>
        HKA ≥ <input value={hka} onChange={(e) => setHka(e.target.value)} inputMode="decimal" data-testid="threshold-hka" />°
      </label>
      <label>
        WBL ≥ <input value={wbl} onChange={(e) => setWbl(e.target.value)} inputMode="decimal" data-testid="threshold-wbl" /> %
      </label>
      <label>
        MPTA ≥ <input value={mpta} onChange={(e) => setMpta(e.target.value)} inputMode="decimal" placeholder="off" data-testid="threshold-mpta" />°
      </label>
      <button className="btn" type="submit" disabled={!dirty} data-testid="save-thresholds">
        Save thresholds
      </button>
      {message && <span className="error-text" role="alert">{message}</span>}
    </form>
  );
}

function LegSummary({ api, leg, thresholds, onSaved }: { api: OsteoplanApi; leg: TimelineLeg; thresholds: LossThresholds; onSaved(): void }) {
  const avp = leg.achievedVsPlanned;
  return (
    <section className="timeline-card leg-summary" aria-label={`${SIDE_LABEL[leg.side]} follow-up`} data-leg={leg.side}>
      <div className="leg-columns">
        <div>
          <h3>Planned vs achieved · {SIDE_LABEL[leg.side]}</h3>
          {!leg.plan && <p className="muted">No chosen plan for this leg: choose one on the planning screen.</p>}
          {leg.plan && !leg.achievedFilm && <p className="muted">No measured immediate post-op film yet.</p>}
          {avp && (
            <table className="avp" data-testid="planned-vs-achieved">
              <thead>
                <tr>
                  <th />
                  <th>Planned</th>
                  <th>Achieved {leg.achievedFilm ? `(${leg.achievedFilm.date})` : ''}</th>
                  <th title="achieved − planned">Δ</th>
                </tr>
              </thead>
              <tbody>
                {FOLLOW_UP_MEASURES.map((m) => {
                  const d = avp[m.key];
                  return (
                    <tr key={m.key} data-delta-measure={m.key} data-delta={d.delta ?? ''}>
                      <th>{m.label}</th>
                      <td>{m.key === 'hkaDeg' ? formatHkaShort(d.planned) : formatValue(d.planned, m.unit)}</td>
                      <td>{m.key === 'hkaDeg' ? formatHkaShort(d.achieved) : formatValue(d.achieved, m.unit)}</td>
                      <td className={d.delta !== null && Math.abs(d.delta) >= (m.key === 'wblPercent' ? 5 : 2) ? 'bad' : ''}>{formatDelta(d.delta, m.unit)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </div>
        <div>
          <h3>Loss of correction</h3>
          <p className={`loss-status loss-${leg.loss.status}`} data-testid="loss-status" data-loss-status={leg.loss.status}>
            {leg.loss.message}
          </p>
          {leg.loss.baseline && <p className="muted">Measured from the immediate post-op film of {leg.loss.baseline.date}.</p>}
          <ThresholdsForm key={JSON.stringify(thresholds)} api={api} thresholds={thresholds} onSaved={onSaved} />
        </div>
      </div>
    </section>
  );
}

interface StudyRowProps {
  api: OsteoplanApi;
  study: TimelineStudy;
  leg: TimelineLeg | null;
  chosen: number[];
  onToggle(imageId: number): void;
  onOpenImage(imageId: number): void;
  onMeasure(imageId: number): void;
  onChanged(): void;
}

function StudyRow({ api, study, leg, chosen, onToggle, onOpenImage, onMeasure, onChanged }: StudyRowProps) {
  const [role, setRole] = useState<StudyRole | ''>(study.role ?? '');
  const [date, setDate] = useState(study.operationDate ?? '');
  const [clinicalError, setClinicalError] = useState<string | null>(null);
  useEffect(() => {
    setRole(study.role ?? '');
    setDate(study.operationDate ?? '');
  }, [study.role, study.operationDate]);
  const dirty = role !== (study.role ?? '') || date !== (study.operationDate ?? '');
  const saveClinical = () =>
    api
      .invoke('study:setClinical', { studyId: study.studyId, role: role || null, operationDate: date || null })
      .then(() => {
        setClinicalError(null);
        onChanged();
      })
      .catch((err) => setClinicalError(errorText(err)));

  return (
    <li className="timeline-study" data-timeline-study={study.studyId} data-study-date={study.date ?? ''} data-days-after-surgery={study.daysAfterSurgery ?? ''}>
      <div className="timeline-dot" data-role={study.role ?? 'none'} />
      <div className="timeline-study-body">
        <div className="timeline-study-head">
          <span className="study-date">{study.date ?? 'No date'}</span>
          <span className="weeks" data-testid="weeks-after-surgery">
            {study.weeksLabel ?? 'no operation date'}
          </span>
          {study.role && <span className="role-tag">{ROLE_LABEL[study.role]}</span>}
          <span className="study-desc">{study.description ?? ''}</span>
          <span className="clinical-edit">
          <select value={role} onChange={(e) => setRole(e.target.value as StudyRole | '')} aria-label="Role" data-testid="timeline-role">
            <option value="">No role</option>
            {(Object.keys(ROLE_LABEL) as StudyRole[]).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABEL[r]}
              </option>
            ))}
          </select>
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} aria-label="Operation date" data-testid="timeline-operation-date" />
          <button className="btn" disabled={!dirty} onClick={saveClinical} data-testid="timeline-save-clinical">
            Save
          </button>
          </span>
        </div>
        {clinicalError && <div className="error-text" role="alert">Not saved: {clinicalError}</div>}
        {study.films.map((film) => (
          <FilmRow
            key={film.imageId}
            api={api}
            film={film}
            leg={leg}
            chosen={chosen.includes(film.imageId)}
            onToggle={() => onToggle(film.imageId)}
            onOpen={() => onOpenImage(film.imageId)}
            onMeasure={() => onMeasure(film.imageId)}
            onChanged={onChanged}
          />
        ))}
      </div>
    </li>
  );
}

function FilmRow({ api, film, leg, chosen, onToggle, onOpen, onMeasure, onChanged }: {
  api: OsteoplanApi;
  film: TimelineFilm;
  leg: TimelineLeg | null;
  chosen: boolean;
  onToggle(): void;
  onOpen(): void;
  onMeasure(): void;
  onChanged(): void;
}) {
  const [editing, setEditing] = useState(false);
  const side = leg?.side ?? film.legs[0]?.side ?? 'R';
  const measured = film.legs.find((l) => l.side === side) ?? null;
  const findings: FilmFindings | null = film.findings.find((f) => f.side === side) ?? null;
  const lossEntry = leg?.loss.entries.find((e) => e.id === String(film.imageId)) ?? null;
  const isBaseline = leg?.loss.baseline?.id === String(film.imageId);
  const loss = lossEntry ? (lossEntry.exceeded.length ? 'flagged' : 'stable') : isBaseline ? 'baseline' : 'none';
  const names = { hkaDeg: 'HKA', wblPercent: 'WBL', mptaDeg: 'MPTA' } as const;
  const units = { hkaDeg: '°', wblPercent: '%', mptaDeg: '°' } as const;
  const findingsText = summariseFindings(findings);

  return (
    <div className="timeline-film" data-image-id={film.imageId} data-loss={loss}>
      <label className="compare-pick" title="Choose for the compare view">
        <input type="checkbox" checked={chosen} onChange={onToggle} data-testid="compare-pick" /> Compare
      </label>
      <div className="film-values">
        {measured ? (
          measured.error && !measured.alignment ? (
            <span className="error-text">{measured.error}</span>
          ) : (
            <>
              <span data-value-measure="hka" data-value={measured.values.hka ?? ''}>HKA <b>{formatHkaShort(measured.values.hka)}</b></span>
              <span data-value-measure="wbl" data-value={measured.values.wbl ?? ''}>WBL <b>{formatValue(measured.values.wbl, '%')}</b></span>
              <span data-value-measure="mpta" data-value={measured.values.mpta ?? ''}>MPTA <b>{formatValue(measured.values.mpta, '°')}</b></span>
              {film.calibration?.type === 'uncalibrated' && <span className="flag-warn">uncalibrated</span>}
            </>
          )
        ) : (
          <span className="muted">Not measured ({SIDE_LABEL[side].toLowerCase()})</span>
        )}
        {loss === 'baseline' && <span className="loss-badge baseline">baseline for loss of correction</span>}
        {lossEntry && loss === 'stable' && <span className="loss-badge stable">holds (HKA {formatDelta(lossEntry.change.hkaDeg, '°')})</span>}
        {lossEntry && loss === 'flagged' && (
          <span className="loss-badge flagged" role="status" data-testid="loss-flag">
            Loss of correction: {lossEntry.exceeded.map((k) => `${names[k]} ${formatDelta(lossEntry.change[k], units[k])}`).join(', ')}
            {lossEntry.hkaDirection ? ` (${lossEntry.hkaDirection})` : ''}
          </span>
        )}
      </div>
      <div className="film-findings">
        <span className={findingsText ? '' : 'muted'} data-testid="findings-summary">{findingsText ?? 'No findings recorded'}</span>
        <button className="btn ghost" onClick={() => setEditing((e) => !e)} data-testid="edit-findings">
          {editing ? 'Close' : 'Findings…'}
        </button>
        <button className="btn ghost" onClick={onOpen}>Open</button>
        <button className="btn ghost" onClick={onMeasure}>Measure</button>
      </div>
      {editing && (
        <FindingsForm
          api={api}
          imageId={film.imageId}
          side={side}
          current={findings}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            onChanged();
          }}
        />
      )}
    </div>
  );
}
