// Osteotomy plans (issue 5; clinical-spec §5). A plan is the surgeon's choices only (procedure,
// target, hinge and cut entry in pixels, soft tissue; shared/schemas/plan.ts), drawn on one pre-op
// film, frame and leg that carries a landmark set. Several alternatives per patient, at most one
// chosen per leg. Every changed save is a new revision kept in plan_revisions; archiving hides a
// plan without deleting anything.
import type { SavedPlan } from '../../../../shared/ipc/contract';
import { AppError } from '../../../../shared/ipc/result';
import { parsePlan, type Plan } from '../../../../shared/schemas/plan';
import type { Db } from '../connection';
import { canonicalJson, parseDocument } from './json-document';

export type Side = 'L' | 'R';

export interface PlanSaveRequest {
  /** null creates a new plan. */
  planId: number | null;
  imageId: number;
  frame: number;
  side: Side;
  /** Anything: checked by parsePlan (schema version first, then every field). */
  plan: unknown;
}

export interface PlanSaveResult {
  planId: number;
  revision: number;
  savedAt: string;
  /** false when the save was identical to the current revision and added nothing. */
  created: boolean;
}

export interface PlanRevision {
  revision: number;
  savedAt: string;
  appVersion: string;
  landmarkRevision: number;
  plan: Plan;
}

interface PlanRow {
  id: number;
  patient_id: number;
  image_id: number;
  sop_instance_uid: string;
  frame: number;
  side: Side;
  plan_json: string;
  chosen: 0 | 1;
  created_at: string;
  updated_at: string;
  revision: number;
  landmark_revision: number;
  archived_at: string | null;
}

interface ListRow extends PlanRow {
  study_id: number;
  study_date: string | null;
  latest_landmark_revision: number;
}

interface ImageRow {
  sop_instance_uid: string;
  number_of_frames: number;
  patient_id: number;
}

const legName = (side: Side) => (side === 'L' ? 'left' : 'right');

