// Follow-up storage (issue 6; clinical-spec §6): film findings, one append-only revision per save,
// and settings as JSON per key (the loss-of-correction thresholds). Values are checked here as well
// as by the contract, so a bad value from any caller is refused with nothing saved.
import { DEFAULT_LOSS_THRESHOLDS, type LossThresholds } from '../../../../shared/follow-up/follow-up';
import {
  HARDWARE_STATUSES,
  HINGE_FRACTURE_TYPES,
  MAX_FINDINGS_NOTES,
  type FilmFindings,
  type FilmFindingsInput,
  type HardwareStatus,
  type HingeFracture,
} from '../../../../shared/follow-up/findings';
import type { AppSettings } from '../../../../shared/ipc/contract';
import { AppError } from '../../../../shared/ipc/result';
import type { Db } from '../connection';

type Side = 'L' | 'R';

interface FindingsRow {
  image_id: number;
  side: Side;
  revision: number;
  hinge_fracture: HingeFracture | null;
  gap_fill_percent: number | null;
  hardware: HardwareStatus | null;
  notes: string;
  updated_at: string;
}

const toFindings = (r: FindingsRow): FilmFindings => ({
  imageId: r.image_id,
  side: r.side,
  revision: r.revision,
  hingeFracture: r.hinge_fracture,
  gapFillPercent: r.gap_fill_percent,
  hardware: r.hardware,
  notes: r.notes,
  updatedAt: r.updated_at,
});

const sameFindings = (a: FilmFindingsInput, b: FilmFindingsInput) =>
  a.hingeFracture === b.hingeFracture && a.gapFillPercent === b.gapFillPercent && a.hardware === b.hardware && a.notes === b.notes;

function checkFindings(f: FilmFindingsInput): void {
  if (f.hingeFracture !== null && !HINGE_FRACTURE_TYPES.includes(f.hingeFracture)) {
    throw new AppError('INVALID_INPUT', `Hinge fracture must be one of ${HINGE_FRACTURE_TYPES.join(', ')} or not recorded; got "${String(f.hingeFracture)}". Nothing was saved.`);
  }
  if (f.gapFillPercent !== null && !(Number.isFinite(f.gapFillPercent) && f.gapFillPercent >= 0 && f.gapFillPercent <= 100)) {
    throw new AppError('INVALID_INPUT', `Gap filling must be a percentage from 0 to 100; got ${String(f.gapFillPercent)}. Nothing was saved.`);
  }
  if (f.hardware !== null && !HARDWARE_STATUSES.includes(f.hardware)) {
    throw new AppError('INVALID_INPUT', `Hardware status must be one of ${HARDWARE_STATUSES.join(', ')} or not recorded; got "${String(f.hardware)}". Nothing was saved.`);
  }
  if (typeof f.notes !== 'string' || f.notes.length > MAX_FINDINGS_NOTES) {
    throw new AppError('INVALID_INPUT', `Notes must be text of at most ${MAX_FINDINGS_NOTES} characters. Nothing was saved.`);
  }
}

/** clinical-spec §6: a threshold is a positive number, or null (report the change, never flag it). */
export function checkLossThresholds(t: unknown): LossThresholds {
  const out = { ...DEFAULT_LOSS_THRESHOLDS };
  if (typeof t !== 'object' || t === null) throw new AppError('INVALID_INPUT', 'Loss-of-correction thresholds must be an object.');
  for (const key of ['hkaDeg', 'wblPercent', 'mptaDeg'] as const) {
    if (!(key in t)) continue;
    const v = (t as Record<string, unknown>)[key];
    if (v !== null && !(typeof v === 'number' && Number.isFinite(v) && v > 0)) {
      throw new AppError('INVALID_INPUT', `The ${key} threshold must be a positive number or empty (never flagged); got ${JSON.stringify(v)}. Nothing was saved.`);
    }
    out[key] = v as number | null;
  }
  return out;
}

export class FollowUpRepository {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly appVersion: string,
  ) {
    this.statements = {
      imageExists: db.prepare(`SELECT 1 FROM images WHERE id = ?`).pluck(),
      latest: db.prepare(`SELECT * FROM film_findings WHERE image_id = ? AND side = ? ORDER BY revision DESC LIMIT 1`),
      latestOfImage: db.prepare(`
        SELECT f.* FROM film_findings f
        WHERE f.image_id = ? AND f.revision = (SELECT MAX(revision) FROM film_findings g WHERE g.image_id = f.image_id AND g.side = f.side)
        ORDER BY f.side DESC`),
      history: db.prepare(`SELECT * FROM film_findings WHERE image_id = ? AND side = ? ORDER BY revision DESC`),
      insert: db.prepare(`
        INSERT INTO film_findings (image_id, side, revision, hinge_fracture, gap_fill_percent, hardware, notes, updated_at, app_version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      getSetting: db.prepare(`SELECT value_json FROM settings WHERE key = ?`).pluck(),
      putSetting: db.prepare(`
        INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`),
    };
  }

  /**
   * Saves the findings of one film and leg as its next revision; an identical save returns the
   * latest revision and adds nothing. `beforeCommit` runs inside the transaction (tests).
   */
  saveFindings(imageId: number, side: Side, input: FilmFindingsInput, beforeCommit?: () => void): FilmFindings & { created: boolean } {
    checkFindings(input);
    if (side !== 'L' && side !== 'R') throw new AppError('INVALID_INPUT', `Side must be L or R; got "${String(side)}".`);
    if (!this.statements.imageExists.get(imageId)) throw new AppError('NOT_FOUND', `No image with id ${imageId} in the library.`);
    const s = this.statements;
    return this.db
      .transaction(() => {
        const latest = s.latest.get(imageId, side) as FindingsRow | undefined;
        if (latest && sameFindings(toFindings(latest), input)) return { ...toFindings(latest), created: false };
        const revision = (latest?.revision ?? 0) + 1;
        const updatedAt = new Date().toISOString();
        s.insert.run(imageId, side, revision, input.hingeFracture, input.gapFillPercent, input.hardware, input.notes, updatedAt, this.appVersion);
        beforeCommit?.();
        return { imageId, side, revision, ...input, updatedAt, created: true };
      })
      .immediate();
  }

  /** The latest findings of each side of the image, right leg first. */
  latestFindings(imageId: number): FilmFindings[] {
    return (this.statements.latestOfImage.all(imageId) as FindingsRow[]).map(toFindings);
  }

  /** Every revision of one film and leg, newest first. */
  findingsHistory(imageId: number, side: Side): FilmFindings[] {
    return (this.statements.history.all(imageId, side) as FindingsRow[]).map(toFindings);
  }

  settings(): AppSettings {
    const raw = this.statements.getSetting.get('lossThresholds') as string | undefined;
    let lossThresholds = { ...DEFAULT_LOSS_THRESHOLDS };
    if (raw !== undefined) {
      try {
        lossThresholds = checkLossThresholds(JSON.parse(raw));
      } catch {
        // A stored value this version cannot read falls back to the clinical-spec §6 defaults; saving replaces it.
      }
    }
    return { lossThresholds };
  }

  saveSettings(settings: AppSettings): AppSettings {
    const lossThresholds = checkLossThresholds(settings.lossThresholds);
    this.statements.putSetting.run('lossThresholds', JSON.stringify(lossThresholds), new Date().toISOString());
    return { lossThresholds };
  }
}
