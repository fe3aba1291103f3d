// Migration 0030 and the plan repository against a real SQLite file (architecture.md §5): the
// upgrade from version 20 with a library and landmark sets in it, the constraints the database
// itself enforces (one chosen plan per patient and leg, plan on its own image and patient, nothing
// deleted, revisions append-only), exact round trips, revisions, and rollback.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../electron/backend/db/connection';
import { MIGRATIONS } from '../../electron/backend/db/migrations/index';
import { canonicalJson } from '../../electron/backend/db/repositories/json-document';
import { MeasurementRepository } from '../../electron/backend/db/repositories/measurements';
import { PlanRepository } from '../../electron/backend/db/repositories/plans';
import type { PlanInput } from '../../shared/schemas/plan';
import { appError, librarySeeder, useDatabaseFiles } from './helpers';

const { freshFile, open } = useDatabaseFiles('0.3.0-test');

const SOP = '1.2.826.0.1.3680043.8.498.11';
const SOP_2 = '1.2.826.0.1.3680043.8.498.12';
const OTHER_PATIENT_SOP = '1.2.826.0.1.3680043.8.498.13';

interface Seed {
  patientId: number;
  otherPatientId: number;
  imageId: number;
  secondImageId: number;
  otherPatientImageId: number;
}

/** Two patients, three images (two of the first patient), by plain SQL as version 20 knows them. */
function seedLibrary(db: Db): Seed {
  const seed = librarySeeder(db);
  const patientId = seed.patient('P1', 'DOE^JANE');
  const otherPatientId = seed.patient('P2', 'ROE^RICHARD');
  const s1 = seed.series(seed.study(patientId, '1.2.3', { studyDate: '20240611' }), '1.2.3.1');
  const s2 = seed.series(seed.study(otherPatientId, '1.2.4', { studyDate: '20240612' }), '1.2.4.1');
  return {
    patientId,
    otherPatientId,
    imageId: seed.image(s1, { sopInstanceUid: SOP }),
    secondImageId: seed.image(s1, { sopInstanceUid: SOP_2 }),
    otherPatientImageId: seed.image(s2, { sopInstanceUid: OTHER_PATIENT_SOP }),
  };
}

function measure(db: Db, imageId: number, sopInstanceUid: string, side: 'L' | 'R', kneeX = 1500.25): number {
  const set = {
    schemaVersion: 1,
    sopInstanceUid,
    frame: 0,
    side,
    imageFlipped: false,
    variants: { kneeCentre: 'spines', ankleCentre: 'plafond-midpoint', plateau: 'edges' },
    landmarks: { kneeCentre: { x: kneeX, y: 4500.5, placedBy: 'user' } },
    femoralHeadContour: [],
    userCalibration: null,
  };
  return new MeasurementRepository(db, 't').save(imageId, set).revision;
}

/** Hinge and cut entry floats that any rounding or float32 storage would change. */
function planDoc(overrides: Partial<PlanInput> = {}): PlanInput {
  return {
    schemaVersion: 1,
    name: 'Fujisawa, default hinge',
    date: '2024-07-01',
    surgeon: 'Dr A. Surgeon',
    procedure: 'hto-medial-opening',
    target: { kind: 'wbl', percent: 62.5, preset: 'fujisawa' },
    hinge: { x: 1234.5678901234567, y: 4600.000000000001 },
    cutEntry: { x: 0.1 + 0.2, y: 4700 + 1 / 3 },
    ...overrides,
  };
}

const count = (db: Db, table: string) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;

