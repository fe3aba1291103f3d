// The measuring channels through dispatch (zod + envelope), as Electron and the bridge call them,
// on real imported files: exact round trips, revisions, refusals, a full disk, and a restart.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../electron/backend/backend';
import { openDatabase } from '../../electron/backend/db/connection';
import { LibraryRepository } from '../../electron/backend/db/repositories/library';
import { MeasurementRepository } from '../../electron/backend/db/repositories/measurements';
import { PlanRepository } from '../../electron/backend/db/repositories/plans';
import { dispatch, type HandlerTable } from '../../electron/backend/dispatch';
import { LibraryStore } from '../../electron/backend/dicom/store';
import { measurementHandlers } from '../../electron/backend/handlers/measurement-handlers';
import type { ImportReport } from '../../shared/ipc/contract';
import type { LandmarkSet } from '../../shared/schemas/landmark-set';
import { dicomData, testBackend, type TestBackend } from './helpers';

const SINGLE_FRAME = path.join(dicomData, 'derived-local/RG2_from_JPLL_RLE.dcm');
const TEN_FRAMES = path.join(dicomData, 'pydicom-data/emri_small.dcm');
const noEvents = { emit: () => {} };

let t: TestBackend | undefined;
let extraCleanup: (() => void) | undefined;
afterEach(() => {
  extraCleanup?.();
  extraCleanup = undefined;
  t?.dispose();
  t = undefined;
});

async function importTwo(tb: TestBackend) {
  const report: ImportReport = await tb.value('import:paths', { paths: [SINGLE_FRAME, TEN_FRAMES] });
  expect(report.imported).toHaveLength(2);
  const [single, multi] = report.imported;
  return { single: single!, multi: multi! };
}

function landmarkSet(sopInstanceUid: string, overrides: Partial<LandmarkSet> = {}): LandmarkSet {
  return {
    schemaVersion: 1,
    sopInstanceUid,
    frame: 0,
    side: 'R',
    imageFlipped: false,
    variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks: {
      femoralHeadCentre: { x: 101.2345678901 + 2 ** -40, y: 0.1 + 0.7, placedBy: 'user' },
      kneeCentre: { x: 200 / 3, y: 1234.5678 + 1e-13, placedBy: 'user' },
      tibialPlateauMedial: { x: 1e-7, y: 7.000000000000001, placedBy: 'suggested' },
    },
    femoralHeadContour: [],
    userCalibration: null,
    ...overrides,
  };
}

