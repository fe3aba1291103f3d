// Measuring (issue 4): a study's clinical role and operation date (clinical-spec §6), and every
// saved revision of a landmark set (architecture.md §4: named landmarks in pixel coordinates with
// provenance, keyed by SOP Instance UID + frame + side; nothing derived is stored).
import type { Migration } from './index';

export const migration0020: Migration = {
  version: 20,
  name: 'measurements',
  up(db) {
    db.exec(`
      -- The roles are the contract's STUDY_ROLES as of version 20; a later role needs a migration.
      ALTER TABLE studies ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('pre-op', 'planning', 'post-op', 'follow-up'));
      -- date() normalises, so only a real calendar date in YYYY-MM-DD equals its own date().
      ALTER TABLE studies ADD COLUMN operation_date TEXT CHECK (operation_date IS NULL OR date(operation_date) IS operation_date);

      -- Append-only: a save inserts the next revision of its (sop_instance_uid, frame, side) key;
      -- restoring an old revision saves it again. set_json is the parsed landmark set
      -- (shared/schemas/landmark-set.ts) with sorted keys, its floats exactly as JSON.stringify wrote
      -- them; the key columns repeat what is inside it so the CHECK can keep the two equal.
      CREATE TABLE landmark_set_revisions (
        id INTEGER PRIMARY KEY,
        image_id INTEGER NOT NULL REFERENCES images (id),
        sop_instance_uid TEXT NOT NULL,
        frame INTEGER NOT NULL CHECK (frame >= 0),
        side TEXT NOT NULL CHECK (side IN ('L', 'R')),
        revision INTEGER NOT NULL CHECK (revision > 0),
        saved_at TEXT NOT NULL,
        app_version TEXT NOT NULL,
        set_json TEXT NOT NULL CHECK (json_valid(set_json)),
        UNIQUE (sop_instance_uid, frame, side, revision),
        CHECK (json_extract(set_json, '$.sopInstanceUid') IS sop_instance_uid
               AND json_extract(set_json, '$.frame') IS frame
               AND json_extract(set_json, '$.side') IS side)
      ) STRICT;
      -- "Latest revision of every (frame, side) of an image": one index range per image.
      CREATE INDEX landmark_set_revisions_latest ON landmark_set_revisions (image_id, frame, side, revision DESC);

      -- A set can never land on the wrong image: its SOP Instance UID must be the image's.
      CREATE TRIGGER landmark_set_revisions_same_image BEFORE INSERT ON landmark_set_revisions
      WHEN NEW.sop_instance_uid IS NOT (SELECT sop_instance_uid FROM images WHERE id = NEW.image_id)
      BEGIN
        SELECT RAISE(ABORT, 'landmark set SOP Instance UID differs from its image');
      END;
      -- Revisions are history: a change is a new revision, never an edit of an old one.
      CREATE TRIGGER landmark_set_revisions_append_only BEFORE UPDATE ON landmark_set_revisions
      BEGIN
        SELECT RAISE(ABORT, 'landmark set revisions are never changed; save a new revision');
      END;
    `);
  },
};
