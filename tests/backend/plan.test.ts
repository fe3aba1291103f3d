// Plan channels through dispatch and the real backend (issue 5): real imported films, landmark
// sets saved through measurement:save, plans saved, listed, chosen and archived; the plan restored
// after a restart gives computePlan exactly the result it gave before; wrong image, patient, leg
// or schema version are refused with a clear message and change nothing.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../electron/backend/backend';
import { dispatch } from '../../electron/backend/dispatch';
import { decideCalibration } from '../../shared/calibration/calibration';
import type { ImportReport } from '../../shared/ipc/contract';
import { computePlan } from '../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import { parsePlan, type PlanInput } from '../../shared/schemas/plan';
import { legPointsMm, toLandmarkSet, TYPICAL_VARUS_LEG } from '../unit/helpers/synthetic-leg';
import { dicomData, testBackend, type TestBackend } from './helpers';

// RG2: a real CR hip film of patient 10RG2 (PixelSpacing 0.2 mm); emri_small: 10 frames of another (anonymous) patient.
const FILM = path.join(dicomData, 'derived-local/RG2_from_JPLL_RLE.dcm');
const OTHER_PATIENT = path.join(dicomData, 'pydicom-data/emri_small.dcm');

let t: TestBackend | undefined;
afterEach(() => {
  t?.dispose();
  t = undefined;
});

async function setUp(tb: TestBackend) {
  const report: ImportReport = await tb.value('import:paths', { paths: [FILM, OTHER_PATIENT] });
  expect(report.imported).toHaveLength(2);
  const film = report.imported.find((f) => f.path === FILM)!;
  const other = report.imported.find((f) => f.path === OTHER_PATIENT)!;
  expect(film.patientId).not.toBe(other.patientId);
  // A varus leg at the film's 0.2 mm spacing (the film shows a hip; the points only need to be stored and measured).
  const set = (side: 'L' | 'R', sopInstanceUid = film.sopInstanceUid) => ({
    ...toLandmarkSet(legPointsMm(TYPICAL_VARUS_LEG), { side, imageFlipped: false, rowSpacingMm: 0.2, columnSpacingMm: 0.2, offsetPx: { x: side === 'R' ? 500 : 1300, y: 2600 } }),
    sopInstanceUid,
  });
  await tb.value('measurement:save', { imageId: film.imageId, set: set('R') });
  await tb.value('measurement:save', { imageId: film.imageId, set: set('L') });
  await tb.value('measurement:save', { imageId: other.imageId, set: set('R', other.sopInstanceUid) });
  return { film, other, set };
}

const planDoc = (overrides: Partial<PlanInput> = {}): PlanInput => ({
  schemaVersion: 1,
  name: 'Fujisawa',
  date: '2024-07-01',
  surgeon: 'Dr A. Surgeon',
  procedure: 'hto-medial-opening',
  target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' },
  ...overrides,
});

