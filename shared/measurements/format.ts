// Display strings for measurement values (clinical-spec §3 conventions, e.g. "173.0° (7.0° varus)").

/** One decimal, never "-0.0". */
export function fixed1(v: number): string {
  const s = v.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
}

export const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'] as const;

/** clinical-spec §3: HKA shown as the angle with its deviation, negative = varus. */
export function formatHka(deviationDeg: number): string {
  const magnitude = fixed1(Math.abs(deviationDeg));
  if (magnitude === '0.0') return `${fixed1(180 + deviationDeg)}° (neutral)`;
  return `${fixed1(180 + deviationDeg)}° (${magnitude}° ${deviationDeg < 0 ? 'varus' : 'valgus'})`;
}
