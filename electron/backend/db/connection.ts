// Opens the library database: refuses a database written by a newer Osteoplan before touching it,
// then applies every pending migration in one transaction (architecture.md §5).
import Database from 'better-sqlite3';
import { AppError } from '../../../shared/ipc/result';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index';

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Shown in the DB_FROM_FUTURE message and recorded as the last writer. */
  appVersion: string;
  /** Tests only: the migration list to apply instead of MIGRATIONS. */
  migrations?: readonly Migration[];
}

export function openDatabase(file: string, opts: OpenDatabaseOptions): Db {
  const migrations = opts.migrations ?? MIGRATIONS;
  const latest = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const db = new Database(file);
  try {
    // Read the version before any pragma that writes, so a newer database is left exactly as it was.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latest) throw futureDatabaseError(db, current, latest, opts.appVersion);

    db.pragma('journal_mode = WAL');
    // WAL + NORMAL: a commit survives a crash of the app; only a power cut can lose the last
    // commits, which leaves a fsynced store file without its row (swept at the next start), never
    // a row without its file.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');

    const pending = migrations.filter((m) => m.version > current);
    if (pending.length > 0) {
      db.transaction(() => {
        for (const migration of pending) {
          migration.up(db);
          db.pragma(`user_version = ${migration.version}`);
        }
      })();
    }
    db.prepare(`INSERT INTO app_meta (key, value) VALUES ('last_app_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(
      opts.appVersion,
    );
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function futureDatabaseError(db: Db, found: number, supported: number, appVersion: string): AppError {
  let writer = '';
  try {
    const row = db.prepare(`SELECT value FROM app_meta WHERE key = 'last_app_version'`).get() as { value: string } | undefined;
    if (row) writer = ` by Osteoplan ${row.value}`;
  } catch {
    // A future schema may not have app_meta; the versions alone still explain the refusal.
  }
  return new AppError(
    'DB_FROM_FUTURE',
    `This library was written${writer} with database version ${found}, but this Osteoplan (${appVersion}) only understands ` +
      `database versions up to ${supported}. Update Osteoplan to open it. Nothing in the library was changed.`,
  );
}

export { LATEST_SCHEMA_VERSION };
