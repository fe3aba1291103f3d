-- user_version = 20
-- index images_by_series
CREATE INDEX images_by_series ON images (series_id);

-- index images_by_sha256
CREATE INDEX images_by_sha256 ON images (sha256);

-- index landmark_set_revisions_latest
CREATE INDEX landmark_set_revisions_latest ON landmark_set_revisions (image_id, frame, side, revision DESC);

-- index series_by_study
CREATE INDEX series_by_study ON series (study_id);

-- index studies_by_patient
CREATE INDEX studies_by_patient ON studies (patient_id, study_date);

-- table app_meta
CREATE TABLE app_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
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
