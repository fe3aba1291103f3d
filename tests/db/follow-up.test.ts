// Migration 0040 and the follow-up repository against a real SQLite file (architecture.md §5):
// the upgrade from version 30 with a library, landmark sets and a plan in it; findings kept as
// append-only revisions the database itself protects; values refused with nothing saved; a failed
// save rolled back; settings with their clinical-spec §6 defaults surviving a reopen.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../electron/backend/db/connection';
import { MIGRATIONS } from '../../electron/backend/db/migrations/index';
import { FollowUpRepository } from '../../electron/backend/db/repositories/follow-up';
import { appError, librarySeeder, useDatabaseFiles } from './helpers';

const { freshFile, open } = useDatabaseFiles('0.4.0-test');

/** One post-operative film, by plain SQL as version 30 knows it. */
function seedImage(db: Db): number {
  const seed = librarySeeder(db);
  const studyId = seed.study(seed.patient(), '1.2.3', { studyDate: '20240619', role: 'post-op', operationDate: '2024-06-18' });
  return seed.image(seed.series(studyId, '1.2.3.1'), { sopInstanceUid: '1.2.3.1.1' });
}

const findings = { hingeFracture: 'II' as const, gapFillPercent: 33.3, hardware: 'intact' as const, notes: 'Plate and screws in place.' };

describe('migration 0040', () => {
  it('upgrades a version-30 library with data: every row kept, findings and settings start empty', () => {
    const file = freshFile();
    const v30 = open(file, MIGRATIONS.filter((m) => m.version <= 30));
    const imageId = seedImage(v30);
    const before = Object.fromEntries(['patients', 'studies', 'series', 'images'].map((t) => [t, v30.prepare(`SELECT * FROM ${t} ORDER BY id`).all()]));
    v30.close();
    const db = open(file);
    expect(db.pragma('user_version', { simple: true })).toBe(40);
    for (const [table, rows] of Object.entries(before)) expect(db.prepare(`SELECT * FROM ${table} ORDER BY id`).all(), table).toEqual(rows);
    const repo = new FollowUpRepository(db, 't');
    expect(repo.latestFindings(imageId)).toEqual([]);
    expect(repo.settings()).toEqual({ lossThresholds: { hkaDeg: 2, wblPercent: 5, mptaDeg: null } });
  });
});

describe('FollowUpRepository', () => {
  it('keeps every revision of a film\'s findings, exactly; identical saves add nothing; each side on its own', () => {
    const db = open(freshFile());
    const imageId = seedImage(db);
    const repo = new FollowUpRepository(db, 't');
    expect(repo.saveFindings(imageId, 'R', findings)).toMatchObject({ revision: 1, created: true, ...findings });
    expect(repo.saveFindings(imageId, 'R', findings)).toMatchObject({ revision: 1, created: false });
    repo.saveFindings(imageId, 'R', { ...findings, gapFillPercent: 0.1 + 0.2, notes: '' });
    repo.saveFindings(imageId, 'L', { hingeFracture: null, gapFillPercent: null, hardware: null, notes: 'Contralateral leg: nothing to report.' });
    expect(repo.findingsHistory(imageId, 'R').map((f) => [f.revision, f.gapFillPercent, f.notes])).toEqual([
      [2, 0.1 + 0.2, ''],
      [1, 33.3, 'Plate and screws in place.'],
    ]);
    expect(repo.latestFindings(imageId).map((f) => [f.side, f.revision])).toEqual([
      ['R', 2],
      ['L', 1],
    ]);
  });

  it('the database refuses to change or delete a revision, and values outside the clinical vocabulary', () => {
    const db = open(freshFile());
    const imageId = seedImage(db);
    new FollowUpRepository(db, 't').saveFindings(imageId, 'R', findings);
    expect(() => db.prepare(`UPDATE film_findings SET notes = 'edited'`).run()).toThrow(/never changed/);
    expect(() => db.prepare(`DELETE FROM film_findings`).run()).toThrow(/never deleted/);
    const insert = db.prepare(`INSERT INTO film_findings (image_id, side, revision, hinge_fracture, gap_fill_percent, hardware, notes, updated_at, app_version) VALUES (?, 'R', ?, ?, ?, ?, '', 'now', 't')`);
    expect(() => insert.run(imageId, 5, 'IV', null, null)).toThrow(/CHECK/);
    expect(() => insert.run(imageId, 6, null, 101, null)).toThrow(/CHECK/);
    expect(() => insert.run(imageId, 7, null, null, 'lost')).toThrow(/CHECK/);
    expect(() => insert.run(imageId + 100, 8, null, null, null)).toThrow(/FOREIGN KEY/);
  });

  it('refuses bad values and unknown images with a clear message; a failure inside the save rolls it back', () => {
    const db = open(freshFile());
    const imageId = seedImage(db);
    const repo = new FollowUpRepository(db, 't');
    expect(appError(() => repo.saveFindings(imageId, 'R', { ...findings, gapFillPercent: -1 })).message).toMatch(/0 to 100.*Nothing was saved/);
    expect(appError(() => repo.saveFindings(imageId, 'R', { ...findings, gapFillPercent: Number.NaN })).code).toBe('INVALID_INPUT');
    expect(appError(() => repo.saveFindings(imageId + 1, 'R', findings)).code).toBe('NOT_FOUND');
    repo.saveFindings(imageId, 'R', findings);
    expect(() =>
      repo.saveFindings(imageId, 'R', { ...findings, hardware: 'broken' }, () => {
        throw new Error('crash before commit');
      }),
    ).toThrow('crash before commit');
    expect(repo.findingsHistory(imageId, 'R').map((f) => [f.revision, f.hardware])).toEqual([[1, 'intact']]);
  });

  it('settings: thresholds saved, kept after reopening, refused when not positive; an unreadable stored value falls back to the defaults', () => {
    const file = freshFile();
    const db = open(file);
    const repo = new FollowUpRepository(db, 't');
    expect(repo.saveSettings({ lossThresholds: { hkaDeg: 3, wblPercent: null, mptaDeg: 2 } })).toEqual({ lossThresholds: { hkaDeg: 3, wblPercent: null, mptaDeg: 2 } });
    expect(appError(() => repo.saveSettings({ lossThresholds: { hkaDeg: 0, wblPercent: 5, mptaDeg: null } })).message).toMatch(/positive number/);
    db.close();
    const again = open(file);
    expect(new FollowUpRepository(again, 't').settings().lossThresholds).toEqual({ hkaDeg: 3, wblPercent: null, mptaDeg: 2 });
    again.prepare(`UPDATE settings SET value_json = '{"hkaDeg":"two"}' WHERE key = 'lossThresholds'`).run();
    expect(new FollowUpRepository(again, 't').settings().lossThresholds).toEqual({ hkaDeg: 2, wblPercent: 5, mptaDeg: null });
  });
});
