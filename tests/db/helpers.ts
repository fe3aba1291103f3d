import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { openDatabase, type Db } from '../../electron/backend/db/connection';
import { MIGRATIONS, type Migration } from '../../electron/backend/db/migrations/index';
import { AppError } from '../../shared/ipc/result';

/** A fresh temporary data dir; remove() deletes it. */
export function tempDataDir(prefix = 'osteoplan-db-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export const sharedData = path.resolve(__dirname, '../../../shared/data');

/**
 * Real SQLite files in temp dirs for one test file: `freshFile()` gives a new path, `open()` migrates
 * it (to the latest version, or through the given migrations only); everything is closed and removed
 * after each test.
 */
export function useDatabaseFiles(appVersion: string): { freshFile(): string; open(file: string, migrations?: readonly Migration[]): Db } {
  let cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.reverse()) c();
    cleanups = [];
  });
  return {
    freshFile() {
      const tmp = tempDataDir();
      cleanups.push(tmp.remove);
      return path.join(tmp.dir, 'library.sqlite');
    },
    open(file, migrations = MIGRATIONS) {
      const db = openDatabase(file, { appVersion, migrations });
      cleanups.push(() => db.open && db.close());
      return db;
    },
  };
}

/** Runs fn, expects it to throw an AppError and returns it, so a test can assert its code and message. */
export function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

export interface SeedStudy {
  studyDate?: string;
  description?: string;
  /** role and operationDate exist from schema version 20 on. */
  role?: string;
  operationDate?: string;
}

export interface SeedImage {
  sopInstanceUid: string;
  frames?: number;
  rows?: number;
  columns?: number;
}

/**
 * Library rows (patient, study, series, image) inserted by plain SQL rather than through the
 * repositories, so a migration test can fill a database at an old schema version. Only the columns
 * every version has are written unless a test names more.
 */
export function librarySeeder(db: Db) {
  const insertPatient = db.prepare(`INSERT INTO patients (dicom_patient_id, name, created_at) VALUES (?, ?, '2024-01-01') RETURNING id`).pluck();
  const insertSeries = db.prepare(`INSERT INTO series (study_id, series_instance_uid, modality) VALUES (?, ?, 'DX') RETURNING id`).pluck();
  const insertImage = db
    .prepare(`
    INSERT INTO images (series_id, sop_instance_uid, sop_class_uid, transfer_syntax_uid, rows, columns, number_of_frames,
                        photometric_interpretation, modality, store_path, sha256, size_bytes, header_json, imported_at)
    VALUES (?, ?, '1.2.840.10008.5.1.4.1.1.1.1', '1.2.840.10008.1.2.1', ?, ?, ?, 'MONOCHROME2', 'DX', ?, ?, 10, '{}', 'now') RETURNING id`)
    .pluck();
  return {
    patient: (dicomPatientId = 'P1', name = 'DOE^JANE') => insertPatient.get(dicomPatientId, name) as number,
    study(patientId: number, studyInstanceUid: string, fields: SeedStudy = {}): number {
      const columns = { study_date: fields.studyDate, description: fields.description, role: fields.role, operation_date: fields.operationDate };
      const named = Object.entries(columns).filter(([, v]) => v !== undefined);
      const sql = `INSERT INTO studies (patient_id, study_instance_uid${named.map(([c]) => `, ${c}`).join('')})
                   VALUES (?, ?${', ?'.repeat(named.length)}) RETURNING id`;
      return db.prepare(sql).pluck().get(patientId, studyInstanceUid, ...named.map(([, v]) => v)) as number;
    },
    series: (studyId: number, seriesInstanceUid: string) => insertSeries.get(studyId, seriesInstanceUid) as number,
    image(seriesId: number, { sopInstanceUid, frames = 1, rows = 9000, columns = 3000 }: SeedImage): number {
      // A distinct, well-formed content address per image, as the store would give it.
      const sha256 = createHash('sha256').update(sopInstanceUid).digest('hex');
      return insertImage.get(seriesId, sopInstanceUid, rows, columns, frames, `${sha256.slice(0, 2)}/${sha256}`, sha256) as number;
    },
  };
}