describe('plan channels', () => {
  it('save → list round-trips exactly; an identical save adds nothing; a dragged hinge is a new revision; computePlan gives the same numbers after a restart', async () => {
    t = testBackend();
    const { film, set } = await setUp(t);
    const header = (await t.value('library:getImage', { imageId: film.imageId })).header;
    const calibration = decideCalibration(header);
    expect(calibration.type).not.toBe('uncalibrated');

    const created = await t.value('plan:save', { planId: null, imageId: film.imageId, frame: 0, side: 'R', plan: planDoc() });
    expect(created).toMatchObject({ revision: 1 });
    expect(await t.value('plan:save', { planId: created.planId, imageId: film.imageId, frame: 0, side: 'R', plan: planDoc() })).toEqual(created);

    // The surgeon drags the hinge: the plan now carries it in pixels, floats unrounded.
    const before = computePlan(set('R'), calibration, parsePlan(planDoc()));
    const hinge = { x: before.cuts[0]!.hinge.x + 3.0000000000000004, y: before.cuts[0]!.hinge.y - 1 / 3 };
    const dragged = planDoc({ hinge, cutEntry: before.cuts[0]!.cutEntry });
    const saved = await t.value('plan:save', { planId: created.planId, imageId: film.imageId, frame: 0, side: 'R', plan: dragged });
    expect(saved).toMatchObject({ planId: created.planId, revision: 2 });

    const list = await t.value('plan:list', { patientId: film.patientId });
    expect(list).toEqual([
      {
        planId: created.planId,
        patientId: film.patientId,
        imageId: film.imageId,
        sopInstanceUid: film.sopInstanceUid,
        frame: 0,
        side: 'R',
        studyId: expect.any(Number) as unknown,
        studyDate: expect.any(String) as unknown,
        chosen: false,
        revision: 2,
        createdAt: created.savedAt,
        updatedAt: saved.savedAt,
        landmarkRevision: 1,
        latestLandmarkRevision: 1,
        plan: parsePlan(dragged),
      },
    ]);
    expect(list[0]!.plan.hinge).toEqual(hinge);
    const result = computePlan(set('R'), calibration, list[0]!.plan);
    expect(result.wedgeAngleDeg).not.toBe(before.wedgeAngleDeg);

    // Restart: a new backend over the same data dir restores the plan and the same engine result, bit for bit.
    t.backend.close();
    const reopened = openBackend({ dataDir: t.dataDir, appVersion: '0.1.0-test', mode: 'browser' });
    try {
      const again = await dispatch(reopened.handlers, 'plan:list', { patientId: film.patientId }, { emit: () => {} });
      expect(again).toEqual({ ok: true, value: list });
      const landmarks = await dispatch(reopened.handlers, 'measurement:list', { imageId: film.imageId }, { emit: () => {} });
      const restoredSet = (landmarks as { ok: true; value: { set: ReturnType<typeof set> }[] }).value.find((s) => s.set.side === 'R')!.set;
      const restored = computePlan(restoredSet, calibration, (again as { ok: true; value: typeof list }).value[0]!.plan);
      expect(restored).toEqual(result);
    } finally {
      reopened.close();
    }
  });

  it('several alternatives per patient: one chosen per leg, choosing another unmarks it in the same call, archive hides and unmarks', async () => {
    t = testBackend();
    const { film } = await setUp(t);
    const save = (side: 'L' | 'R', name: string) => t!.value('plan:save', { planId: null, imageId: film.imageId, frame: 0, side, plan: planDoc({ name }) });
    const a = await save('R', 'A: Fujisawa');
    const b = await save('R', 'B: 55 %');
    const c = await save('R', 'C: neutral');
    const left = await save('L', 'left leg');

    expect(await t.value('plan:setChosen', { planId: a.planId })).toEqual({ planId: a.planId, chosen: true, unchosenPlanIds: [] });
    expect(await t.value('plan:setChosen', { planId: left.planId })).toEqual({ planId: left.planId, chosen: true, unchosenPlanIds: [] });
    expect(await t.value('plan:setChosen', { planId: b.planId })).toEqual({ planId: b.planId, chosen: true, unchosenPlanIds: [a.planId] });
    const chosen = async () => (await t!.value('plan:list', { patientId: film.patientId })).filter((p) => p.chosen).map((p) => p.plan.name);
    expect(await chosen()).toEqual(['left leg', 'B: 55 %']);
    // Choosing the chosen one again changes nothing.
    expect(await t.value('plan:setChosen', { planId: b.planId })).toEqual({ planId: b.planId, chosen: true, unchosenPlanIds: [] });

    // Newest first, both legs.
    expect((await t.value('plan:list', { patientId: film.patientId })).map((p) => [p.plan.name, p.side])).toEqual([
      ['left leg', 'L'],
      ['C: neutral', 'R'],
      ['B: 55 %', 'R'],
      ['A: Fujisawa', 'R'],
    ]);

    const archived = await t.value('plan:archive', { planId: b.planId });
    expect(archived).toMatchObject({ planId: b.planId, wasChosen: true });
    expect(await t.value('plan:archive', { planId: b.planId })).toEqual({ planId: b.planId, archivedAt: archived.archivedAt, wasChosen: false });
    expect((await t.value('plan:list', { patientId: film.patientId })).map((p) => p.plan.name)).toEqual(['left leg', 'C: neutral', 'A: Fujisawa']);
    expect(await chosen()).toEqual(['left leg']);
    const refused = await t.call('plan:setChosen', { planId: b.planId });
    expect(refused).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/archived/) as unknown } });

    expect(await t.value('plan:setChosen', { planId: c.planId })).toMatchObject({ unchosenPlanIds: [] });
    expect(await t.value('plan:setChosen', { planId: c.planId, chosen: false })).toEqual({ planId: c.planId, chosen: false, unchosenPlanIds: [] });
    expect(await chosen()).toEqual(['left leg']);
  });

  it('refuses a wrong image, patient, leg, frame, plan id or schema version with a clear message, and saves nothing', async () => {
    t = testBackend();
    const { film, other } = await setUp(t);
    const { planId } = await t.value('plan:save', { planId: null, imageId: film.imageId, frame: 0, side: 'R', plan: planDoc() });
    const listBefore = await t.value('plan:list', { patientId: film.patientId });

    const attempt = (request: Partial<Parameters<TestBackend['call']>[1] & object>) =>
      t!.call('plan:save', { planId, imageId: film.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'changed' }), ...request } as never);
    const error = async (request: Parameters<typeof attempt>[0]) => {
      const r = await attempt(request);
      expect(r.ok).toBe(false);
      return (r as { ok: false; error: { code: string; message: string } }).error;
    };
    expect(await error({ imageId: other.imageId })).toEqual({ code: 'INVALID_INPUT', message: `Plan ${planId} belongs to another patient than image ${other.imageId}: nothing was saved.` });
    expect((await error({ side: 'L' })).message).toMatch(/drawn on image \d+, frame 0, right leg.*Save it as a new plan \(planId null\) to plan on image \d+, frame 0, left leg\. Nothing was saved\./);
    expect(await error({ imageId: 4242 })).toEqual({ code: 'NOT_FOUND', message: 'No image with id 4242 in the library.' });
    expect(await error({ planId: 4242 })).toEqual({ code: 'NOT_FOUND', message: 'No plan with id 4242 in the library.' });
    expect((await error({ planId: null, imageId: other.imageId, frame: 3 })).message).toMatch(/no landmarks for the right leg on frame 3: .*measure the leg first/);
    expect((await error({ planId: null, frame: 1 })).message).toMatch(/Frame 1 does not exist: image \d+ has 1 frame/);
    expect(await error({ plan: { ...planDoc(), schemaVersion: 2 } as never })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/This plan has schemaVersion 2; this Osteoplan reads up to 1\. Update Osteoplan to open it\./) as unknown,
    });
    expect((await error({ plan: { ...planDoc(), procedure: 'tka' } as never })).message).toMatch(/Invalid plan:[\s\S]*procedure/);
    expect((await error({ plan: 'a plan' as never })).message).toMatch(/Invalid request for plan:save at plan: a plan object/);
    expect(await t.call('plan:list', { patientId: 4242 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.call('plan:archive', { planId: 4242 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

    expect(await t.value('plan:list', { patientId: film.patientId })).toEqual(listBefore);
    expect(await t.value('plan:list', { patientId: other.patientId })).toEqual([]);
  });

  it('plan:history lists every revision newest first with its wedge angle on the landmarks of its time and what changed in words; plan:getRevision returns the document; bad input is the error envelope', async () => {
    t = testBackend();
    const { film, set } = await setUp(t);
    const header = (await t.value('library:getImage', { imageId: film.imageId })).header;
    const calibration = decideCalibration(header);
    const save = (plan: PlanInput, planId: number | null) => t!.value('plan:save', { planId, imageId: film.imageId, frame: 0, side: 'R', plan });
    const { planId } = await save(planDoc(), null);
    await save(planDoc({ target: { kind: 'wbl', percent: 55, preset: 'consensus' } }), planId);
    const atDefault = computePlan(set('R'), calibration, parsePlan(planDoc({ target: { kind: 'wbl', percent: 55, preset: 'consensus' } })));
    const hinge = { x: atDefault.cuts[0]!.hinge.x + 15, y: atDefault.cuts[0]!.hinge.y - 10 };
    const dragged = planDoc({ target: { kind: 'wbl', percent: 55, preset: 'consensus' }, hinge, cutEntry: atDefault.cuts[0]!.cutEntry });
    await save(dragged, planId);
    // Re-measured afterwards: the history keeps each revision's wedge on the landmarks it was saved with.
    const remeasured = { ...set('R'), landmarks: { ...set('R').landmarks, ankleCentre: { ...set('R').landmarks.ankleCentre!, x: set('R').landmarks.ankleCentre!.x + 30 } } };
    await t.value('measurement:save', { imageId: film.imageId, set: remeasured });
    await save({ ...dragged, softTissue: { method: 'micicoi' } }, planId);

    const history = await t.value('plan:history', { planId });
    expect(history.map((h) => [h.revision, h.landmarkRevision, h.appVersion])).toEqual([
      [4, 2, '0.1.0-test'],
      [3, 1, '0.1.0-test'],
      [2, 1, '0.1.0-test'],
      [1, 1, '0.1.0-test'],
    ]);
    const wedge = (plan: PlanInput, landmarks: LandmarkSet) => computePlan(landmarks, calibration, parsePlan(plan)).wedgeAngleDeg;
    expect(history[3]!.wedgeAngleDeg).toBe(wedge(planDoc(), set('R')));
    expect(history[2]!.wedgeAngleDeg).toBe(atDefault.wedgeAngleDeg);
    expect(history[1]!.wedgeAngleDeg).toBe(wedge(dragged, set('R')));
    expect(history[0]!.wedgeAngleDeg).toBe(wedge({ ...dragged, softTissue: { method: 'micicoi' } }, remeasured));
    expect(history[1]!.wedgeAngleDeg).not.toBe(history[2]!.wedgeAngleDeg);
    expect(history[3]).toMatchObject({
      procedure: 'hto-medial-opening',
      target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' },
      summary: `MOW HTO → WBL 62.5 % Fujisawa · α ${history[3]!.wedgeAngleDeg!.toFixed(1)}°`,
      changes: ['Plan created'],
    });
    expect(history[2]!.changes).toEqual(['Target WBL 62.5 % Fujisawa → WBL 55 % consensus']);
    expect(history[1]!.changes).toEqual(['Hinge and cut entry placed on the film']);
    expect(history[0]!.changes).toEqual(['Soft tissue none → Micicoi']);
    expect(history[1]!.savedAt).toBe((await t.value('plan:getRevision', { planId, revision: 3 })).savedAt);

    const third = await t.value('plan:getRevision', { planId, revision: 3 });
    expect(third).toMatchObject({ planId, revision: 3, landmarkRevision: 1, plan: parsePlan(dragged) });
    expect(third.plan.hinge).toEqual(hinge);

    // Unknown plan or revision, and requests the schema refuses: the standard envelope, nothing changed.
    expect(await t.call('plan:getRevision', { planId, revision: 9 })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: `Plan ${planId} has no revision 9: its revisions are 1 to 4.` },
    });
    expect(await t.call('plan:getRevision', { planId: 4242, revision: 1 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No plan with id 4242 in the library.' } });
    expect(await t.call('plan:history', { planId: 4242 })).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'No plan with id 4242 in the library.' } });
    const bad = async (channel: 'plan:history' | 'plan:getRevision', request: unknown, field: RegExp) => {
      const r = await t!.call(channel, request as never);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect((r as { error: { message: string } }).error.message).toMatch(field);
    };
    await bad('plan:history', {}, /Invalid request for plan:history at planId/);
    await bad('plan:history', { planId: -1 }, /Invalid request for plan:history at planId/);
    await bad('plan:history', { planId, extra: 1 }, /Invalid request for plan:history.*extra/);
    await bad('plan:getRevision', { planId, revision: 0 }, /Invalid request for plan:getRevision at revision/);
    await bad('plan:getRevision', { planId, revision: 1.5 }, /Invalid request for plan:getRevision at revision/);
    await bad('plan:getRevision', { planId: '1', revision: 1 }, /Invalid request for plan:getRevision at planId/);
    expect((await t.value('plan:history', { planId })).length).toBe(4);

    // Restoring revision 2 saves it again: the newest entry says where it came back to.
    await save((await t.value('plan:getRevision', { planId, revision: 2 })).plan, planId);
    expect((await t.value('plan:history', { planId }))[0]).toMatchObject({
      revision: 5,
      changes: ['Back to revision 2', 'Hinge back to default', 'Cut entry back to default', 'Soft tissue Micicoi → none'],
    });
  });
});