describe('migration 0030', () => {
  it('upgrades a version-20 library with images and landmark sets in it: every row kept, plans can be saved on it', () => {
    const file = freshFile();
    const v20 = open(file, MIGRATIONS.filter((m) => m.version <= 20));
    expect(v20.pragma('user_version', { simple: true })).toBe(20);
    const seed = seedLibrary(v20);
    measure(v20, seed.imageId, SOP, 'R');
    measure(v20, seed.imageId, SOP, 'R', 1501);
    const before = Object.fromEntries(['patients', 'studies', 'series', 'images', 'landmark_set_revisions'].map((t) => [t, v20.prepare(`SELECT * FROM ${t} ORDER BY id`).all()]));
    v20.close();

    const db = open(file, MIGRATIONS.filter((m) => m.version <= 30));
    expect(db.pragma('user_version', { simple: true })).toBe(30);
    for (const [table, rows] of Object.entries(before)) expect(db.prepare(`SELECT * FROM ${table} ORDER BY id`).all(), table).toEqual(rows);
    expect(count(db, 'plans')).toBe(0);
    const plans = new PlanRepository(db, '0.3.0-test');
    expect(plans.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() })).toMatchObject({ revision: 1, created: true });
    // The plan records the landmark revision it was made on: the second one saved under version 20.
    expect(plans.list(seed.patientId)[0]).toMatchObject({ landmarkRevision: 2, latestLandmarkRevision: 2, studyDate: '20240611' });
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('the database itself keeps one chosen plan per patient and leg, a plan on its image and patient, and every plan and revision', () => {
    const db = open(freshFile());
    const seed = seedLibrary(db);
    const insert = db.prepare(`
      INSERT INTO plans (patient_id, image_id, sop_instance_uid, frame, side, plan_json, chosen, created_at, updated_at, revision, landmark_revision)
      VALUES (?, ?, ?, 0, ?, '{}', ?, 'now', 'now', 1, 1) RETURNING id`).pluck();
    const a = insert.get(seed.patientId, seed.imageId, SOP, 'R', 1) as number;
    expect(() => insert.get(seed.patientId, seed.secondImageId, SOP_2, 'R', 1)).toThrow(/UNIQUE constraint failed/);
    // The other leg, and the other patient, each have their own chosen plan.
    expect(() => insert.get(seed.patientId, seed.secondImageId, SOP_2, 'L', 1)).not.toThrow();
    expect(() => insert.get(seed.otherPatientId, seed.otherPatientImageId, OTHER_PATIENT_SOP, 'R', 1)).not.toThrow();
    const b = insert.get(seed.patientId, seed.secondImageId, SOP_2, 'R', 0) as number;
    expect(() => db.prepare(`UPDATE plans SET chosen = 1 WHERE id = ?`).run(b)).toThrow(/UNIQUE constraint failed/);
    // An archived plan is never the chosen one.
    expect(() => db.prepare(`UPDATE plans SET archived_at = 'now' WHERE id = ?`).run(a)).toThrow(/CHECK constraint failed/);
    // Wrong image UID or wrong patient for the image.
    expect(() => insert.get(seed.patientId, seed.imageId, SOP_2, 'R', 0)).toThrow(/differs from its image/);
    expect(() => insert.get(seed.otherPatientId, seed.imageId, SOP, 'R', 0)).toThrow(/differs from its image/);
    expect(() => db.prepare(`INSERT INTO plans (patient_id, image_id, sop_instance_uid, frame, side, plan_json, created_at, updated_at, revision, landmark_revision) VALUES (?, ?, ?, 0, 'R', '[1]', 'now', 'now', 1, 1)`).run(seed.patientId, seed.imageId, SOP)).toThrow(/CHECK constraint failed/);
    // A plan never moves to another image or leg, and is never deleted.
    expect(() => db.prepare(`UPDATE plans SET image_id = ?, sop_instance_uid = ? WHERE id = ?`).run(seed.imageId, SOP, b)).toThrow(/stays on its image/);
    expect(() => db.prepare(`UPDATE plans SET side = 'L' WHERE id = ?`).run(b)).toThrow(/stays on its image/);
    expect(() => db.prepare(`DELETE FROM plans WHERE id = ?`).run(b)).toThrow(/never deleted/);
    db.prepare(`INSERT INTO plan_revisions (plan_id, revision, saved_at, app_version, landmark_revision, plan_json) VALUES (?, 1, 'now', 't', 1, '{}')`).run(b);
    expect(() => db.prepare(`UPDATE plan_revisions SET plan_json = '{"x":1}'`).run()).toThrow(/never changed/);
    expect(() => db.prepare(`DELETE FROM plan_revisions`).run()).toThrow(/never deleted/);
    expect(() => db.prepare(`INSERT INTO plan_revisions (plan_id, revision, saved_at, app_version, landmark_revision, plan_json) VALUES (?, 1, 'now', 't', 1, '{}')`).run(b)).toThrow(
      /UNIQUE constraint failed|PRIMARY KEY/,
    );
  });
});

