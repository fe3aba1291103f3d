// Osteotomy plans (issue 5; clinical-spec §5): several alternative plans per patient, at most one
// chosen per patient and leg, each drawn on one pre-op film. Only the surgeon's choices are stored
// (shared/schemas/plan.ts); wedge angle, gap and predicted values are recomputed by computePlan.
// Nothing is deleted: a plan is archived, and every saved state stays in plan_revisions.
import type { Migration } from './index';

export const migration0030: Migration = {
  version: 30,
  name: 'plans',
  up(db) {
    db.exec(`
      -- The current state of each plan. plan_json is the parsed plan with sorted keys (the same
      -- canonical text as its latest plan_revisions row); revision counts its saved states.
      -- landmark_revision is the revision of the (sop_instance_uid, frame, side) landmark set that
      -- was the latest when this state was saved: a later re-measurement changes the plan's
      -- numbers, and the screen can say so.
      CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        image_id INTEGER NOT NULL REFERENCES images (id),
        sop_instance_uid TEXT NOT NULL,
        frame INTEGER NOT NULL CHECK (frame >= 0),
        side TEXT NOT NULL CHECK (side IN ('L', 'R')),
        plan_json TEXT NOT NULL CHECK (json_valid(plan_json) AND json_type(plan_json) = 'object'),
        chosen INTEGER NOT NULL DEFAULT 0 CHECK (chosen IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision > 0),
        landmark_revision INTEGER NOT NULL CHECK (landmark_revision > 0),
        archived_at TEXT,
        -- An archived plan is never the one that goes to theatre.
        CHECK (chosen = 0 OR archived_at IS NULL)
      ) STRICT;
      -- clinical-spec §5 "one marked as chosen": at most one per patient and leg.
      CREATE UNIQUE INDEX plans_one_chosen_per_leg ON plans (patient_id, side) WHERE chosen = 1;
      -- plan:list: newest first by creation, so a list of alternatives does not jump while one is edited.
      CREATE INDEX plans_by_patient ON plans (patient_id, created_at DESC, id DESC) WHERE archived_at IS NULL;

      -- Append-only history of every saved state of a plan.
      CREATE TABLE plan_revisions (
        plan_id INTEGER NOT NULL REFERENCES plans (id),
        revision INTEGER NOT NULL CHECK (revision > 0),
        saved_at TEXT NOT NULL,
        app_version TEXT NOT NULL,
        landmark_revision INTEGER NOT NULL CHECK (landmark_revision > 0),
        plan_json TEXT NOT NULL CHECK (json_valid(plan_json) AND json_type(plan_json) = 'object'),
        PRIMARY KEY (plan_id, revision)
      ) STRICT;

      -- A plan can never land on the wrong film or patient: its SOP Instance UID must be its
      -- image's, and its patient the image's patient.
      CREATE TRIGGER plans_same_image BEFORE INSERT ON plans
      WHEN NEW.sop_instance_uid IS NOT (SELECT sop_instance_uid FROM images WHERE id = NEW.image_id)
        OR NEW.patient_id IS NOT (
          SELECT st.patient_id FROM images i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
          WHERE i.id = NEW.image_id)
      BEGIN
        SELECT RAISE(ABORT, 'plan SOP Instance UID or patient differs from its image');
      END;
      -- Hinge and cut entry are pixels of that one film: a plan never moves to another image or leg.
      CREATE TRIGGER plans_fixed_image BEFORE UPDATE OF patient_id, image_id, sop_instance_uid, frame, side, created_at ON plans
      WHEN NEW.patient_id IS NOT OLD.patient_id OR NEW.image_id IS NOT OLD.image_id OR NEW.sop_instance_uid IS NOT OLD.sop_instance_uid
        OR NEW.frame IS NOT OLD.frame OR NEW.side IS NOT OLD.side OR NEW.created_at IS NOT OLD.created_at
      BEGIN
        SELECT RAISE(ABORT, 'a plan stays on its image, frame and side; save a new plan instead');
      END;
      CREATE TRIGGER plans_never_deleted BEFORE DELETE ON plans
      BEGIN
        SELECT RAISE(ABORT, 'plans are archived, never deleted');
      END;
      CREATE TRIGGER plan_revisions_append_only BEFORE UPDATE ON plan_revisions
      BEGIN
        SELECT RAISE(ABORT, 'plan revisions are never changed; save a new revision');
      END;
      CREATE TRIGGER plan_revisions_never_deleted BEFORE DELETE ON plan_revisions
      BEGIN
        SELECT RAISE(ABORT, 'plan revisions are never deleted');
      END;
    `);
  },
};
