// A plan in words: the summary line and what changed between two revisions, as the history shows them.
import { describe, expect, it } from 'vitest';
import { describePlanChanges, planSummary } from '../../../shared/planning/plan-summary';
import { newPlan, withProcedure } from '../../../renderer/src/screens/plan/plan-model';
import type { Plan } from '../../../shared/schemas/plan';

const base = (): Plan => newPlan({ name: 'Plan A', surgeon: null, date: '2026-01-02' });

describe('plan in words', () => {
  it('summarises procedure and target', () => {
    expect(planSummary(base())).toBe('MOW HTO → WBL 62.5 % Fujisawa');
    expect(planSummary({ procedure: 'dfo-medial-closing', target: { kind: 'hka', deg: -2 } })).toBe('MCW DFO → HKA 178° (2° varus)');
  });

  it('names every changed choice once, in the editor order', () => {
    const a = base();
    expect(describePlanChanges(null, a)).toEqual(['Plan created']);
    expect(describePlanChanges(a, { ...a })).toEqual(['No change']);
    const b: Plan = { ...a, name: 'Plan B', surgeon: 'Dr X', target: { kind: 'wbl', percent: 55, preset: 'consensus' }, softTissue: { method: 'lmlr', deltaJlcaDeg: 3, formula: 'simple' }, notes: 'n' };
    expect(describePlanChanges(a, b)).toEqual([
      'Name “Plan A” → “Plan B”',
      'Surgeon none → “Dr X”',
      'Target WBL 62.5 % Fujisawa → WBL 55 % consensus',
      'Soft tissue none → LMLR ΔJLCA 3° (simple)',
      'Notes edited',
    ]);
    expect(describePlanChanges(a, { ...a, target: { kind: 'wbl', percent: 60, preset: 'custom' } })).toEqual(['Target WBL 62.5 % Fujisawa → WBL 60 %']);
  });

  it('tells a first drag (both points of the cut leave their defaults), a move, and a reset apart; a procedure change says only that', () => {
    const a = base();
    const placed = { ...a, hinge: { x: 10, y: 20 }, cutEntry: { x: 30, y: 40 } };
    expect(describePlanChanges(a, placed)).toEqual(['Hinge and cut entry placed on the film']);
    expect(describePlanChanges(placed, { ...placed, hinge: { x: 11, y: 20 } })).toEqual(['Hinge moved']);
    expect(describePlanChanges(placed, { ...placed, cutEntry: { x: 30, y: 41 } })).toEqual(['Cut entry moved']);
    expect(describePlanChanges(placed, a)).toEqual(['Hinge back to default', 'Cut entry back to default']);
    expect(describePlanChanges(placed, withProcedure(placed, 'hto-lateral-closing'))).toEqual(['Procedure MOW HTO → LCW HTO']);
    const dfo = withProcedure(a, 'dfo-lateral-opening');
    expect(describePlanChanges(dfo, { ...dfo, hinge: { x: 1, y: 2 }, cutEntry: { x: 3, y: 4 } })).toEqual(['Femoral hinge and femoral cut entry placed on the film']);
    const dl = withProcedure(a, 'double-level');
    expect(describePlanChanges(dl, { ...dl, doubleLevel: { ...dl.doubleLevel!, maxPostOpMptaDeg: 92, femoralHinge: { x: 5, y: 6 } } })).toEqual(['Femoral hinge placed', 'Tibia up to MPTA 90° → 92°']);
  });
});
