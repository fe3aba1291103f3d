// Follow-up channels (issue 6; clinical-spec §6). The timeline is computed HERE, with the pure
// engine (shared/follow-up/timeline.ts), rather than in the page: planned values need computePlan
// on a parsed plan (zod stays out of the renderer, which runs under a strict CSP), the thresholds
// come from the settings in the same database, and one response carries every number the
// timeline, the chart and the compare view show, so the backend tests check them all.
import { buildTimeline, type TimelineInputStudy } from '../../../shared/follow-up/timeline';
import { AppError } from '../../../shared/ipc/result';
import type { FollowUpRepository } from '../db/repositories/follow-up';
import type { HandlerTable } from '../dispatch';
import type { HandlerDeps } from './library-handlers';

export type FollowUpChannels = 'followUp:getTimeline' | 'findings:save' | 'settings:get' | 'settings:save';

export function followUpHandlers(deps: HandlerDeps): Pick<HandlerTable, FollowUpChannels> {
  const repo = (): FollowUpRepository => {
    if (!deps.followUp) throw new AppError('INTERNAL', 'Follow-up storage is not open in this backend.');
    return deps.followUp;
  };
  return {
    'followUp:getTimeline': ({ patientId }) => {
      const detail = deps.repo.getPatient(patientId);
      const followUp = repo();
      const studies: TimelineInputStudy[] = detail.studies.map((st) => ({
        studyId: st.id,
        studyDate: st.studyDate,
        description: st.description,
        role: st.role,
        operationDate: st.operationDate,
        images: st.series.flatMap((se) =>
          se.images.map((im) => ({
            imageId: im.id,
            sopInstanceUid: im.sopInstanceUid,
            rows: im.rows,
            columns: im.columns,
            modality: im.modality,
            transferSyntaxUid: im.transferSyntaxUid,
            header: deps.repo.getImage(im.id).header,
            sets: deps.measurements.listLatest(im.id),
            findings: followUp.latestFindings(im.id),
          })),
        ),
      }));
      const plans = deps.plans.list(patientId).map((p) => ({ planId: p.planId, imageId: p.imageId, frame: p.frame, side: p.side, chosen: p.chosen, studyDate: p.studyDate, plan: p.plan }));
      return { patient: detail.patient, ...buildTimeline({ studies, plans, thresholds: followUp.settings().lossThresholds }) };
    },
    'findings:save': ({ imageId, side, ...findings }) => {
      const { created: _created, ...saved } = repo().saveFindings(imageId, side, findings);
      return saved;
    },
    'settings:get': () => repo().settings(),
    'settings:save': (request) => repo().saveSettings(request),
  };
}