describe('measurement channels', () => {
  it('save → list → history → getRevision round-trip exactly; a change adds a revision, an identical autosave does not', async () => {
    t = testBackend();
    const { single } = await importTwo(t);
    const first = landmarkSet(single.sopInstanceUid);
    const saved1 = await t.value('measurement:save', { imageId: single.imageId, set: first });
    expect(saved1.revision).toBe(1);
    expect(await t.value('measurement:save', { imageId: single.imageId, set: first })).toEqual(saved1);

    const second = landmarkSet(single.sopInstanceUid, {
      landmarks: { ...first.landmarks, ankleCentre: { x: 99.99999999999999, y: 4321.000000000001, placedBy: 'user' } },
    });
    const saved2 = await t.value('measurement:save', { imageId: single.imageId, set: second });
    expect(saved2.revision).toBe(2);

    const list = await t.value('measurement:list', { imageId: single.imageId });
    expect(list).toHaveLength(1);
    // Every float comes back identical.
    expect(list[0]).toEqual({ imageId: single.imageId, revision: 2, savedAt: saved2.savedAt, set: second });
    expect(list[0]!.set.landmarks.ankleCentre!.y).toBe(4321.000000000001);

    const history = await t.value('measurement:history', { imageId: single.imageId, frame: 0, side: 'R' });
    expect(history).toEqual([
      { revision: 2, savedAt: saved2.savedAt, landmarkCount: 4 },
      { revision: 1, savedAt: saved1.savedAt, landmarkCount: 3 },
    ]);
    const old = await t.value('measurement:getRevision', { imageId: single.imageId, frame: 0, side: 'R', revision: 1 });
    expect(old.set).toEqual(first);

    // Restoring = saving the old set again: a third revision, nothing deleted.
    expect((await t.value('measurement:save', { imageId: single.imageId, set: old.set })).revision).toBe(3);
    expect((await t.value('measurement:history', { imageId: single.imageId, frame: 0, side: 'R' })).map((h) => h.revision)).toEqual([3, 2, 1]);
    expect((await t.value('measurement:list', { imageId: single.imageId }))[0]!.set).toEqual(old.set);

    const missing = await t.call('measurement:getRevision', { imageId: single.imageId, frame: 0, side: 'R', revision: 9 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await t.call('measurement:list', { imageId: 999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('keeps both legs and every frame of a multi-frame image apart', async () => {
    t = testBackend();
    const { multi } = await importTwo(t);
    for (const [frame, side] of [[9, 'L'], [0, 'R'], [9, 'R'], [0, 'L']] as const) {
      await t.value('measurement:save', { imageId: multi.imageId, set: landmarkSet(multi.sopInstanceUid, { frame, side }) });
    }
    await t.value('measurement:save', { imageId: multi.imageId, set: landmarkSet(multi.sopInstanceUid, { frame: 9, side: 'L', imageFlipped: true }) });
    const list = await t.value('measurement:list', { imageId: multi.imageId });
    expect(list.map((s) => [s.set.frame, s.set.side, s.revision])).toEqual([
      [0, 'L', 1],
      [0, 'R', 1],
      [9, 'L', 2],
      [9, 'R', 1],
    ]);
  });

  it('refuses a set for another image or a frame the image lacks, and malformed sets, saving nothing', async () => {
    t = testBackend();
    const { single, multi } = await importTwo(t);
    const onWrongImage = await t.call('measurement:save', { imageId: multi.imageId, set: landmarkSet(single.sopInstanceUid) });
    expect(onWrongImage).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!onWrongImage.ok && onWrongImage.error.message).toContain(multi.sopInstanceUid);

    const frame10 = await t.call('measurement:save', { imageId: multi.imageId, set: landmarkSet(multi.sopInstanceUid, { frame: 10 }) });
    expect(frame10).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/has 10 frames/) as unknown } });
    const frame1 = await t.call('measurement:save', { imageId: single.imageId, set: landmarkSet(single.sopInstanceUid, { frame: 1 }) });
    expect(frame1).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/has 1 frame /) as unknown } });

    const nan = await t.call('measurement:save', {
      imageId: single.imageId,
      set: landmarkSet(single.sopInstanceUid, { landmarks: { kneeCentre: { x: Number.NaN, y: 1, placedBy: 'user' } } }),
    });
    expect(nan).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const extra = await t.call('measurement:save', { imageId: single.imageId, set: { ...landmarkSet(single.sopInstanceUid), mptaDeg: 84 } as never });
    expect(extra).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    for (const image of [single, multi]) expect(await t.value('measurement:list', { imageId: image.imageId })).toEqual([]);
  });

  it('restores every set exactly after the backend is closed and reopened', async () => {
    t = testBackend();
    const { single, multi } = await importTwo(t);
    await t.value('measurement:save', { imageId: single.imageId, set: landmarkSet(single.sopInstanceUid) });
    await t.value('measurement:save', { imageId: single.imageId, set: landmarkSet(single.sopInstanceUid, { side: 'L', imageFlipped: true }) });
    await t.value('measurement:save', { imageId: multi.imageId, set: landmarkSet(multi.sopInstanceUid, { frame: 4 }) });
    const before = [await t.value('measurement:list', { imageId: single.imageId }), await t.value('measurement:list', { imageId: multi.imageId })];
    const historyBefore = await t.value('measurement:history', { imageId: single.imageId, frame: 0, side: 'L' });
    t.backend.close();

    const reopened = openBackend({ dataDir: t.dataDir, appVersion: '0.1.0-test', mode: 'browser' });
    extraCleanup = () => reopened.close();
    const call = async (channel: 'measurement:list', imageId: number) => dispatch(reopened.handlers, channel, { imageId }, noEvents);
    expect(await call('measurement:list', single.imageId)).toEqual({ ok: true, value: before[0] });
    expect(await call('measurement:list', multi.imageId)).toEqual({ ok: true, value: before[1] });
    expect(await dispatch(reopened.handlers, 'measurement:history', { imageId: single.imageId, frame: 0, side: 'L' }, noEvents)).toEqual({
      ok: true,
      value: historyBefore,
    });
  });
});

