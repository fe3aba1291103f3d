-- user_version = 10
-- index images_by_series
CREATE INDEX images_by_series ON images (series_id);

-- index images_by_sha256
CREATE INDEX images_by_sha256 ON images (sha256);

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
      ) STRICT;
