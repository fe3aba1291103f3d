// Makes every schema change visible in review (architecture.md §5; model: actualbudget's schema
// guard): the schema built by the migrations must equal the committed snapshot. After an intended
// change, regenerate it with UPDATE_SCHEMA_SNAPSHOT=1 npx vitest run tests/db/schema-snapshot.test.ts
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../electron/backend/db/connection';
import { tempDataDir } from './helpers';

const snapshotFile = path.join(__dirname, 'schema.snapshot.sql');
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

it('the migrated schema equals the committed snapshot', () => {
  const tmp = tempDataDir();
  cleanup = tmp.remove;
  const db = openDatabase(path.join(tmp.dir, 'library.sqlite'), { appVersion: 'test' });
  const rows = db
    .prepare(`SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name`)
    .all() as { type: string; name: string; sql: string | null }[];
  const version = db.pragma('user_version', { simple: true });
  db.close();
  const text =
    `-- user_version = ${version}\n` +
    rows.map((r) => `-- ${r.type} ${r.name}\n${(r.sql ?? '').replace(/[ \t]+\n/g, '\n').trim()};\n`).join('\n');
  if (process.env.UPDATE_SCHEMA_SNAPSHOT === '1') fs.writeFileSync(snapshotFile, text);
  expect(fs.existsSync(snapshotFile), `missing ${snapshotFile}: run with UPDATE_SCHEMA_SNAPSHOT=1`).toBe(true);
  expect(text).toBe(fs.readFileSync(snapshotFile, 'utf8'));
});
