// Words and number formats of the follow-up screens (clinical-spec §3, §6).
import type { FollowUpMeasure } from '../../../../shared/follow-up/follow-up';
import type { LibraryStudyRole } from '../../../../shared/follow-up/timeline';
import type { MeasureId } from '../../../../shared/measurements/definitions';

export const ROLE_LABEL: Record<LibraryStudyRole, string> = { 'pre-op': 'Pre-op', planning: 'Planning', 'post-op': 'Immediate post-op', 'follow-up': 'Follow-up' };

export const PROCEDURE_LABEL: Record<string, string> = {
  'hto-medial-opening': 'Medial opening-wedge HTO',
  'hto-lateral-closing': 'Lateral closing-wedge HTO',
  'dfo-lateral-opening': 'Lateral opening-wedge DFO',
  'dfo-medial-closing': 'Medial closing-wedge DFO',
  'double-level': 'Double-level osteotomy',
};

export const SIDE_LABEL = { R: 'Right leg', L: 'Left leg' } as const;

export const FOLLOW_UP_MEASURES: { key: FollowUpMeasure; id: MeasureId; label: string; unit: string }[] = [
  { key: 'wblPercent', id: 'wbl', label: 'WBL', unit: '%' },
  { key: 'hkaDeg', id: 'hka', label: 'HKA', unit: '°' },
  { key: 'mptaDeg', id: 'mpta', label: 'MPTA', unit: '°' },
];

/** clinical-spec §3: HKA is a deviation from 180°, negative = varus. */
export function formatHkaShort(v: number | null): string {
  if (v === null) return '—';
  const r = Math.round(v * 10) / 10;
  if (r === 0) return '180.0° (neutral)';
  return `${(180 + r).toFixed(1)}° (${Math.abs(r).toFixed(1)}° ${r < 0 ? 'varus' : 'valgus'})`;
}

export function formatValue(v: number | null, unit: string, digits = 1): string {
  if (v === null) return '—';
  return `${v.toFixed(digits)}${unit === '%' ? ' %' : unit === 'mm' ? ' mm' : unit}`;
}

/** A signed change, "+1.2°" / "−2.0 %". */
export function formatDelta(v: number | null, unit: string): string {
  if (v === null) return '—';
  const r = Math.round(v * 10) / 10;
  const sign = r > 0 ? '+' : r < 0 ? '−' : '±';
  return `${sign}${Math.abs(r).toFixed(1)}${unit === '%' ? ' %' : unit}`;
}

export function formatWeeks(w: number | null): string {
  if (w === null) return '—';
  return `${w.toFixed(1)} wk`;
}
