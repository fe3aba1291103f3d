// What the generated follow-up series was drawn with, stored through the channels: shared by the
// backend and browser follow-up tests so both set the library up the same way.
import { truthCalibration, truthLandmarkSet, type FollowUpFilm } from '../../electron/backend/phantom/follow-up-series';
import type { Channel, RequestOf, ResponseOf } from '../../shared/ipc/contract';
import { computePlan } from '../../shared/planning/osteotomy';
import { parsePlan, type PlanInput } from '../../shared/schemas/plan';

/** Calls a channel and returns its value, throwing on a failure. */
export type CallChannel = <C extends Channel>(channel: C, request: RequestOf<C>) => Promise<ResponseOf<C>>;

/** The plan the series was drawn with (its truth: engine default hinge and cut entry, Fujisawa target). */
export function seriesPlan(film: FollowUpFilm): PlanInput {
  const p = film.truth.followUp.plan;
  return {
    schemaVersion: 1,
    name: 'Fujisawa HTO',
    date: film.truth.followUp.operationDate,
    procedure: 'hto-medial-opening',
    target: { kind: 'wbl', percent: p.targetWblPercent, preset: 'fujisawa' },
    hinge: p.hingePx,
    cutEntry: p.cutEntryPx,
  };
}

/** The engine's predicted values for the series plan on the pre-op film (the first film). */
export function plannedMeasurements(films: readonly FollowUpFilm[]) {
  const pre = films[0]!;
  return computePlan(truthLandmarkSet(pre.truth, 'R'), truthCalibration(pre.truth), parsePlan(seriesPlan(pre))).predicted.measurements;
}

/**
 * Stores the truth of the operated (right) leg: every film's landmark set, and the series plan on
 * the pre-op film, chosen. imageIds[k] is the library's id of films[k].
 */
export async function storeSeriesTruth(call: CallChannel, films: readonly FollowUpFilm[], imageIds: readonly number[]): Promise<{ planId: number }> {
  for (const [k, f] of films.entries()) await call('measurement:save', { imageId: imageIds[k]!, set: truthLandmarkSet(f.truth, 'R') });
  const { planId } = await call('plan:save', { planId: null, imageId: imageIds[0]!, frame: 0, side: 'R', plan: seriesPlan(films[0]!) });
  await call('plan:setChosen', { planId });
  return { planId };
}
