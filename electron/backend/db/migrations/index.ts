// Numbered migrations tracked in PRAGMA user_version (architecture.md §5; model:
// signalapp/Signal-Desktop ts/sql/migrations). A migration's version is its file number
// (0010-initial.ts -> 10) so later ones can be slotted in between without renumbering.
import type Database from 'better-sqlite3';
import { migration0010 } from './0010-initial';
import { migration0020 } from './0020-measurements';
import { migration0030 } from './0030-plans';
import { migration0040 } from './0040-follow-up';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [migration0010, migration0020, migration0030, migration0040];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