describe('measurement:save on a full disk', () => {
  it('answers DISK_FULL with a message that says nothing changed, and the previous revision stays', async () => {
    t = testBackend();
    const { single } = await importTwo(t);
    await t.value('measurement:save', { imageId: single.imageId, set: landmarkSet(single.sopInstanceUid) });
    t.backend.close();

    // The same library through handlers over a connection whose file may not grow: SQLITE_FULL for real.
    const db = openDatabase(path.join(t.dataDir, 'library.sqlite'), { appVersion: 't' });
    extraCleanup = () => db.close();
    const repo = new LibraryRepository(db);
    const measurements = new MeasurementRepository(db, 't');
    const handlers = measurementHandlers({
      repo,
      measurements,
      plans: new PlanRepository(db, 't'),
      store: new LibraryStore(path.join(t.dataDir, 'store')),
      dataDir: t.dataDir,
      appVersion: 't',
      mode: 'browser',
    }) as HandlerTable;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const contour = Array.from({ length: 64 }, (_, k) => ({ x: k + 0.5, y: k / 7, placedBy: 'user' as const }));
    let failure: unknown;
    for (let k = 0; k < 200 && !failure; k++) {
      const set = landmarkSet(single.sopInstanceUid, { femoralHeadContour: contour, frame: 0, imageFlipped: k % 2 === 0, landmarks: { kneeCentre: { x: k, y: 1, placedBy: 'user' } } });
      const result = await dispatch(handlers, 'measurement:save', { imageId: single.imageId, set }, noEvents);
      if (!result.ok) failure = result.error;
    }
    expect(failure).toMatchObject({ code: 'DISK_FULL', message: expect.stringMatching(/not saved; the previous revision is unchanged/) as unknown });
    const history = measurements.history(single.imageId, 0, 'R');
    expect(history.map((h) => h.revision)).toEqual(Array.from({ length: history.length }, (_, k) => history.length - k));
    expect(measurements.getRevision(single.imageId, 0, 'R', 1).set).toEqual(landmarkSet(single.sopInstanceUid));
    expect(fs.existsSync(path.join(t.dataDir, 'library.sqlite'))).toBe(true);
  });
});

describe('study:setClinical', () => {
  it('sets role and operation date, returned by library:getPatient and library:getImage; refuses impossible dates and unknown studies', async () => {
    t = testBackend();
    const { single } = await importTwo(t);
    const patient = await t.value('library:getPatient', { patientId: single.patientId });
    const study = patient.studies[0]!;
    expect(study).toMatchObject({ role: null, operationDate: null });

    expect(await t.value('study:setClinical', { studyId: study.id, role: 'post-op', operationDate: '2024-06-11' })).toEqual({
      studyId: study.id,
      role: 'post-op',
      operationDate: '2024-06-11',
    });
    expect((await t.value('library:getPatient', { patientId: single.patientId })).studies[0]).toMatchObject({ role: 'post-op', operationDate: '2024-06-11' });
    expect((await t.value('library:getImage', { imageId: single.imageId })).study).toMatchObject({ role: 'post-op', operationDate: '2024-06-11' });

    expect(await t.call('study:setClinical', { studyId: study.id, role: 'pre-op', operationDate: '2024-02-30' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringContaining('2024-02-30') as unknown },
    });
    expect(await t.call('study:setClinical', { studyId: study.id, role: 'surgery' as never, operationDate: null })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await t.call('study:setClinical', { studyId: 4242, role: 'pre-op', operationDate: null })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await t.value('library:getPatient', { patientId: single.patientId })).studies[0]).toMatchObject({ role: 'post-op', operationDate: '2024-06-11' });
  });
});
