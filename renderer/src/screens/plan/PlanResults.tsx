// The plan's numbers (clinical-spec §5), labelled as the spec says: the wedge angle α (what the
// surgeon opens or closes) and the alignment change (the change of HKA) side by side, the gap at
// the cortex as the exact chord 2L·sin(α/2) with L·tan α only for comparison (never "1 mm = 1°"),
// pre-op beside predicted values, and every safety flag with its one line. data-* carry the raw
// numbers for tests.
import type { LegAlignment, Measurement } from '../../../../shared/measurements/leg-alignment';
import { fixed1 } from '../../../../shared/measurements/format';
import type { PlanResult } from '../../../../shared/planning/osteotomy';
import type { Calibration } from '../../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { jointLineObliquityDeg } from './plan-model';

interface Props {
  result: PlanResult | null;
  preOp: LegAlignment | null;
  set: LandmarkSet;
  calibration: Calibration;
  error: string | null;
}

const mmText = (v: number | null) => (v === null ? 'needs calibration' : `${fixed1(v)} mm`);
const measureText = (m: Measurement | undefined) => (!m || m.value === null ? '—' : m.unit === 'mm' ? m.display.replace(/ \([a-z-]+\)$/, '') : m.display);

function Value({ id, label, value, text, note }: { id: string; label: string; value: number | null; text: string; note?: string }) {
  return (
    <div className="value-row plan-value" data-plan-value={id} data-value={value ?? ''}>
      <span className="value-label">{label}</span>
      <span className="value-number">{text}</span>
      {note && <span className="value-normal">{note}</span>}
    </div>
  );
}

export function PlanResults({ result, preOp, set, calibration, error }: Props) {
  if (!result) {
    return (
      <div className="error-text" role="alert" data-testid="plan-results-error">
        {error ?? 'The plan cannot be computed.'}
      </div>
    );
  }
  const opening = result.cuts[0]?.wedge !== 'closing';
  const double = result.cuts.length > 1;
  const joPre = preOp ? jointLineObliquityDeg(set, calibration, preOp) : null;
  const joPost = result.predictedJointLineObliquityDeg;
  const rows: { id: string; label: string; pre: Measurement | undefined; post: Measurement | undefined }[] = [
    { id: 'hka', label: 'HKA', pre: preOp?.measurements.hka, post: result.predicted.measurements.hka },
    { id: 'mpta', label: 'MPTA', pre: preOp?.measurements.mpta, post: result.predicted.measurements.mpta },
    { id: 'mldfa', label: 'mLDFA', pre: preOp?.measurements.mldfa, post: result.predicted.measurements.mldfa },
    { id: 'jlo', label: 'JLO', pre: preOp?.measurements.jlo, post: result.predicted.measurements.jlo },
    { id: 'wbl', label: 'WBL', pre: preOp?.measurements.wbl, post: result.predicted.measurements.wbl },
    { id: 'mad', label: 'MAD', pre: preOp?.measurements.mad, post: result.predicted.measurements.mad },
  ];
  return (
    <div className="plan-results" data-testid="plan-results">
      <h3>Correction</h3>
      {error && (
        <div className="error-text" role="alert">
          {error} The drawing shows the last plan that could be computed.
        </div>
      )}
      <div className="values">
        {result.cuts.map((c, i) => {
          const suffix = i === 0 ? '' : `-${i}`;
          const bone = double ? ` — ${c.bone}` : '';
          return (
            <section className="value-group" key={i}>
              {double && <h4>{c.bone === 'tibia' ? 'Tibial cut' : 'Femoral cut'}</h4>}
              <Value
                id={`wedgeAngle${suffix}`}
                label={`Wedge angle α (what you ${c.wedge === 'opening' ? 'open' : 'close'})${bone}`}
                value={c.wedgeAngleDeg}
                text={`${fixed1(c.wedgeAngleDeg)}°`}
              />
              <Value
                id={`gapChord${suffix}`}
                label={c.wedge === 'opening' ? 'Gap at the cortex, 2L·sin(α/2)' : 'Wedge base, 2L·sin(α/2)'}
                value={c.gapChordMm}
                text={mmText(c.gapChordMm)}
              />
              <Value id={`gapTangent${suffix}`} label="L·tan α (for comparison)" value={c.gapTangentMm} text={mmText(c.gapTangentMm)} />
              <Value id={`osteotomyLength${suffix}`} label="Osteotomy length L" value={c.osteotomyLengthMm} text={mmText(c.osteotomyLengthMm)} />
            </section>
          );
        })}
        <section className="value-group">
          <Value id="alignmentChange" label="Alignment change (HKA)" value={result.alignmentChangeDeg} text={`${fixed1(result.alignmentChangeDeg)}°`} note="Dugdale" />
          <div className="cal-note">
            α is what you {opening ? 'open' : 'close'} at the hinge; the alignment change is how much HKA changes. They differ because the hinge is not the knee centre.
          </div>
          {result.softTissue.reductionDeg !== 0 && (
            <Value id="softTissueReduction" label="Soft-tissue reduction" value={result.softTissue.reductionDeg} text={`${fixed1(result.softTissue.reductionDeg)}°`} />
          )}
        </section>
      </div>

      <h3>Pre-op → predicted</h3>
      <table className="plan-compare" data-testid="plan-compare">
        <thead>
          <tr>
            <th />
            <th>Pre-op</th>
            <th>Predicted</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-plan-measure={r.id} data-preop={r.pre?.value ?? ''} data-predicted={r.post?.value ?? ''}>
              <th title={r.id === 'jlo' ? 'CPAK joint-line obliquity: MPTA + mLDFA' : undefined}>{r.label}</th>
              <td>{measureText(r.pre)}</td>
              <td className={r.post && (r.post.status === 'low' || r.post.status === 'high') ? 'out' : undefined}>{measureText(r.post)}</td>
            </tr>
          ))}
          <tr data-plan-measure="jointLineObliquity" data-preop={joPre ?? ''} data-predicted={joPost ?? ''}>
            <th title="Plateau against the perpendicular to the mechanical axis (flag above 5°)">Plateau tilt</th>
            <td>{joPre === null ? '—' : `${fixed1(joPre)}°`}</td>
            <td className={joPost !== null && joPost > 5 ? 'out' : undefined}>{joPost === null ? '—' : `${fixed1(joPost)}°`}</td>
          </tr>
        </tbody>
      </table>

      <h3>Safety</h3>
      <div className="plan-flags" data-testid="plan-flags" data-flag-count={result.flags.length}>
        {result.flags.length === 0 ? (
          <div className="cal-note">No safety flags for this plan.</div>
        ) : (
          result.flags.map((f) => (
            <div key={f.code} className={`plan-flag flag-${f.severity}`} data-flag={f.code} data-severity={f.severity}>
              <span className="flag-mark">{f.severity === 'strong' ? '⛔' : f.severity === 'warn' ? '⚠' : 'ℹ'}</span>
              {f.message}
            </div>
          ))
        )}
      </div>
    </div>
  );
}
