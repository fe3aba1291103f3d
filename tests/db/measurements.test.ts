// Migration 0020 and the landmark set repository against a real SQLite file (architecture.md §5):
// the upgrade from version 10 with data in it, exact float round trips, revisions, rollback on a
// failing transaction and on a full database, and the constraints that keep a set on its image.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../electron/backend/db/connection';
import { MIGRATIONS } from '../../electron/backend/db/migrations/index';
import { LibraryRepository } from '../../electron/backend/db/repositories/library';
import { MeasurementRepository, canonicalJson } from '../../electron/backend/db/repositories/measurements';
import { STUDY_ROLES } from '../../shared/ipc/contract';
import type { LandmarkSetInput } from '../../shared/schemas/landmark-set';
import { appError, librarySeeder, useDatabaseFiles } from './helpers';

const { freshFile, open } = useDatabaseFiles('0.2.0-test');

const SOP = '1.2.826.0.1.3680043.8.498.1';
const OTHER_SOP = '1.2.826.0.1.3680043.8.498.2';

/** A patient, study, series and two images (one single-frame, one with 3 frames), by plain SQL as version 10 knows them. */
function seedLibrary(db: Db): { studyId: number; imageId: number; multiFrameImageId: number } {
  const seed = librarySeeder(db);
  const studyId = seed.study(seed.patient(), '1.2.3', { studyDate: '20240611', description: 'Long leg' });
  const series = seed.series(studyId, '1.2.3.4');
  const imageId = seed.image(series, { sopInstanceUid: SOP, rows: 100, columns: 50 });
  const multiFrameImageId = seed.image(series, { sopInstanceUid: OTHER_SOP, rows: 100, columns: 50, frames: 3 });
  return { studyId, imageId, multiFrameImageId };
}

/** Floats that any rounding, float32 storage or decimal formatting would change. */
function landmarkSet(overrides: Partial<LandmarkSetInput> = {}): LandmarkSetInput {
  return {
    schemaVersion: 1,
    sopInstanceUid: SOP,
    frame: 0,
    side: 'R',
    imageFlipped: false,
    variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks: {
      femoralHeadCentre: { x: 0.1 + 0.2, y: 1 / 3, placedBy: 'user' },
      kneeCentre: { x: Math.PI * 1000, y: 2 ** 52 / 3e12, placedBy: 'suggested' },
      ankleCentre: { x: 5e-324, y: 999_999.999_999_999_9, placedBy: 'user' },
    },
    femoralHeadContour: [
      { x: 10.000000000000002, y: 20.1, placedBy: 'user' },
      { x: 11.5, y: -0.000001, placedBy: 'user' },
      { x: 12.25, y: 19.75, placedBy: 'user' },
    ],
    userCalibration: { kind: 'line', from: { x: 1.1, y: 2.2 }, to: { x: 3.3, y: 4.4 }, lengthMm: 25.4 },
    ...overrides,
  };
}

describe('migration 0020', () => {
  it('upgrades a version-10 library with data in it: rows kept, studies gain a null role and operation date, revisions can be saved', () => {
    const file = freshFile();
    const v10 = open(file, MIGRATIONS.filter((m) => m.version <= 10));
    expect(v10.pragma('user_version', { simple: true })).toBe(10);
    const { studyId, imageId } = seedLibrary(v10);
    const before = v10.prepare(`SELECT * FROM studies`).all();
    v10.close();

    const db = open(file, MIGRATIONS.filter((m) => m.version <= 20));
    expect(db.pragma('user_version', { simple: true })).toBe(20);
    const after = db.prepare(`SELECT * FROM studies`).all() as Record<string, unknown>[];
    expect(after).toEqual((before as Record<string, unknown>[]).map((r) => ({ ...r, role: null, operation_date: null })));
    expect(db.prepare(`SELECT COUNT(*) FROM images`).pluck().get()).toBe(2);

    const library = new LibraryRepository(db);
    const patient = library.getPatient(1);
    expect(patient.studies[0]).toMatchObject({ id: studyId, role: null, operationDate: null, description: 'Long leg' });
    expect(library.setStudyClinical(studyId, 'post-op', '2024-06-12')).toEqual({ studyId, role: 'post-op', operationDate: '2024-06-12' });
    expect(library.getPatient(1).studies[0]).toMatchObject({ role: 'post-op', operationDate: '2024-06-12' });
    expect(library.getImage(imageId).study).toMatchObject({ role: 'post-op', operationDate: '2024-06-12' });

    const repo = new MeasurementRepository(db, '0.2.0-test');
    expect(repo.save(imageId, landmarkSet()).revision).toBe(1);
  });

  it('the database itself refuses a role outside STUDY_ROLES, an impossible operation date, a set on another image and any edit of a revision', () => {
    const db = open(freshFile());
    const { studyId, imageId } = seedLibrary(db);
    const setRole = db.prepare(`UPDATE studies SET role = ? WHERE id = ?`);
    for (const role of STUDY_ROLES) expect(() => setRole.run(role, studyId)).not.toThrow();
    expect(() => setRole.run('pre-operative', studyId)).toThrow(/CHECK constraint failed/);
    const setDate = db.prepare(`UPDATE studies SET operation_date = ? WHERE id = ?`);
    expect(() => setDate.run('2024-02-29', studyId)).not.toThrow();
    for (const bad of ['2023-02-29', '2024-13-01', '20240611', '2024-6-1', '2024-06-11 10:00']) {
      expect(() => setDate.run(bad, studyId), bad).toThrow(/CHECK constraint failed/);
    }

    const insert = db.prepare(`
      INSERT INTO landmark_set_revisions (image_id, sop_instance_uid, frame, side, revision, saved_at, app_version, set_json)
      VALUES (?, ?, 0, 'R', 1, 'now', 't', ?)`);
    const json = canonicalJson({ sopInstanceUid: OTHER_SOP, frame: 0, side: 'R' });
    expect(() => insert.run(imageId, OTHER_SOP, json)).toThrow(/differs from its image/);
    // The key columns and the JSON inside must agree.
    expect(() => insert.run(imageId, SOP, json)).toThrow(/CHECK constraint failed/);
    insert.run(imageId, SOP, canonicalJson({ sopInstanceUid: SOP, frame: 0, side: 'R' }));
    expect(() => db.prepare(`UPDATE landmark_set_revisions SET set_json = '{}'`).run()).toThrow(/never changed/);
    expect(() => insert.run(imageId, SOP, canonicalJson({ sopInstanceUid: SOP, frame: 0, side: 'R' }))).toThrow(/UNIQUE constraint failed/);
  });
});