describe('PlanRepository', () => {
  it('round-trips a plan exactly, numbers its revisions, and an identical save (keys in any order) adds nothing', () => {
    const db = open(freshFile());
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    const repo = new PlanRepository(db, '0.3.0-test');
    const input = planDoc();
    const first = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: input });
    expect(first).toMatchObject({ revision: 1, created: true });
    const [saved] = repo.list(seed.patientId);
    // Defaults filled in by the schema, every float bit for bit.
    expect(saved!.plan).toEqual({ ...input, softTissue: { method: 'none' }, doubleLevel: null, notes: '' });
    expect(saved!.plan.hinge!.x).toBe(1234.5678901234567);
    expect(saved!.plan.cutEntry!.x).toBe(0.30000000000000004);
    expect(saved).toMatchObject({ planId: first.planId, patientId: seed.patientId, imageId: seed.imageId, sopInstanceUid: SOP, frame: 0, side: 'R', chosen: false, revision: 1 });
    expect(saved!.createdAt).toBe(first.savedAt);

    const reordered = Object.fromEntries(Object.entries(input).reverse());
    expect(repo.save({ planId: first.planId, imageId: seed.imageId, frame: 0, side: 'R', plan: reordered })).toEqual({ ...first, created: false });
    const moved = planDoc({ hinge: { x: 1234.5678901234567 + 1e-9, y: 4600.000000000001 } });
    const second = repo.save({ planId: first.planId, imageId: seed.imageId, frame: 0, side: 'R', plan: moved });
    expect(second).toMatchObject({ planId: first.planId, revision: 2, created: true });
    expect(count(db, 'plans')).toBe(1);
    expect(repo.revisions(first.planId).map((r) => [r.revision, r.plan.hinge!.x, r.appVersion])).toEqual([
      [2, 1234.5678901234567 + 1e-9, '0.3.0-test'],
      [1, 1234.5678901234567, '0.3.0-test'],
    ]);
    expect(db.prepare(`SELECT plan_json FROM plans`).pluck().get()).toBe(canonicalJson(repo.revisions(first.planId)[0]!.plan));
  });

  it('records the landmark revision each plan revision was made on; a later re-measurement shows in the list', () => {
    const db = open(freshFile());
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    const repo = new PlanRepository(db, 't');
    const { planId } = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() });
    measure(db, seed.imageId, SOP, 'R', 1600);
    expect(repo.list(seed.patientId)[0]).toMatchObject({ landmarkRevision: 1, latestLandmarkRevision: 2 });
    repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'after re-measuring' }) });
    expect(repo.list(seed.patientId)[0]).toMatchObject({ landmarkRevision: 2, latestLandmarkRevision: 2, revision: 2 });
    expect(repo.revisions(planId).map((r) => r.landmarkRevision)).toEqual([2, 1]);
  });

  it('a transaction that fails before commit leaves the plan and its revisions as they were (new and changed plans alike)', () => {
    const db = open(freshFile());
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    const repo = new PlanRepository(db, 't');
    const powerCut = () => {
      throw new Error('power cut');
    };
    expect(() => repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() }, powerCut)).toThrow(/power cut/);
    expect([count(db, 'plans'), count(db, 'plan_revisions')]).toEqual([0, 0]);
    const { planId } = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() });
    const before = repo.list(seed.patientId);
    expect(() => repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'changed' }) }, powerCut)).toThrow(/power cut/);
    expect(repo.list(seed.patientId)).toEqual(before);
    expect(repo.revisions(planId).map((r) => r.revision)).toEqual([1]);
    expect(repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'changed' }) }).revision).toBe(2);
  });

  it('reopening the database restores every plan, its chosen mark and its revisions exactly', () => {
    const file = freshFile();
    const db = open(file);
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    const repo = new PlanRepository(db, 't');
    const a = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() });
    repo.save({ planId: a.planId, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ target: { kind: 'hka', deg: 1.5 } }) });
    repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'alternative' }) });
    repo.setChosen(a.planId);
    const list = repo.list(seed.patientId);
    const revisions = repo.revisions(a.planId);
    db.close();
    const again = new PlanRepository(open(file), 't');
    expect(again.list(seed.patientId)).toEqual(list);
    expect(again.revisions(a.planId)).toEqual(revisions);
  });

  it('refuses, storing nothing: unknown image or plan, missing frame, an unmeasured leg, another patient, another image or side, an archived plan, a bad plan', () => {
    const db = open(freshFile());
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    measure(db, seed.secondImageId, SOP_2, 'R');
    measure(db, seed.otherPatientImageId, OTHER_PATIENT_SOP, 'R');
    const repo = new PlanRepository(db, 't');
    const { planId } = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc() });
    const save = (r: Partial<Parameters<PlanRepository['save']>[0]>) => appError(() => repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: planDoc({ name: 'x' }), ...r }));

    expect(save({ imageId: 999 })).toMatchObject({ code: 'NOT_FOUND', message: 'No image with id 999 in the library.' });
    expect(save({ planId: 999 })).toMatchObject({ code: 'NOT_FOUND', message: 'No plan with id 999 in the library.' });
    expect(save({ frame: 1 }).message).toMatch(/^Frame 1 does not exist: image \d+ has 1 frame \(0-based\)/);
    expect(save({ planId: null, side: 'L' }).message).toMatch(/no landmarks for the left leg on frame 0: .*measure the leg first\. Nothing was saved\./);
    expect(save({ imageId: seed.otherPatientImageId })).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/belongs to another patient/) as unknown });
    expect(save({ imageId: seed.secondImageId }).message).toMatch(/is drawn on image \d+, frame 0, right leg.*Save it as a new plan/);
    const version = save({ plan: { ...planDoc(), schemaVersion: 2 } });
    expect(version).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/schemaVersion 2; this Osteoplan reads up to 1\. Update Osteoplan/) as unknown });
    const preset = save({ plan: planDoc({ target: { kind: 'wbl', percent: 60, preset: 'fujisawa' } }) });
    expect(preset.message).toMatch(/preset target must carry its preset percent/);
    expect(save({ plan: { ...planDoc(), wedgeAngleDeg: 9.1 } }).message).toMatch(/wedgeAngleDeg/);

    repo.archive(planId);
    expect(save({}).message).toMatch(/was archived on .*: nothing was saved/);
    expect(appError(() => repo.setChosen(planId)).message).toMatch(/archived.*cannot be the chosen one/);
    expect(appError(() => repo.list(999))).toMatchObject({ code: 'NOT_FOUND' });
    expect([count(db, 'plans'), count(db, 'plan_revisions')]).toEqual([1, 1]);
  });

  it('lists a plan\'s revisions newest first and returns any one of them exactly, archived plans included; unknown plan or revision is NOT_FOUND', () => {
    const file = freshFile();
    const db = open(file);
    const seed = seedLibrary(db);
    measure(db, seed.imageId, SOP, 'R');
    const repo = new PlanRepository(db, '0.3.0-test');
    const first = planDoc();
    const { planId } = repo.save({ planId: null, imageId: seed.imageId, frame: 0, side: 'R', plan: first });
    const target55 = planDoc({ target: { kind: 'wbl', percent: 55, preset: 'consensus' } });
    repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: target55 });
    measure(db, seed.imageId, SOP, 'R', 1600);
    const dragged = planDoc({ target: { kind: 'wbl', percent: 55, preset: 'consensus' }, hinge: { x: 1250.000000000001, y: 4590 + 1 / 7 } });
    repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: dragged });
    // Restoring the first revision saves it again as a new revision: history is never rewritten.
    const restored = repo.save({ planId, imageId: seed.imageId, frame: 0, side: 'R', plan: repo.getRevision(planId, 1).plan });
    expect(restored).toMatchObject({ revision: 4, created: true });

    expect(repo.revisions(planId).map((r) => [r.revision, r.landmarkRevision, r.appVersion])).toEqual([
      [4, 2, '0.3.0-test'],
      [3, 2, '0.3.0-test'],
      [2, 1, '0.3.0-test'],
      [1, 1, '0.3.0-test'],
    ]);
    const one = repo.getRevision(planId, 1);
    expect(one).toMatchObject({ revision: 1, landmarkRevision: 1, appVersion: '0.3.0-test' });
    expect(one.plan.target).toEqual(first.target);
    expect(one.plan.hinge).toEqual(first.hinge);
    expect(repo.getRevision(planId, 3).plan.hinge).toEqual({ x: 1250.000000000001, y: 4590 + 1 / 7 });
    expect(repo.getRevision(planId, 4).plan).toEqual(one.plan);
    expect(repo.getRevision(planId, 2).savedAt).toBe(repo.revisions(planId)[2]!.savedAt);
    expect(repo.placement(planId)).toEqual({ imageId: seed.imageId, frame: 0, side: 'R' });

    expect(appError(() => repo.getRevision(planId, 5))).toMatchObject({ code: 'NOT_FOUND', message: `Plan ${planId} has no revision 5: its revisions are 1 to 4.` });
    expect(appError(() => repo.getRevision(999, 1))).toMatchObject({ code: 'NOT_FOUND', message: 'No plan with id 999 in the library.' });
    expect(appError(() => repo.revisions(999))).toMatchObject({ code: 'NOT_FOUND', message: 'No plan with id 999 in the library.' });

    // Archived: still readable; and after reopening the file, the same revisions.
    repo.archive(planId);
    const revisions = repo.revisions(planId);
    db.close();
    const again = new PlanRepository(open(file), 't');
    expect(again.revisions(planId)).toEqual(revisions);
    expect(again.getRevision(planId, 3)).toEqual(revisions[1]);
  });
});
