// The plan screen's pure logic (issue 5; clinical-spec §5): a new plan's defaults, what a
// procedure or target change does to the surgeon's choices, moving a hinge or cut entry,
// alternative names, the target input rules and the pre-op joint-line obliquity the engine reports
// only post-op (labels and summaries: shared/planning/plan-summary.ts). No DOM and no zod (the page runs under a CSP without eval).
import { pixelToLeg } from '../../../../shared/geometry/frame';
import { angleBetweenDeg, sub } from '../../../../shared/geometry/vec';
import { legFrameFor, type LegAlignment } from '../../../../shared/measurements/leg-alignment';
import type { SavedPlan } from '../../../../shared/ipc/contract';
import type { Calibration } from '../../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import type { Plan, PlanTarget, Procedure } from '../../../../shared/schemas/plan';
import { WBL_PRESETS } from '../../../../shared/planning/plan-summary';

export { planSummary, PROCEDURE_OPTIONS, procedureLabel, targetLabel, WBL_PRESETS } from '../../../../shared/planning/plan-summary';

/** shared/schemas/plan PLAN_SCHEMA_VERSION, not imported: that module loads zod. */
export const PLAN_SCHEMA_VERSION = 1 as const;

/** Schema limits (shared/schemas/plan PlanTargetSchema). */
export const HKA_TARGET_LIMIT_DEG = 20;

export type PlanHandleRef = { cut: number; point: 'hinge' | 'cutEntry' };

export function todayIso(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())}`;
}

/** "Plan A", "Plan B", ... the first letter no plan of the leg uses yet. */
export function nextPlanName(existing: readonly string[]): string {
  const used = new Set(existing.map((n) => n.trim().toLowerCase()));
  for (let i = 0; i < 26 * 27; i++) {
    const letters = i < 26 ? String.fromCharCode(65 + i) : String.fromCharCode(64 + Math.floor(i / 26)) + String.fromCharCode(65 + (i % 26));
    const name = `Plan ${letters}`;
    if (!used.has(name.toLowerCase())) return name;
  }
  return `Plan ${existing.length + 1}`;
}

/** A new plan: medial opening-wedge HTO to Fujisawa 62.5 %, default hinge and cut (clinical-spec §5). */
export function newPlan(opts: { name: string; surgeon: string | null; date?: string | null }): Plan {
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    name: opts.name,
    date: opts.date === undefined ? todayIso() : opts.date,
    surgeon: opts.surgeon,
    procedure: 'hto-medial-opening',
    target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' },
    hinge: null,
    cutEntry: null,
    softTissue: { method: 'none' },
    doubleLevel: null,
    notes: '',
  };
}

/** An alternative: the same choices under the next free name. */
export function duplicatePlan(plan: Plan, existingNames: readonly string[]): Plan {
  return { ...plan, name: nextPlanName(existingNames), target: { ...plan.target }, softTissue: { ...plan.softTissue }, doubleLevel: plan.doubleLevel ? { ...plan.doubleLevel } : null };
}

/**
 * Another procedure puts the hinge elsewhere (lateral for an opening HTO, medial for a closing
 * one, on the femur for a DFO): its handles go back to that procedure's defaults.
 */
export function withProcedure(plan: Plan, procedure: Procedure): Plan {
  if (procedure === plan.procedure) return plan;
  return {
    ...plan,
    procedure,
    hinge: null,
    cutEntry: null,
    doubleLevel: procedure === 'double-level' ? { maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null } : null,
  };
}

/**
 * Moves a hinge or cut entry to `pixel`. Cut 0 is the plan's hinge/cutEntry (tibia, or femur in a
 * DFO); cut 1 is the femoral cut of a double-level plan. The other point of the cut is pinned at
 * its current (possibly default) place, so dragging one never moves the other.
 */
export function withHandle(plan: Plan, ref: PlanHandleRef, pixel: { x: number; y: number }, current: { hinge: { x: number; y: number }; cutEntry: { x: number; y: number } }): Plan {
  const p = { x: pixel.x, y: pixel.y };
  const pin = (q: { x: number; y: number }) => ({ x: q.x, y: q.y });
  const hinge = ref.point === 'hinge' ? p : pin(current.hinge);
  const cutEntry = ref.point === 'cutEntry' ? p : pin(current.cutEntry);
  if (ref.cut === 0) return { ...plan, hinge, cutEntry };
  const dl = plan.doubleLevel ?? { maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null };
  return { ...plan, doubleLevel: { ...dl, femoralHinge: hinge, femoralCutEntry: cutEntry } };
}

/** Back to the §5 defaults for every handle. */
export function withDefaultHandles(plan: Plan): Plan {
  return { ...plan, hinge: null, cutEntry: null, doubleLevel: plan.doubleLevel ? { ...plan.doubleLevel, femoralHinge: null, femoralCutEntry: null } : null };
}

/** Parses a number typed by a surgeon (comma or point decimals); null when it is not one. */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(',', '.');
  if (!/^[-+]?\d+(\.\d+)?$|^[-+]?\.\d+$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** A custom WBL % target, or the message to show. */
export function customWblTarget(text: string): PlanTarget | { error: string } {
  const v = parseNumber(text);
  if (v === null || v < 0 || v > 100) return { error: 'Enter the target WBL as a percentage from 0 to 100 (medial edge 0 %, lateral edge 100 %).' };
  const preset = WBL_PRESETS.find((p) => p.percent === v);
  return { kind: 'wbl', percent: v, preset: preset ? preset.preset : 'custom' };
}

/** A custom HKA target typed as the HKA angle (e.g. 183) or as a deviation (+3 valgus, −2 varus). */
export function customHkaTarget(text: string): PlanTarget | { error: string } {
  const v = parseNumber(text);
  const message = `Enter the target HKA as an angle (e.g. 182) or a deviation from 180° within ±${HKA_TARGET_LIMIT_DEG}° (+ valgus, − varus).`;
  if (v === null) return { error: message };
  const deg = Math.abs(v) > 90 ? v - 180 : v;
  if (Math.abs(deg) > HKA_TARGET_LIMIT_DEG) return { error: message };
  return { kind: 'hka', deg: Math.round(deg * 1000) / 1000 };
}

/** The leg was measured again after this plan revision was saved: its numbers have changed. */
export const isRemeasured = (p: Pick<SavedPlan, 'landmarkRevision' | 'latestLandmarkRevision'>) => p.latestLandmarkRevision > p.landmarkRevision;

/**
 * Joint-line obliquity as the engine defines it for its flag (clinical-spec §5): the angle between
 * the tibial plateau line and the perpendicular to the mechanical axis H–A, in the leg frame (mm).
 * computePlan reports it post-op only; this gives the pre-op value beside it.
 */
export function jointLineObliquityDeg(set: LandmarkSet, calibration: Calibration, alignment: LegAlignment): number | null {
  const H = alignment.keyPoints.femoralHeadCentre.pixel;
  const A = alignment.keyPoints.ankleCentre.pixel;
  const Pm = set.landmarks.tibialPlateauMedial;
  const Pl = set.landmarks.tibialPlateauLateral;
  if (!H || !A || !Pm || !Pl) return null;
  const frame = legFrameFor(set, calibration);
  const axis = sub(pixelToLeg(frame, A), pixelToLeg(frame, H));
  const plateau = sub(pixelToLeg(frame, Pl), pixelToLeg(frame, Pm));
  return Math.abs(angleBetweenDeg(axis, plateau, 'joint-line obliquity') - 90);
}
