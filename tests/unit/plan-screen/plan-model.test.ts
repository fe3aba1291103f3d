// The plan screen's pure logic: new plans and alternatives, what a procedure change resets, a
// handle drag pins the other point, target input rules, list texts, re-measured detection and the
// pre-op joint-line obliquity agreeing with the engine's post-op definition.
import { describe, expect, it } from 'vitest';
import { decideCalibration } from '../../../shared/calibration/calibration';
import { computePlan } from '../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { parsePlan, PROCEDURES, WBL_TARGET_PRESETS } from '../../../shared/schemas/plan';
import {
  customHkaTarget,
  customWblTarget,
  duplicatePlan,
  isRemeasured,
  jointLineObliquityDeg,
  newPlan,
  nextPlanName,
  parseNumber,
  planSummary,
  PLAN_SCHEMA_VERSION,
  PROCEDURE_OPTIONS,
  targetLabel,
  todayIso,
  WBL_PRESETS,
  withDefaultHandles,
  withHandle,
  withProcedure,
} from '../../../renderer/src/screens/plan/plan-model';
import golden from '../../fixtures/golden/landmark-set.v1.json';

const set = { ...(golden as unknown as LandmarkSet), userCalibration: null };
const calibration = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1, pixelSpacingCalibrationType: null });

