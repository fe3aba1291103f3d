import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../../electron/backend/backend';
import { LATEST_SCHEMA_VERSION, openDatabase } from '../../electron/backend/db/connection';
import { MIGRATIONS } from '../../electron/backend/db/migrations/index';
import { appError, librarySeeder, tempDataDir } from './helpers';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());
function freshDir() {
  const tmp = tempDataDir();
  cleanup = tmp.remove;
  return tmp.dir;
}

describe('migrations', () => {
  it('migrate an empty database to the latest version with the pragmas the library relies on', () => {
    const file = path.join(freshDir(), 'library.sqlite');
    const db = openDatabase(file, { appVersion: '1.2.3' });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.at(-1)!.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (db.prepare(`SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as { name: string; sql: string }[]);
    expect(tables.map((t) => t.name)).toEqual(['app_meta', 'film_findings', 'images', 'landmark_set_revisions', 'patients', 'plan_revisions', 'plans', 'series', 'settings', 'studies']);
    for (const t of tables) expect(t.sql).toMatch(/\)\s*STRICT$/);
    expect(db.prepare(`SELECT value FROM app_meta WHERE key = 'last_app_version'`).pluck().get()).toBe('1.2.3');

    // STRICT refuses a wrong type; foreign keys refuse an orphan study.
    const seed = librarySeeder(db);
    const study = seed.study(seed.patient(), '1.2');
    expect(() => db.prepare(`INSERT INTO series (study_id, series_instance_uid, series_number) VALUES (?, '1.2.1', 'two')`).run(study)).toThrow(
      /cannot store TEXT value in INTEGER column/,
    );
    expect(() => db.prepare(`INSERT INTO studies (patient_id, study_instance_uid) VALUES (9999, '1.3')`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('reopening a migrated database keeps its data and runs nothing again', () => {
    const file = path.join(freshDir(), 'library.sqlite');
    const db = openDatabase(file, { appVersion: '1' });
    librarySeeder(db).patient('P1', 'DOE^JANE');
    db.close();
    const again = openDatabase(file, { appVersion: '2' });
    expect(again.prepare(`SELECT name FROM patients`).pluck().all()).toEqual(['DOE^JANE']);
    expect(again.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    again.close();
  });

  it('applies all pending migrations in one transaction: a failing one leaves the database as it was', () => {
    const file = path.join(freshDir(), 'library.sqlite');
    const failing = { version: LATEST_SCHEMA_VERSION + 10, name: 'broken', up: () => { throw new Error('migration bug'); } };
    expect(() => openDatabase(file, { appVersion: 't', migrations: [...MIGRATIONS, failing] })).toThrow(/migration bug/);
    const raw = new Database(file);
    expect(raw.pragma('user_version', { simple: true })).toBe(0);
    expect(raw.prepare(`SELECT COUNT(*) FROM sqlite_schema`).pluck().get()).toBe(0);
    raw.close();
  });

  it('refuses a database from a newer Osteoplan with both versions named, and leaves it untouched', () => {
    const dir = freshDir();
    const file = path.join(dir, 'library.sqlite');
    const db = openDatabase(file, { appVersion: '9.0.0' });
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 20}`);
    db.pragma('journal_mode = DELETE'); // one file, so its bytes can be compared
    db.close();
    const before = fs.readFileSync(file);

    const err = appError(() => openDatabase(file, { appVersion: '0.1.0' }));
    expect(err.code).toBe('DB_FROM_FUTURE');
    expect(err.message).toContain(`database version ${LATEST_SCHEMA_VERSION + 20}`);
    expect(err.message).toContain(`up to ${LATEST_SCHEMA_VERSION}`);
    expect(err.message).toContain('Osteoplan 9.0.0');
    expect(err.message).toContain('this Osteoplan (0.1.0)');
    expect(err.message).toMatch(/Update Osteoplan/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    // The backend (what Electron and the bridge open) refuses it the same way.
    expect(appError(() => openBackend({ dataDir: dir, appVersion: '0.1.0' })).code).toBe('DB_FROM_FUTURE');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });
});
