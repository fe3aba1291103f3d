// The guided step list (clinical-spec §2): which landmark to click next. The steps come from the
// engine's guidedLandmarkSteps(variants); this module only decides completion and the next step.
import type { LandmarkCatalogueEntry } from '../../../../shared/landmarks/catalogue';
import type { LandmarkId } from '../../../../shared/landmarks/ids';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';

/** clinical-spec §2: a head circle needs at least 3 contour points. */
export const MIN_CONTOUR_POINTS = 3;

export function stepDone(step: LandmarkCatalogueEntry, set: LandmarkSet): boolean {
  if (step.kind === 'contour') return set.femoralHeadContour.length >= MIN_CONTOUR_POINTS;
  return Boolean(set.landmarks[step.id as LandmarkId]);
}

/** Contour points placed / a point placed, for the list's progress text. */
export function stepProgress(step: LandmarkCatalogueEntry, set: LandmarkSet): string {
  if (step.kind === 'contour') {
    const n = set.femoralHeadContour.length;
    return n >= MIN_CONTOUR_POINTS ? `${n} points` : `${n} / ${MIN_CONTOUR_POINTS}`;
  }
  return stepDone(step, set) ? 'placed' : '';
}

/**
 * The step after `from` that still needs a click: not done and not skipped, searching forward
 * and then from the top, so skipped or forgotten steps come back last. null when nothing is left.
 */
export function nextOpenStep(steps: readonly LandmarkCatalogueEntry[], set: LandmarkSet, from: number, skipped: ReadonlySet<string>): number | null {
  const n = steps.length;
  for (let k = 1; k <= n; k++) {
    const i = (from + k + n) % n;
    const s = steps[i]!;
    if (!stepDone(s, set) && !skipped.has(s.id)) return i;
  }
  return null;
}

/** The step to start with: the first open one. */
export function firstOpenStep(steps: readonly LandmarkCatalogueEntry[], set: LandmarkSet, skipped: ReadonlySet<string> = new Set()): number | null {
  return nextOpenStep(steps, set, -1, skipped);
}
