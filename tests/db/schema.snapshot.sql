-- user_version = 40
-- index images_by_series
CREATE INDEX images_by_series ON images (series_id);

-- index images_by_sha256
CREATE INDEX images_by_sha256 ON images (sha256);

-- index landmark_set_revisions_latest
CREATE INDEX landmark_set_revisions_latest ON landmark_set_revisions (image_id, frame, side, revision DESC);

-- index plans_by_patient
CREATE INDEX plans_by_patient ON plans (patient_id, created_at DESC, id DESC) WHERE archived_at IS NULL;

-- index plans_one_chosen_per_leg
CREATE UNIQUE INDEX plans_one_chosen_per_leg ON plans (patient_id, side) WHERE chosen = 1;

-- index series_by_study
CREATE INDEX series_by_study ON series (study_id);

-- index studies_by_patient
CREATE INDEX studies_by_patient ON studies (patient_id, study_date);

-- table app_meta
CREATE TABLE app_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

-- table film_findings
CREATE TABLE film_findings (
        image_id INTEGER NOT NULL REFERENCES images (id),
        side TEXT NOT NULL CHECK (side IN ('L', 'R')),
        revision INTEGER NOT NULL CHECK (revision > 0),
        -- Takeuchi type of a lateral hinge fracture; 'none' = looked for and absent, NULL = not recorded.
        hinge_fracture TEXT CHECK (hinge_fracture IS NULL OR hinge_fracture IN ('none', 'I', 'II', 'III')),
        gap_fill_percent REAL CHECK (gap_fill_percent IS NULL OR (gap_fill_percent >= 0 AND gap_fill_percent <= 100)),
        hardware TEXT CHECK (hardware IS NULL OR hardware IN ('intact', 'loosening', 'broken', 'removed')),
        notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
        updated_at TEXT NOT NULL,
        app_version TEXT NOT NULL,
        PRIMARY KEY (image_id, side, revision)
      ) STRICT;

-- table images
CREATE TABLE images (
        id INTEGER PRIMARY KEY,
        series_id INTEGER NOT NULL REFERENCES series (id),
        sop_instance_uid TEXT NOT NULL UNIQUE,
        sop_class_uid TEXT NOT NULL,
        transfer_syntax_uid TEXT NOT NULL,
        rows INTEGER NOT NULL CHECK (rows > 0),
        columns INTEGER NOT NULL CHECK (columns > 0),
        number_of_frames INTEGER NOT NULL CHECK (number_of_frames > 0),
        photometric_interpretation TEXT NOT NULL,
        modality TEXT,
        store_path TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
        header_json TEXT NOT NULL CHECK (json_valid(header_json)),
        source_path TEXT,
        imported_at TEXT NOT NULL
      ) STRICT;

-- table landmark_set_revisions
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

-- table patients
CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        dicom_patient_id TEXT NOT NULL,
        name TEXT NOT NULL,
        birth_date TEXT,
        sex TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (dicom_patient_id, name)
      ) STRICT;

-- table plan_revisions
CREATE TABLE plan_revisions (
        plan_id INTEGER NOT NULL REFERENCES plans (id),
        revision INTEGER NOT NULL CHECK (revision > 0),
        saved_at TEXT NOT NULL,
        app_version TEXT NOT NULL,
        landmark_revision INTEGER NOT NULL CHECK (landmark_revision > 0),
        plan_json TEXT NOT NULL CHECK (json_valid(plan_json) AND json_type(plan_json) = 'object'),
        PRIMARY KEY (plan_id, revision)
      ) STRICT;

-- table plans
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

-- table series
CREATE TABLE series (
        id INTEGER PRIMARY KEY,
        study_id INTEGER NOT NULL REFERENCES studies (id),
        series_instance_uid TEXT NOT NULL UNIQUE,
        series_number INTEGER,
        modality TEXT,
        body_part_examined TEXT,
        laterality TEXT,
        view_position TEXT
      ) STRICT;

-- table settings
CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL CHECK (json_valid(value_json)),
        updated_at TEXT NOT NULL
      ) STRICT;

-- table studies
CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        study_instance_uid TEXT NOT NULL UNIQUE,
        study_date TEXT,
        study_time TEXT,
        description TEXT,
        accession_number TEXT
      , role TEXT CHECK (role IS NULL OR role IN ('pre-op', 'planning', 'post-op', 'follow-up')), operation_date TEXT CHECK (operation_date IS NULL OR date(operation_date) IS operation_date)) STRICT;

-- trigger film_findings_append_only
CREATE TRIGGER film_findings_append_only BEFORE UPDATE ON film_findings
      BEGIN
        SELECT RAISE(ABORT, 'film findings are never changed; save a new revision');
      END;

-- trigger film_findings_never_deleted
CREATE TRIGGER film_findings_never_deleted BEFORE DELETE ON film_findings
      BEGIN
        SELECT RAISE(ABORT, 'film findings are never deleted');
      END;

-- trigger landmark_set_revisions_append_only
CREATE TRIGGER landmark_set_revisions_append_only BEFORE UPDATE ON landmark_set_revisions
      BEGIN
        SELECT RAISE(ABORT, 'landmark set revisions are never changed; save a new revision');
      END;

-- trigger landmark_set_revisions_same_image
CREATE TRIGGER landmark_set_revisions_same_image BEFORE INSERT ON landmark_set_revisions
      WHEN NEW.sop_instance_uid IS NOT (SELECT sop_instance_uid FROM images WHERE id = NEW.image_id)
      BEGIN
        SELECT RAISE(ABORT, 'landmark set SOP Instance UID differs from its image');
      END;

-- trigger plan_revisions_append_only
CREATE TRIGGER plan_revisions_append_only BEFORE UPDATE ON plan_revisions
      BEGIN
        SELECT RAISE(ABORT, 'plan revisions are never changed; save a new revision');
      END;

-- trigger plan_revisions_never_deleted
CREATE TRIGGER plan_revisions_never_deleted BEFORE DELETE ON plan_revisions
      BEGIN
        SELECT RAISE(ABORT, 'plan revisions are never deleted');
      END;

-- trigger plans_fixed_image
CREATE TRIGGER plans_fixed_image BEFORE UPDATE OF patient_id, image_id, sop_instance_uid, frame, side, created_at ON plans
      WHEN NEW.patient_id IS NOT OLD.patient_id OR NEW.image_id IS NOT OLD.image_id OR NEW.sop_instance_uid IS NOT OLD.sop_instance_uid
        OR NEW.frame IS NOT OLD.frame OR NEW.side IS NOT OLD.side OR NEW.created_at IS NOT OLD.created_at
      BEGIN
        SELECT RAISE(ABORT, 'a plan stays on its image, frame and side; save a new plan instead');
      END;

-- trigger plans_never_deleted
CREATE TRIGGER plans_never_deleted BEFORE DELETE ON plans
      BEGIN
        SELECT RAISE(ABORT, 'plans are archived, never deleted');
      END;

-- trigger plans_same_image
CREATE TRIGGER plans_same_image BEFORE INSERT ON plans
      WHEN NEW.sop_instance_uid IS NOT (SELECT sop_instance_uid FROM images WHERE id = NEW.image_id)
        OR NEW.patient_id IS NOT (
          SELECT st.patient_id FROM images i JOIN series se ON se.id = i.series_id JOIN studies st ON st.id = se.study_id
          WHERE i.id = NEW.image_id)
      BEGIN
        SELECT RAISE(ABORT, 'plan SOP Instance UID or patient differs from its image');
      END;
