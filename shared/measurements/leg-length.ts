// Leg-length difference when both legs are measured (clinical-spec §3: lengths, mm).
import { EngineError } from '../geometry/errors';
import { fixed1 } from './format';
import type { LegAlignment, Measurement } from './leg-alignment';

/** clinical-spec §3: leg-length difference (H–A) between a left and a right leg; value = |L − R|. */
export function computeLegLengthDifference(a: LegAlignment, b: LegAlignment): Measurement {
  if (a.side === b.side) {
    throw new EngineError('INVALID_INPUT', `A leg-length difference needs one left and one right leg; both are ${a.side}.`);
  }
  const left = a.side === 'L' ? a : b;
  const right = a.side === 'L' ? b : a;
  const l = left.measurements.legLength;
  const r = right.measurements.legLength;
  const base = {
    id: 'legLengthDifference' as const,
    label: 'Leg-length difference',
    unit: 'mm' as const,
    normal: null,
    requiresCalibration: true,
    calibrationType: left.calibration.type === right.calibration.type ? left.calibration.type : null,
  };
  if (l.value === null || r.value === null) {
    const missing = [...new Set([...l.missing, ...r.missing])];
    return {
      ...base,
      value: null,
      display: '—',
      status: 'unavailable',
      missing,
      reason: `Needs both leg lengths: ${[l.value === null ? `left: ${l.reason}` : null, r.value === null ? `right: ${r.reason}` : null].filter(Boolean).join(' ')}`,
      errorCode: l.errorCode ?? r.errorCode,
      direction: null,
    };
  }
  const diff = l.value - r.value;
  const direction = diff > 0 ? 'left-longer' : diff < 0 ? 'right-longer' : 'equal';
  const mixed = left.calibration.type !== right.calibration.type ? ` (calibrations differ: ${left.calibration.type} / ${right.calibration.type})` : ` (${left.calibration.type})`;
  return {
    ...base,
    value: Math.abs(diff),
    display: `${fixed1(Math.abs(diff))} mm${direction === 'equal' ? '' : direction === 'left-longer' ? ', left longer' : ', right longer'}${mixed}`,
    status: 'info',
    missing: [],
    reason: null,
    errorCode: null,
    direction,
  };
}
