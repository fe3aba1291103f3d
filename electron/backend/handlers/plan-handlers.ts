// Planning channels (issue 5; clinical-spec §5): the patient's osteotomy plans, saved like
// landmark sets (canonical JSON, a revision per change, identical saves add nothing), one chosen
// per leg, archived instead of deleted. The numbers a plan shows are never stored: the screen runs
// computePlan and shared/planning/display-geometry.ts on the plan and its landmark set; the
// history recomputes each revision's wedge angle on the landmarks it was saved with.
import { decideCalibration } from '../../../shared/calibration/calibration';
import type { PlanRevisionInfo } from '../../../shared/ipc/contract';
import { computePlan } from '../../../shared/planning/osteotomy';
import { describePlanChanges, planSummary } from '../../../shared/planning/plan-summary';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { Plan } from '../../../shared/schemas/plan';
import type { HandlerTable } from '../dispatch';
import type { HandlerDeps } from './library-handlers';

export type PlanChannels = 'plan:list' | 'plan:save' | 'plan:setChosen' | 'plan:archive' | 'plan:history' | 'plan:getRevision';

export function planHandlers(deps: HandlerDeps): Pick<HandlerTable, PlanChannels> {
  return {
    'plan:list': ({ patientId }) => deps.plans.list(patientId),
    'plan:save': (request) => {
      const { planId, revision, savedAt } = deps.plans.save(request);
      return { planId, revision, savedAt };
    },
    'plan:setChosen': ({ planId, chosen }) => deps.plans.setChosen(planId, chosen ?? true),
    'plan:archive': ({ planId }) => deps.plans.archive(planId),
    'plan:history': ({ planId }) => planHistory(deps, planId),
    'plan:getRevision': ({ planId, revision }) => ({ planId, ...deps.plans.getRevision(planId, revision) }),
  };
}

function planHistory(deps: HandlerDeps, planId: number): PlanRevisionInfo[] {
  const revisions = deps.plans.revisions(planId);
  const { imageId, frame, side } = deps.plans.placement(planId);
  const header = deps.repo.getImage(imageId).header;
  const sets = new Map<number, LandmarkSet | null>();
  const landmarksOf = (revision: number) => {
    if (!sets.has(revision)) {
      try {
        sets.set(revision, deps.measurements.getRevision(imageId, frame, side, revision).set);
      } catch {
        sets.set(revision, null);
      }
    }
    return sets.get(revision) ?? null;
  };
  const wedgeAngle = (plan: Plan, landmarkRevision: number): number | null => {
    const set = landmarksOf(landmarkRevision);
    if (!set) return null;
    try {
      return computePlan(set, decideCalibration(header, set.userCalibration), plan).wedgeAngleDeg;
    } catch {
      // A plan that cannot be computed on those landmarks (a landmark missing, a target out of reach) has no wedge to show.
      return null;
    }
  };
  // A restore (or undoing back) saves an earlier state again: say which, before the differences.
  const documents = revisions.map((r) => JSON.stringify(r.plan));
  const sameAsEarlier = (i: number): string[] => {
    for (let j = i + 2; j < revisions.length; j++) if (documents[j] === documents[i]) return [`Back to revision ${revisions[j]!.revision}`];
    return [];
  };
  // Newest first: the revision before revisions[i] is revisions[i + 1].
  return revisions.map((r, i) => {
    const wedgeAngleDeg = wedgeAngle(r.plan, r.landmarkRevision);
    return {
      revision: r.revision,
      savedAt: r.savedAt,
      appVersion: r.appVersion,
      landmarkRevision: r.landmarkRevision,
      procedure: r.plan.procedure,
      target: r.plan.target,
      wedgeAngleDeg,
      summary: `${planSummary(r.plan)}${wedgeAngleDeg === null ? '' : ` · α ${wedgeAngleDeg.toFixed(1)}°`}`,
      changes: [...sameAsEarlier(i), ...describePlanChanges(revisions[i + 1]?.plan ?? null, r.plan)],
    };
  });
}
