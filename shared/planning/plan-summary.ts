// A plan in words (clinical-spec §5): the procedure and target labels, the one-line summary a list
// shows, and what changed from one saved revision to the next ("Target WBL 62.5 % Fujisawa → WBL
// 55 % consensus", "Hinge moved"). Shared by the plan screen and plan:history; types only from
// the schema, so the page never loads zod.
import type { Plan, PlanTarget, Procedure } from '../schemas/plan';

/** shared/schemas/plan PROCEDURES, in the order the issue lists them. */
export const PROCEDURE_OPTIONS: readonly { id: Procedure; label: string; short: string }[] = [
  { id: 'hto-medial-opening', label: 'Medial opening-wedge HTO', short: 'MOW HTO' },
  { id: 'hto-lateral-closing', label: 'Lateral closing-wedge HTO', short: 'LCW HTO' },
  { id: 'dfo-lateral-opening', label: 'Lateral opening-wedge DFO', short: 'LOW DFO' },
  { id: 'dfo-medial-closing', label: 'Medial closing-wedge DFO', short: 'MCW DFO' },
  { id: 'double-level', label: 'Double-level (HTO + DFO)', short: 'Double-level' },
];

/** clinical-spec §5 presets (shared/schemas/plan WBL_TARGET_PRESETS). */
export const WBL_PRESETS = [
  { preset: 'neutral', percent: 50, label: '50 % neutral' },
  { preset: 'consensus', percent: 55, label: '55 % consensus' },
  { preset: 'fujisawa', percent: 62.5, label: '62.5 % Fujisawa' },
] as const;

export const procedureLabel = (p: Procedure) => PROCEDURE_OPTIONS.find((o) => o.id === p)?.label ?? p;
const procedureShort = (p: Procedure) => PROCEDURE_OPTIONS.find((o) => o.id === p)?.short ?? p;

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1).replace(/\.0$/, ''));

export function targetLabel(t: PlanTarget): string {
  if (t.kind === 'hka') return t.deg === 0 ? 'HKA 180° (neutral)' : `HKA ${fmt(180 + t.deg)}° (${fmt(Math.abs(t.deg))}° ${t.deg < 0 ? 'varus' : 'valgus'})`;
  const preset = WBL_PRESETS.find((p) => p.preset === t.preset);
  return preset ? `WBL ${preset.label}` : `WBL ${fmt(t.percent)} %`;
}

/** One line per plan: procedure and target; the name, date and surgeon go beside it. */
export function planSummary(plan: Pick<Plan, 'procedure' | 'target'>): string {
  return `${procedureShort(plan.procedure)} → ${targetLabel(plan.target)}`;
}

type Pt = { x: number; y: number } | null | undefined;
const samePoint = (a: Pt, b: Pt) => (a ?? null) === (b ?? null) || (!!a && !!b && a.x === b.x && a.y === b.y);

function pointChange(what: string, before: Pt, after: Pt): string | null {
  if (samePoint(before, after)) return null;
  if (!after) return `${what} back to default`;
  return before ? `${what} moved` : `${what} placed`;
}

const SOFT_TISSUE: Record<Plan['softTissue']['method'], string> = { none: 'none', micicoi: 'Micicoi', lmlr: 'LMLR' };
const softTissueLabel = (s: Plan['softTissue']) => (s.method === 'lmlr' ? `LMLR ΔJLCA ${fmt(s.deltaJlcaDeg)}° (${s.formula})` : SOFT_TISSUE[s.method]);
const quoted = (s: string | null) => (s ? `“${s}”` : 'none');

/**
 * What the surgeon changed from `before` to `after`, one short phrase per choice, in the order
 * of the plan editor. `before` null: the plan was created.
 */
export function describePlanChanges(before: Plan | null, after: Plan): string[] {
  if (!before) return ['Plan created'];
  const out: string[] = [];
  if (before.name !== after.name) out.push(`Name ${quoted(before.name)} → ${quoted(after.name)}`);
  if (before.date !== after.date) out.push(`Planned date ${before.date ?? 'none'} → ${after.date ?? 'none'}`);
  if (before.surgeon !== after.surgeon) out.push(`Surgeon ${quoted(before.surgeon)} → ${quoted(after.surgeon)}`);
  if (before.procedure !== after.procedure) out.push(`Procedure ${procedureShort(before.procedure)} → ${procedureShort(after.procedure)}`);
  if (targetLabel(before.target) !== targetLabel(after.target) || JSON.stringify(before.target) !== JSON.stringify(after.target)) {
    out.push(`Target ${targetLabel(before.target)} → ${targetLabel(after.target)}`);
  }
  // A new procedure resets the handles: that is said by the procedure change already.
  if (before.procedure === after.procedure) {
    const femur = after.procedure.startsWith('dfo');
    const cut = (hinge: string, entry: string, h: [Pt, Pt], e: [Pt, Pt]) => {
      const hc = pointChange(hinge, ...h);
      const ec = pointChange(entry, ...e);
      // Dragging one point of a cut pins the other where it was: both leave their defaults together.
      if (hc && ec && !h[0] && !e[0] && h[1] && e[1]) return out.push(`${hinge} and ${entry.toLowerCase()} placed on the film`);
      if (hc) out.push(hc);
      if (ec) out.push(ec);
    };
    cut(femur ? 'Femoral hinge' : 'Hinge', femur ? 'Femoral cut entry' : 'Cut entry', [before.hinge, after.hinge], [before.cutEntry, after.cutEntry]);
    cut('Femoral hinge', 'Femoral cut entry', [before.doubleLevel?.femoralHinge, after.doubleLevel?.femoralHinge], [before.doubleLevel?.femoralCutEntry, after.doubleLevel?.femoralCutEntry]);
    const mptaBefore = before.doubleLevel?.maxPostOpMptaDeg;
    const mptaAfter = after.doubleLevel?.maxPostOpMptaDeg;
    if (mptaBefore !== undefined && mptaAfter !== undefined && mptaBefore !== mptaAfter) out.push(`Tibia up to MPTA ${fmt(mptaBefore)}° → ${fmt(mptaAfter)}°`);
  }
  if (JSON.stringify(before.softTissue) !== JSON.stringify(after.softTissue)) out.push(`Soft tissue ${softTissueLabel(before.softTissue)} → ${softTissueLabel(after.softTissue)}`);
  if (before.notes !== after.notes) out.push('Notes edited');
  return out.length ? out : ['No change'];
}
