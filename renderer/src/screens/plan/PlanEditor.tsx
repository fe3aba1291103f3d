// The surgeon's choices of a plan (clinical-spec §5): name, planned date, surgeon, procedure,
// target (presets, a custom WBL % or a custom HKA), hinge and cut entry (dragged on the film;
// reset here), the double-level MPTA limit and the soft-tissue adjustment. Every change goes
// through onEdit, which recomputes and autosaves.
import { useEffect, useState } from 'react';
import type { PlanResult } from '../../../../shared/planning/osteotomy';
import type { Plan, Procedure } from '../../../../shared/schemas/plan';
import { customHkaTarget, customWblTarget, parseNumber, PROCEDURE_OPTIONS, WBL_PRESETS, withDefaultHandles, withProcedure } from './plan-model';

interface Props {
  plan: Plan;
  result: PlanResult | null;
  onEdit(update: (p: Plan) => Plan): void;
}

/** A text field that commits on Enter or leaving it, and shows why a value is refused. */
function CommitField(props: { label: string; value: string; placeholder?: string; testId: string; unit?: string; commit(text: string): string | null; inputMode?: 'decimal' | 'text' }) {
  const [text, setText] = useState(props.value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(props.value), [props.value]);
  const apply = () => {
    if (text === props.value) return setError(null);
    setError(props.commit(text));
  };
  return (
    <label className="plan-field">
      <span>{props.label}</span>
      <span className="plan-input">
        <input
          value={text}
          placeholder={props.placeholder}
          inputMode={props.inputMode ?? 'decimal'}
          onChange={(e) => setText(e.target.value)}
          onBlur={apply}
          onKeyDown={(e) => e.key === 'Enter' && apply()}
          data-testid={props.testId}
          aria-invalid={error ? true : undefined}
        />
        {props.unit && <span className="unit">{props.unit}</span>}
      </span>
      {error && (
        <span className="error-text" role="alert">
          {error}
        </span>
      )}
    </label>
  );
}