export class PlanRepository {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly appVersion: string,
  ) {
    this.statements = {
      patientExists: db.prepare(`SELECT 1 FROM patients WHERE id = ?`).pluck(),
      image: db.prepare(`
        SELECT i.sop_instance_uid, i.number_of_frames, st.patient_id
        FROM images i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
        WHERE i.id = ?`),
      latestLandmarkRevision: db
        .prepare(`SELECT MAX(revision) FROM landmark_set_revisions WHERE image_id = ? AND frame = ? AND side = ?`)
        .pluck(),
      plan: db.prepare(`SELECT * FROM plans WHERE id = ?`),
      list: db.prepare(`
        SELECT p.*, st.id AS study_id, st.study_date,
          (SELECT MAX(l.revision) FROM landmark_set_revisions l
           WHERE l.image_id = p.image_id AND l.frame = p.frame AND l.side = p.side) AS latest_landmark_revision
        FROM plans p JOIN images i ON i.id = p.image_id JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
        WHERE p.patient_id = ? AND p.archived_at IS NULL
        ORDER BY p.created_at DESC, p.id DESC`),
      insertPlan: db
        .prepare(`
        INSERT INTO plans (patient_id, image_id, sop_instance_uid, frame, side, plan_json, created_at, updated_at, revision, landmark_revision)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id`)
        .pluck(),
      updatePlan: db.prepare(`UPDATE plans SET plan_json = ?, revision = ?, updated_at = ?, landmark_revision = ? WHERE id = ?`),
      insertRevision: db.prepare(`
        INSERT INTO plan_revisions (plan_id, revision, saved_at, app_version, landmark_revision, plan_json) VALUES (?, ?, ?, ?, ?, ?)`),
      revisions: db.prepare(`SELECT revision, saved_at, app_version, landmark_revision, plan_json FROM plan_revisions WHERE plan_id = ? ORDER BY revision DESC`),
      revision: db.prepare(`SELECT revision, saved_at, app_version, landmark_revision, plan_json FROM plan_revisions WHERE plan_id = ? AND revision = ?`),
      chosenOthers: db.prepare(`SELECT id FROM plans WHERE patient_id = ? AND side = ? AND chosen = 1 AND id <> ? ORDER BY id`).pluck(),
      unchoose: db.prepare(`UPDATE plans SET chosen = 0 WHERE patient_id = ? AND side = ? AND chosen = 1 AND id <> ?`),
      setChosen: db.prepare(`UPDATE plans SET chosen = ? WHERE id = ?`),
      archive: db.prepare(`UPDATE plans SET archived_at = ?, chosen = 0 WHERE id = ?`),
    };
  }

  private planRow(planId: number): PlanRow {
    const row = this.statements.plan.get(planId) as PlanRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No plan with id ${planId} in the library.`);
    return row;
  }

  private image(imageId: number): ImageRow {
    const row = this.statements.image.get(imageId) as ImageRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No image with id ${imageId} in the library.`);
    return row;
  }

  /** Every non-archived plan of the patient, newest first (by creation, so the order is stable while a plan is edited). */
  list(patientId: number): SavedPlan[] {
    if (!this.statements.patientExists.get(patientId)) throw new AppError('NOT_FOUND', `No patient with id ${patientId} in the library.`);
    return (this.statements.list.all(patientId) as ListRow[]).map((r) => ({
      planId: r.id,
      patientId: r.patient_id,
      imageId: r.image_id,
      sopInstanceUid: r.sop_instance_uid,
      frame: r.frame,
      side: r.side,
      studyId: r.study_id,
      studyDate: r.study_date,
      chosen: r.chosen === 1,
      revision: r.revision,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      landmarkRevision: r.landmark_revision,
      latestLandmarkRevision: r.latest_landmark_revision,
      plan: parseDocument(parsePlan, JSON.parse(r.plan_json)),
    }));
  }

  /**
   * Creates a plan (planId null) or saves its next revision; returns the current revision unchanged
   * when the plan equals it. Refused, with nothing saved: an unknown image or plan, a frame the
   * image does not have, a leg with no landmark set on that frame, a plan of another patient, on
   * another image/frame/side, or archived, and any plan parsePlan rejects. `beforeCommit` runs
   * inside the transaction (tests: a failure there must leave the previous revision as it was).
   */
  save(request: PlanSaveRequest, beforeCommit?: () => void): PlanSaveResult {
    const plan = parseDocument(parsePlan, request.plan);
    const { planId, imageId, frame, side } = request;
    const json = canonicalJson(plan);
    const s = this.statements;
    // IMMEDIATE: the checks, the read of the current revision and the write of the next cannot
    // interleave with another connection's save of the same plan.
    return this.db
      .transaction((): PlanSaveResult => {
        const image = this.image(imageId);
        if (frame >= image.number_of_frames) {
          throw new AppError(
            'INVALID_INPUT',
            `Frame ${frame} does not exist: image ${imageId} has ${image.number_of_frames} frame${image.number_of_frames === 1 ? '' : 's'} (0-based). Nothing was saved.`,
          );
        }
        const landmarkRevision = s.latestLandmarkRevision.get(imageId, frame, side) as number | null;
        if (landmarkRevision === null) {
          throw new AppError(
            'INVALID_INPUT',
            `Image ${imageId} has no landmarks for the ${legName(side)} leg on frame ${frame}: a plan is computed from them, so measure the leg first. Nothing was saved.`,
          );
        }
        const now = new Date().toISOString();
        if (planId === null) {
          const id = s.insertPlan.get(image.patient_id, imageId, image.sop_instance_uid, frame, side, json, now, now, landmarkRevision) as number;
          s.insertRevision.run(id, 1, now, this.appVersion, landmarkRevision, json);
          beforeCommit?.();
          return { planId: id, revision: 1, savedAt: now, created: true };
        }
        const row = this.planRow(planId);
        if (row.patient_id !== image.patient_id) {
          throw new AppError('INVALID_INPUT', `Plan ${planId} belongs to another patient than image ${imageId}: nothing was saved.`);
        }
        if (row.image_id !== imageId || row.frame !== frame || row.side !== side) {
          throw new AppError(
            'INVALID_INPUT',
            `Plan ${planId} is drawn on image ${row.image_id}, frame ${row.frame}, ${legName(row.side)} leg; its hinge and cut are pixels of that film. ` +
              `Save it as a new plan (planId null) to plan on image ${imageId}, frame ${frame}, ${legName(side)} leg. Nothing was saved.`,
          );
        }
        if (row.archived_at !== null) {
          throw new AppError('INVALID_INPUT', `Plan ${planId} was archived on ${row.archived_at}: nothing was saved. Save it as a new plan to work on it again.`);
        }
        if (row.plan_json === json) return { planId, revision: row.revision, savedAt: row.updated_at, created: false };
        const revision = row.revision + 1;
        s.updatePlan.run(json, revision, now, landmarkRevision, planId);
        s.insertRevision.run(planId, revision, now, this.appVersion, landmarkRevision, json);
        beforeCommit?.();
        return { planId, revision, savedAt: now, created: true };
      })
      .immediate();
  }

  /**
   * clinical-spec §5 "one marked as chosen": marks the plan and unmarks the patient's other plans
   * of the same leg in one transaction (chosen false only unmarks this one). An archived plan
   * cannot be chosen.
   */
  setChosen(planId: number, chosen = true): { planId: number; chosen: boolean; unchosenPlanIds: number[] } {
    const s = this.statements;
    return this.db
      .transaction(() => {
        const row = this.planRow(planId);
        if (chosen && row.archived_at !== null) {
          throw new AppError('INVALID_INPUT', `Plan ${planId} was archived on ${row.archived_at}: an archived plan cannot be the chosen one.`);
        }
        let unchosenPlanIds: number[] = [];
        if (chosen) {
          unchosenPlanIds = s.chosenOthers.all(row.patient_id, row.side, planId) as number[];
          // Unmark first: the partial unique index allows one chosen plan per patient and leg at any moment.
          s.unchoose.run(row.patient_id, row.side, planId);
        }
        s.setChosen.run(chosen ? 1 : 0, planId);
        return { planId, chosen, unchosenPlanIds };
      })
      .immediate();
  }

  /** Hides the plan from plan:list and unmarks it; its rows and revisions stay. Archiving twice keeps the first date. */
  archive(planId: number): { planId: number; archivedAt: string; wasChosen: boolean } {
    return this.db
      .transaction(() => {
        const row = this.planRow(planId);
        if (row.archived_at !== null) return { planId, archivedAt: row.archived_at, wasChosen: false };
        const archivedAt = new Date().toISOString();
        this.statements.archive.run(archivedAt, planId);
        return { planId, archivedAt, wasChosen: row.chosen === 1 };
      })
      .immediate();
  }

  /** Every saved state of a plan, newest first (archived plans included). */
  revisions(planId: number): PlanRevision[] {
    this.planRow(planId);
    return (this.statements.revisions.all(planId) as RevisionRow[]).map(revisionOf);
  }

  /** One saved state of a plan; an unknown plan or revision is NOT_FOUND, saying which revisions exist. */
  getRevision(planId: number, revision: number): PlanRevision {
    const plan = this.planRow(planId);
    const row = this.statements.revision.get(planId, revision) as RevisionRow | undefined;
    if (!row) {
      throw new AppError('NOT_FOUND', `Plan ${planId} has no revision ${revision}: its revisions are 1 to ${plan.revision}.`);
    }
    return revisionOf(row);
  }

  /** The film, frame and leg a plan is drawn on: its hinge and cut are pixels of that image. */
  placement(planId: number): { imageId: number; frame: number; side: Side } {
    const row = this.planRow(planId);
    return { imageId: row.image_id, frame: row.frame, side: row.side };
  }
}

interface RevisionRow {
  revision: number;
  saved_at: string;
  app_version: string;
  landmark_revision: number;
  plan_json: string;
}

const revisionOf = (r: RevisionRow): PlanRevision => ({
  revision: r.revision,
  savedAt: r.saved_at,
  appVersion: r.app_version,
  landmarkRevision: r.landmark_revision,
  plan: parseDocument(parsePlan, JSON.parse(r.plan_json)),
});
