import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Db } from '../../electron/backend/db/connection';
import { MIGRATIONS, type Migration } from '../../electron/backend/db/migrations/index';

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
