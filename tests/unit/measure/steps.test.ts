// Guided steps: completion, the next open step after a click, skipped steps come back last.
import { describe, expect, it } from 'vitest';
import { guidedLandmarkSteps } from '../../../shared/landmarks/catalogue';
import { DEFAULT_VARIANTS } from '../../../shared/landmarks/ids';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { emptySet } from '../../../renderer/src/screens/measure/landmark-store';
import { firstOpenStep, nextOpenStep, stepDone, stepProgress } from '../../../renderer/src/screens/measure/steps';

const steps = guidedLandmarkSteps(DEFAULT_VARIANTS);
const idx = (id: string) => steps.findIndex((s) => s.id === id);
const p = { x: 1, y: 1, placedBy: 'user' as const };

describe('guided steps', () => {
  it('the head contour is done at 3 points, a point step when placed', () => {
    const set: LandmarkSet = emptySet('1.2', 0, 'R', false, DEFAULT_VARIANTS);
    expect(stepDone(steps[0]!, set)).toBe(false);
    const three = { ...set, femoralHeadContour: [p, p, p] };
    expect(stepDone(steps[0]!, three)).toBe(true);
    expect(stepProgress(steps[0]!, { ...set, femoralHeadContour: [p, p] })).toBe('2 / 3');
    expect(stepProgress(steps[0]!, { ...set, femoralHeadContour: [p, p, p, p, p] })).toBe('5 points');
    expect(stepDone(steps[idx('kneeCentre')]!, { ...set, landmarks: { kneeCentre: p } })).toBe(true);
  });

  it('starts at the contour and moves to the next open step after a click, skipping placed ones', () => {
    const set = emptySet('1.2', 0, 'R', false, DEFAULT_VARIANTS);
    expect(firstOpenStep(steps, set)).toBe(0);
    const withSome = { ...set, landmarks: { femoralCondyleMedial: p, femoralCondyleLateral: p } };
    // After the distal shaft point the condyles are done, so the knee centre is next.
    expect(nextOpenStep(steps, withSome, idx('femoralShaftDistal'), new Set())).toBe(idx('kneeCentre'));
  });

  it('skipped steps are not proposed; open earlier steps come back after the last one; null when all done', () => {
    const set = emptySet('1.2', 0, 'R', false, DEFAULT_VARIANTS);
    const skipped = new Set(['greaterTrochanterTip']);
    expect(nextOpenStep(steps, { ...set, femoralHeadContour: [p, p, p] }, 0, skipped)).toBe(idx('femoralShaftProximal'));
    const last = steps.length - 1;
    expect(nextOpenStep(steps, set, last, new Set())).toBe(0);
    const all: LandmarkSet = { ...set, femoralHeadContour: [p, p, p], landmarks: Object.fromEntries(steps.filter((s) => s.kind === 'point').map((s) => [s.id, p])) };
    expect(nextOpenStep(steps, all, 3, new Set())).toBeNull();
  });
});
