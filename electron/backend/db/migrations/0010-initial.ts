// The library: patients, studies, series, images (issue 2 §5). Later migrations (0020-measurement
// sets, 0030-plans, 0040-findings ...) add their own tables referencing images(id); nothing here
// anticipates them beyond integer primary keys that never change.
import type { Migration } from './index';

export const migration0010: Migration = {
  version: 10,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE app_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- One row per DICOM Patient ID + Patient Name: the same ID with another name (another
      -- hospital's numbering) stays a separate patient rather than silently merging two people.
      CREATE TABLE patients (
        id INTEGER PRIMARY KEY,
        dicom_patient_id TEXT NOT NULL,
        name TEXT NOT NULL,
        birth_date TEXT,
        sex TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (dicom_patient_id, name)
      ) STRICT;

      CREATE TABLE studies (
        id INTEGER PRIMARY KEY,
        patient_id INTEGER NOT NULL REFERENCES patients (id),
        study_instance_uid TEXT NOT NULL UNIQUE,
        study_date TEXT,
        study_time TEXT,
        description TEXT,
        accession_number TEXT
      ) STRICT;
      CREATE INDEX studies_by_patient ON studies (patient_id, study_date);

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
      CREATE INDEX series_by_study ON series (study_id);

      -- store_path is relative to the data dir's store/ folder and named by sha256 of the bytes;
      -- header_json is the DicomHeader read at import (shared/dicom/header.ts).
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
      CREATE INDEX images_by_series ON images (series_id);
      CREATE INDEX images_by_sha256 ON images (sha256);
    `);
  },
};