export function PlanEditor({ plan, result, onEdit }: Props) {
  const t = plan.target;
  const customWblText = t.kind === 'wbl' && t.preset === 'custom' ? String(t.percent) : '';
  const hkaText = t.kind === 'hka' ? String(Math.round((180 + t.deg) * 1000) / 1000) : '';
  const anyPlaced = plan.hinge !== null || plan.cutEntry !== null || !!plan.doubleLevel?.femoralHinge || !!plan.doubleLevel?.femoralCutEntry;
  const jlca = result?.preOp.measurements.jlca.value ?? null;
  return (
    <div className="plan-editor">
      <h3>Plan</h3>
      <div className="settings">
        <CommitField
          label="Name"
          value={plan.name}
          testId="plan-name"
          inputMode="text"
          commit={(v) => {
            if (!v.trim()) return 'A plan needs a name.';
            onEdit((p) => ({ ...p, name: v.trim().slice(0, 200) }));
            return null;
          }}
        />
        <label className="plan-field">
          <span>Planned date</span>
          <input type="date" value={plan.date ?? ''} onChange={(e) => onEdit((p) => ({ ...p, date: e.target.value || null }))} data-testid="plan-date" />
        </label>
        <CommitField
          label="Surgeon"
          value={plan.surgeon ?? ''}
          testId="plan-surgeon"
          inputMode="text"
          placeholder="Name"
          commit={(v) => {
            onEdit((p) => ({ ...p, surgeon: v.trim() ? v.trim().slice(0, 200) : null }));
            return null;
          }}
        />
        <label className="plan-field">
          <span>Procedure</span>
          <select value={plan.procedure} onChange={(e) => onEdit((p) => withProcedure(p, e.target.value as Procedure))} data-testid="plan-procedure">
            {PROCEDURE_OPTIONS.map((o) => (
              <option key={o.id} value={o.id}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      <h4 className="plan-subhead">Target</h4>
      <div className="segmented plan-presets" role="group" aria-label="Target WBL preset">
        {WBL_PRESETS.map((p) => {
          const on = t.kind === 'wbl' && t.preset === p.preset;
          return (
            <button
              key={p.preset}
              className={`btn${on ? ' active' : ''}`}
              aria-pressed={on}
              onClick={() => onEdit((q) => ({ ...q, target: { kind: 'wbl', percent: p.percent, preset: p.preset } }))}
              data-target-preset={p.preset}
            >
              {p.label}
            </button>
          );
        })}
      </div>
      <div className="settings">
        <CommitField
          label="Custom WBL"
          value={customWblText}
          placeholder="e.g. 60"
          unit="%"
          testId="target-wbl"
          commit={(v) => {
            const r = customWblTarget(v);
            if ('error' in r) return r.error;
            onEdit((p) => ({ ...p, target: r }));
            return null;
          }}
        />
        <CommitField
          label="Custom HKA"
          value={hkaText}
          placeholder="e.g. 183 or +3"
          unit="°"
          testId="target-hka"
          commit={(v) => {
            const r = customHkaTarget(v);
            if ('error' in r) return r.error;
            onEdit((p) => ({ ...p, target: r }));
            return null;
          }}
        />
      </div>

      <h4 className="plan-subhead">Hinge and cut</h4>
      <div className="cal-note">
        Drag the <b className="plan-key-hinge">hinge</b> and the <b>cut entry</b> on the film.{' '}
        {result?.cuts.map((c) => `${c.bone === 'tibia' ? 'Tibia' : 'Femur'}: hinge ${c.hingeSource === 'plan' ? 'placed' : 'default'}, cut entry ${c.cutEntrySource === 'plan' ? 'placed' : 'default'}`).join('; ')}
        .
      </div>
      <div className="cal-actions">
        <button className="btn ghost" disabled={!anyPlaced} onClick={() => onEdit(withDefaultHandles)} data-testid="plan-reset-handles" title="Hinge and cut entry back to the clinical-spec §5 defaults">
          Reset to defaults
        </button>
      </div>
      {plan.procedure === 'double-level' && (
        <div className="settings">
          <CommitField
            label="Tibia up to MPTA"
            value={String(plan.doubleLevel?.maxPostOpMptaDeg ?? 90)}
            unit="°"
            testId="plan-max-mpta"
            commit={(v) => {
              const n = parseNumber(v);
              if (n === null || n < 85 || n > 95) return 'Enter the post-op MPTA limit of the tibial cut, 85–95°.';
              onEdit((p) => ({ ...p, doubleLevel: { femoralHinge: null, femoralCutEntry: null, ...p.doubleLevel, maxPostOpMptaDeg: n } }));
              return null;
            }}
          />
        </div>
      )}

      <h4 className="plan-subhead">Soft tissue</h4>
      <div className="settings">
        <label className="plan-field">
          <span>Adjustment</span>
          <select
            value={plan.softTissue.method}
            onChange={(e) => {
              const m = e.target.value;
              onEdit((p) => ({ ...p, softTissue: m === 'lmlr' ? { method: 'lmlr', deltaJlcaDeg: 0, formula: 'regression' } : m === 'micicoi' ? { method: 'micicoi' } : { method: 'none' } }));
            }}
            data-testid="plan-soft-tissue"
          >
            <option value="none">None</option>
            <option value="micicoi">Micicoi: reduce by (JLCA − 2)/2</option>
            <option value="lmlr">LMLR: adjust for ΔJLCA</option>
          </select>
        </label>
        {plan.softTissue.method === 'lmlr' && (
          <>
            <CommitField
              label="ΔJLCA"
              value={String(plan.softTissue.deltaJlcaDeg)}
              unit="°"
              testId="plan-delta-jlca"
              commit={(v) => {
                const n = parseNumber(v);
                if (n === null || n < 0 || n > 20) return 'Enter ΔJLCA from 0 to 20°.';
                onEdit((p) => (p.softTissue.method === 'lmlr' ? { ...p, softTissue: { ...p.softTissue, deltaJlcaDeg: n } } : p));
                return null;
              }}
            />
            <label className="plan-field">
              <span>Formula</span>
              <select
                value={plan.softTissue.formula}
                onChange={(e) => {
                  const formula = e.target.value as 'simple' | 'regression';
                  onEdit((p) => (p.softTissue.method === 'lmlr' ? { ...p, softTissue: { ...p.softTissue, formula } } : p));
                }}
              >
                <option value="regression">Regression</option>
                <option value="simple">Simple</option>
              </select>
            </label>
          </>
        )}
        <div className="cal-note" data-testid="soft-tissue-note">
          {result?.softTissue.note ?? (jlca !== null ? `Pre-op JLCA ${jlca.toFixed(1)}°.` : 'Pre-op JLCA not available.')}
        </div>
      </div>
    </div>
  );
}