describe('plan model', () => {
  it('mirrors the schema constants it cannot import (zod stays out of the page)', () => {
    expect(PLAN_SCHEMA_VERSION).toBe(1);
    expect(PROCEDURE_OPTIONS.map((o) => o.id)).toEqual([...PROCEDURES]);
    for (const p of WBL_PRESETS) expect(WBL_TARGET_PRESETS[p.preset]).toBe(p.percent);
  });

  it('a new plan is a valid schema document: medial opening HTO to Fujisawa 62.5 % with default handles', () => {
    const plan = newPlan({ name: 'Plan A', surgeon: 'Dr. X', date: '2025-03-04' });
    expect(parsePlan(plan)).toEqual(plan);
    expect(plan).toMatchObject({ procedure: 'hto-medial-opening', target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' }, hinge: null, cutEntry: null });
    expect(todayIso(new Date(2024, 0, 5))).toBe('2024-01-05');
  });

  it('names alternatives with the next free letter and copies every choice', () => {
    expect(nextPlanName([])).toBe('Plan A');
    expect(nextPlanName(['Plan A', 'plan b', 'Other'])).toBe('Plan C');
    const names = Array.from({ length: 26 }, (_, i) => `Plan ${String.fromCharCode(65 + i)}`);
    expect(nextPlanName(names)).toBe('Plan AA');
    const plan = { ...newPlan({ name: 'Plan A', surgeon: null }), hinge: { x: 10, y: 20 } };
    const copy = duplicatePlan(plan, ['Plan A']);
    expect(copy.name).toBe('Plan B');
    expect({ ...copy, name: plan.name }).toEqual(plan);
    expect(copy.target).not.toBe(plan.target); // editing the copy never touches the original
  });

  it('a procedure change resets the handles to that procedure’s defaults; double-level gets its MPTA limit', () => {
    const plan = { ...newPlan({ name: 'A', surgeon: null }), hinge: { x: 1, y: 2 }, cutEntry: { x: 3, y: 4 } };
    expect(withProcedure(plan, 'hto-medial-opening')).toBe(plan);
    const dfo = withProcedure(plan, 'dfo-lateral-opening');
    expect(dfo).toMatchObject({ procedure: 'dfo-lateral-opening', hinge: null, cutEntry: null, doubleLevel: null });
    const dl = withProcedure(plan, 'double-level');
    expect(dl.doubleLevel).toEqual({ maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null });
    expect(parsePlan(dl)).toEqual(dl);
  });

  it('dragging one point pins the other where it was drawn; cut 1 is the femoral cut of a double-level plan', () => {
    const plan = newPlan({ name: 'A', surgeon: null });
    const current = { hinge: { x: 100, y: 200 }, cutEntry: { x: 300, y: 260 } };
    const moved = withHandle(plan, { cut: 0, point: 'hinge' }, { x: 110, y: 190 }, current);
    expect(moved.hinge).toEqual({ x: 110, y: 190 });
    expect(moved.cutEntry).toEqual({ x: 300, y: 260 });
    const dl = withProcedure(plan, 'double-level');
    const fem = withHandle(dl, { cut: 1, point: 'cutEntry' }, { x: 5, y: 6 }, current);
    expect(fem.hinge).toBeNull();
    expect(fem.doubleLevel).toEqual({ maxPostOpMptaDeg: 90, femoralHinge: { x: 100, y: 200 }, femoralCutEntry: { x: 5, y: 6 } });
    expect(withDefaultHandles(fem).doubleLevel).toEqual({ maxPostOpMptaDeg: 90, femoralHinge: null, femoralCutEntry: null });
    // The engine keeps the user's pixels exactly.
    const r = computePlan(set, calibration, withHandle(plan, { cut: 0, point: 'hinge' }, { x: 1234.5678, y: 3210.125 }, computePlan(set, calibration, plan).cuts[0]!));
    expect(r.cuts[0]!.hinge).toEqual({ x: 1234.5678, y: 3210.125 });
    expect(r.cuts[0]!.hingeSource).toBe('plan');
  });

  it('custom targets: WBL 0–100 % (a preset value keeps its preset), HKA as an angle or a deviation within ±20°', () => {
    expect(parseNumber(' 62,5 ')).toBe(62.5);
    expect(parseNumber('6e1')).toBeNull();
    expect(parseNumber('')).toBeNull();
    expect(customWblTarget('58')).toEqual({ kind: 'wbl', percent: 58, preset: 'custom' });
    expect(customWblTarget('55')).toEqual({ kind: 'wbl', percent: 55, preset: 'consensus' });
    expect(customWblTarget('101')).toHaveProperty('error');
    expect(customWblTarget('abc')).toHaveProperty('error');
    expect(customHkaTarget('183')).toEqual({ kind: 'hka', deg: 3 });
    expect(customHkaTarget('+3')).toEqual({ kind: 'hka', deg: 3 });
    expect(customHkaTarget('-2.5')).toEqual({ kind: 'hka', deg: -2.5 });
    expect(customHkaTarget('177')).toEqual({ kind: 'hka', deg: -3 });
    expect(customHkaTarget('205')).toHaveProperty('error');
    expect(customHkaTarget('21')).toHaveProperty('error');
  });

  it('list texts name the procedure and target; a plan saved before a re-measurement says so', () => {
    expect(planSummary(newPlan({ name: 'A', surgeon: null }))).toBe('MOW HTO → WBL 62.5 % Fujisawa');
    expect(targetLabel({ kind: 'wbl', percent: 60, preset: 'custom' })).toBe('WBL 60 %');
    expect(targetLabel({ kind: 'hka', deg: -2 })).toBe('HKA 178° (2° varus)');
    expect(targetLabel({ kind: 'hka', deg: 0 })).toBe('HKA 180° (neutral)');
    expect(isRemeasured({ landmarkRevision: 3, latestLandmarkRevision: 4 })).toBe(true);
    expect(isRemeasured({ landmarkRevision: 4, latestLandmarkRevision: 4 })).toBe(false);
  });

  it('pre-op joint-line obliquity uses the engine’s definition: applied to the predicted leg it equals computePlan’s', () => {
    const result = computePlan(set, calibration, newPlan({ name: 'A', surgeon: null }));
    const post = jointLineObliquityDeg(result.transformedSet, calibration, result.predicted);
    expect(post).toBeCloseTo(result.predictedJointLineObliquityDeg!, 9);
    const pre = jointLineObliquityDeg(set, calibration, result.preOp)!;
    expect(pre).toBeGreaterThanOrEqual(0);
    expect(Math.abs(pre - post!)).toBeGreaterThan(0.1); // the HTO tilts the plateau against the axis
  });
});