describe('MeasurementRepository', () => {
  it('round-trips a set exactly (every float bit for bit), numbering revisions per (SOP, frame, side)', () => {
    const file = freshFile();
    const db = open(file);
    const { imageId, multiFrameImageId } = seedLibrary(db);
    const repo = new MeasurementRepository(db, '0.2.0-test');
    const input = landmarkSet();

    expect(repo.save(imageId, input)).toMatchObject({ revision: 1, created: true });
    const [saved] = repo.listLatest(imageId);
    expect(saved!.set).toEqual(input);
    expect(Object.is(saved!.set.landmarks.ankleCentre!.x, 5e-324)).toBe(true);
    expect(saved!.set.landmarks.femoralHeadCentre!.x).toBe(0.30000000000000004);
    expect(saved!.imageId).toBe(imageId);
    expect(Number.isNaN(Date.parse(saved!.savedAt))).toBe(false);

    // Left leg and another frame are separate keys, each starting at revision 1.
    expect(repo.save(imageId, landmarkSet({ side: 'L' })).revision).toBe(1);
    const other = landmarkSet({ sopInstanceUid: OTHER_SOP, frame: 2 });
    expect(repo.save(multiFrameImageId, other).revision).toBe(1);
    expect(repo.save(multiFrameImageId, { ...other, imageFlipped: true }).revision).toBe(2);
    expect(repo.listLatest(imageId).map((s) => [s.set.frame, s.set.side, s.revision])).toEqual([
      [0, 'L', 1],
      [0, 'R', 1],
    ]);
    expect(repo.listLatest(multiFrameImageId).map((s) => [s.set.frame, s.set.side, s.revision, s.set.imageFlipped])).toEqual([[2, 'R', 2, true]]);
    expect(repo.history(multiFrameImageId, 2, 'R').map((h) => [h.revision, h.landmarkCount])).toEqual([
      [2, 3],
      [1, 3],
    ]);
    expect(repo.getRevision(multiFrameImageId, 2, 'R', 1).set).toEqual(other);
    expect(appError(() => repo.getRevision(multiFrameImageId, 2, 'R', 3)).code).toBe('NOT_FOUND');
  });

  it('an identical save (even with keys in another order) adds no revision; a changed one does', () => {
    const db = open(freshFile());
    const { imageId } = seedLibrary(db);
    const repo = new MeasurementRepository(db, 't');
    const first = repo.save(imageId, landmarkSet());
    const input = landmarkSet();
    const reordered = { ...input, landmarks: Object.fromEntries(Object.entries(input.landmarks).reverse()) };
    expect(Object.keys(reordered.landmarks)).not.toEqual(Object.keys(input.landmarks));
    expect(repo.save(imageId, reordered)).toEqual({ ...first, created: false });
    const moved = landmarkSet();
    moved.landmarks.kneeCentre = { ...moved.landmarks.kneeCentre!, x: moved.landmarks.kneeCentre!.x + 1e-9 };
    expect(repo.save(imageId, moved)).toMatchObject({ revision: 2, created: true });
    expect(db.prepare(`SELECT COUNT(*) FROM landmark_set_revisions`).pluck().get()).toBe(2);
  });

  it('refuses a set for another image, a frame the image does not have, and unknown fields, storing nothing', () => {
    const db = open(freshFile());
    const { imageId, multiFrameImageId } = seedLibrary(db);
    const repo = new MeasurementRepository(db, 't');
    const wrong = appError(() => repo.save(imageId, landmarkSet({ sopInstanceUid: OTHER_SOP })));
    expect(wrong.code).toBe('INVALID_INPUT');
    expect(wrong.message).toContain(OTHER_SOP);
    expect(wrong.message).toContain(SOP);
    const frame = appError(() => repo.save(multiFrameImageId, landmarkSet({ sopInstanceUid: OTHER_SOP, frame: 3 })));
    expect(frame.code).toBe('INVALID_INPUT');
    expect(frame.message).toMatch(/Frame 3 does not exist: image \d+ has 3 frames/);
    const derived = appError(() => repo.save(imageId, { ...landmarkSet(), hkaDeviationDeg: -6 }));
    expect(derived.code).toBe('INVALID_INPUT');
    expect(derived.message).toMatch(/hkaDeviationDeg/);
    expect(appError(() => repo.save(999, landmarkSet())).code).toBe('NOT_FOUND');
    expect(db.prepare(`SELECT COUNT(*) FROM landmark_set_revisions`).pluck().get()).toBe(0);
  });

  it('a transaction that fails before commit leaves the previous revision intact, and the next save takes its number', () => {
    const db = open(freshFile());
    const { imageId } = seedLibrary(db);
    const repo = new MeasurementRepository(db, 't');
    repo.save(imageId, landmarkSet());
    const before = repo.listLatest(imageId);
    const changed = landmarkSet({ imageFlipped: true });
    expect(() =>
      repo.save(imageId, changed, () => {
        throw new Error('power cut');
      }),
    ).toThrow(/power cut/);
    expect(repo.listLatest(imageId)).toEqual(before);
    expect(repo.history(imageId, 0, 'R').map((h) => h.revision)).toEqual([1]);
    expect(repo.save(imageId, changed).revision).toBe(2);
  });

  it('a full database (SQLITE_FULL) rolls the save back and keeps the previous revision', () => {
    const db = open(freshFile());
    const { imageId } = seedLibrary(db);
    const repo = new MeasurementRepository(db, 't');
    repo.save(imageId, landmarkSet());
    const before = repo.listLatest(imageId);
    // Cap the file at its current size: the next page the insert needs cannot be allocated.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const contour = Array.from({ length: 64 }, (_, k) => ({ x: k + 0.123456789, y: k * 1.5, placedBy: 'user' as const }));
    const big = landmarkSet({ femoralHeadContour: contour });
    let caught: unknown;
    for (let k = 0; k < 200 && !caught; k++) {
      try {
        repo.save(imageId, { ...big, landmarks: { ...big.landmarks, kneeCentre: { x: k, y: k, placedBy: 'user' } } });
      } catch (err) {
        caught = err;
      }
    }
    expect((caught as { code?: string }).code).toBe('SQLITE_FULL');
    const history = repo.history(imageId, 0, 'R');
    // Every save before the full page went in whole; the failed one left nothing.
    expect(history.map((h) => h.revision)).toEqual(Array.from({ length: history.length }, (_, k) => history.length - k));
    expect(repo.getRevision(imageId, 0, 'R', 1)).toEqual(before[0]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('reopening the database restores the latest set exactly', () => {
    const file = freshFile();
    const db = open(file);
    const { imageId } = seedLibrary(db);
    new MeasurementRepository(db, 't').save(imageId, landmarkSet());
    const latest = new MeasurementRepository(db, 't').listLatest(imageId);
    db.close();
    const again = open(file);
    expect(new MeasurementRepository(again, 't').listLatest(imageId)).toEqual(latest);
  });
});

describe('LibraryRepository.setStudyClinical', () => {
  it('sets and clears role and operation date; refuses a day that does not exist and an unknown study', () => {
    const db = open(freshFile());
    const { studyId } = seedLibrary(db);
    const library = new LibraryRepository(db);
    expect(library.setStudyClinical(studyId, 'follow-up', '2024-06-11')).toEqual({ studyId, role: 'follow-up', operationDate: '2024-06-11' });
    const bad = appError(() => library.setStudyClinical(studyId, 'pre-op', '2023-02-29'));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toContain('2023-02-29');
    expect(library.getPatient(1).studies[0]).toMatchObject({ role: 'follow-up', operationDate: '2024-06-11' });
    expect(library.setStudyClinical(studyId, null, null)).toEqual({ studyId, role: null, operationDate: null });
    expect(appError(() => library.setStudyClinical(studyId + 100, 'pre-op', null)).code).toBe('NOT_FOUND');
  });
});
