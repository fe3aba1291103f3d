// Planning channels (issue 5; clinical-spec §5): the patient's osteotomy plans, saved like
// landmark sets (canonical JSON, a revision per change, identical saves add nothing), one chosen
// per leg, archived instead of deleted. The numbers a plan shows are never stored: the screen runs
// computePlan and shared/planning/display-geometry.ts on the plan and its landmark set.
import type { HandlerTable } from '../dispatch';
import type { HandlerDeps } from './library-handlers';

export type PlanChannels = 'plan:list' | 'plan:save' | 'plan:setChosen' | 'plan:archive';

export function planHandlers(deps: HandlerDeps): Pick<HandlerTable, PlanChannels> {
  return {
    'plan:list': ({ patientId }) => deps.plans.list(patientId),
    'plan:save': (request) => {
      const { planId, revision, savedAt } = deps.plans.save(request);
      return { planId, revision, savedAt };
    },
    'plan:setChosen': ({ planId, chosen }) => deps.plans.setChosen(planId, chosen ?? true),
    'plan:archive': ({ planId }) => deps.plans.archive(planId),
  };
}
