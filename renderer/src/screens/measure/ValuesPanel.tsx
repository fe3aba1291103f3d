// The values panel (clinical-spec §3): every measure with its normal range and an out-of-range
// highlight, the calibration type beside each mm value, CPAK, the malalignment verdict and the
// HKA = MPTA − mLDFA − JLCA self-check. Each value carries data-measure / data-value for tests.
import { MEASURE_DEFINITIONS, MEASURE_IDS, type MeasureId } from '../../../../shared/measurements/definitions';
import type { LegAlignment, Measurement } from '../../../../shared/measurements/leg-alignment';
import { landmarkLabel } from '../../../../shared/landmarks/catalogue';

const GROUPS: { title: string; ids: MeasureId[] }[] = [
  { title: 'Alignment', ids: ['hka', 'mad', 'wbl'] },
  { title: 'Joint angles', ids: ['mldfa', 'mpta', 'jlca', 'ldta', 'mlpfa'] },
  { title: 'Anatomic femur', ids: ['aldfa', 'ama'] },
  { title: 'CPAK', ids: ['ahka', 'jlo', 'cpak'] },
  { title: 'Lengths', ids: ['femurLength', 'tibiaLength', 'legLength'] },
];
// Every measure of the engine appears exactly once.
if (GROUPS.flatMap((g) => g.ids).length !== MEASURE_IDS.length) throw new Error('ValuesPanel groups do not cover every measure.');

/** Short tags beside mm values; the full name is the tooltip and the legend under the values. */
const CAL_SHORT: Record<string, string> = {
  user: 'user',
  calibrated: 'cal',
  'magnification-corrected': 'mag',
  detector: 'det',
  uncalibrated: 'uncal',
};
const CAL_FULL: Record<string, string> = {
  user: 'user marker calibration',
  calibrated: 'calibrated PixelSpacing',
  'magnification-corrected': 'magnification-corrected',
  detector: 'detector plane: 10–20 % too large at the patient',
  uncalibrated: 'uncalibrated',
};

function valueText(m: Measurement): string {
  // mm displays end in "(<calibration type>)": shown as a badge instead.
  return m.unit === 'mm' ? m.display.replace(/ \([a-z-]+\)$/, '') : m.display;
}

function Row({ m }: { m: Measurement }) {
  const def = MEASURE_DEFINITIONS[m.id as MeasureId];
  const out = m.status === 'low' || m.status === 'high';
  const title =
    m.status === 'unavailable'
      ? m.missing.length
        ? `Place: ${m.missing.map(landmarkLabel).join(', ')}`
        : (m.reason ?? '')
      : def?.normalText
        ? `Normal ${def.normalText}`
        : '';
  return (
    <div className={`value-row status-${m.status}`} data-measure={m.id} data-value={m.value ?? ''} data-status={m.status} title={title}>
      <span className="value-label">{m.label}</span>
      <span className="value-number">
        {valueText(m)}
        {m.unit === 'mm' && m.value !== null && m.calibrationType && (
          <span className={`cal-tag cal-${m.calibrationType}`} data-calibration={m.calibrationType} title={`mm ${CAL_FULL[m.calibrationType]}`}>
            {CAL_SHORT[m.calibrationType]}
          </span>
        )}
        {out && <span className="out-flag">{m.status === 'low' ? '▼' : '▲'}</span>}
      </span>
      <span className="value-normal">{def?.normalText ?? ''}</span>
    </div>
  );
}

export function ValuesPanel({ alignment, error, legLengthDifference = null }: { alignment: LegAlignment | null; error: string | null; legLengthDifference?: Measurement | null }) {
  if (error) return <div className="error-text" role="alert">{error}</div>;
  if (!alignment) return null;
  const m = alignment.measurements;
  const uncalibrated = alignment.calibration.type === 'uncalibrated';
  return (
    <div className="values" data-testid="values">
      {uncalibrated && (
        <div className="callout warn" data-testid="uncalibrated-note">
          <b>Uncalibrated image: mm values are hidden.</b> Angles and WBL % are valid. To see mm, calibrate on a marker of known
          size: <b>Sphere</b> — click 3 or more points around the calibration sphere — or <b>Line</b> — click both ends of a known
          length (Calibration, below).
        </div>
      )}
      {GROUPS.map((g) => (
        <section key={g.title} className="value-group">
          <h4>{g.title}</h4>
          {g.ids.map((id) => (
            <Row key={id} m={m[id]} />
          ))}
        </section>
      ))}
      {legLengthDifference && (
        <section className="value-group">
          <h4>Both legs</h4>
          <Row m={legLengthDifference} />
        </section>
      )}
      {!uncalibrated && (
        <div className="cal-legend">
          mm values: <span className={`cal-tag cal-${alignment.calibration.type}`}>{CAL_SHORT[alignment.calibration.type]}</span> = {CAL_FULL[alignment.calibration.type]}
        </div>
      )}
      <section className="value-group">
        <h4>Assessment</h4>
        <div className={`verdict verdict-${alignment.malalignment.status}`} data-testid="malalignment" data-status={alignment.malalignment.status}>
          {alignment.malalignment.verdict}
        </div>
        <div className={`identity identity-${alignment.identityCheck.status}`} data-testid="identity" data-status={alignment.identityCheck.status}>
          {alignment.identityCheck.status === 'violated' ? '⚠ ' : ''}
          {alignment.identityCheck.message}
          {alignment.identityCheck.residualDeg !== null && alignment.identityCheck.status === 'ok' ? ` (residual ${Math.abs(alignment.identityCheck.residualDeg).toFixed(2)}°)` : ''}
        </div>
        {alignment.warnings.map((w) => (
          <div key={w} className="identity identity-violated" role="status">
            ⚠ {w}
          </div>
        ))}
      </section>
    </div>
  );
}
