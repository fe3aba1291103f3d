// Landmark set revisions (issue 4; architecture.md §4): the persisted truth of a measurement is the
// landmark set itself, keyed by SOP Instance UID + frame + side. Every change is a new revision in
// one transaction; nothing is updated or deleted, so any earlier state can be restored.
import type { LandmarkSetRevisionInfo, SavedLandmarkSet } from '../../../../shared/ipc/contract';
import { AppError } from '../../../../shared/ipc/result';
import { parseLandmarkSet, type LandmarkSet } from '../../../../shared/schemas/landmark-set';
import type { Db } from '../connection';
import { canonicalJson, parseDocument } from './json-document';

// Shared with plans (json-document.ts); re-exported for the tests that check it.
export { canonicalJson };

export type Side = 'L' | 'R';

interface RevisionRow {
  image_id: number;
  revision: number;
  saved_at: string;
  set_json: string;
}

interface ImageKeyRow {
  sop_instance_uid: string;
  number_of_frames: number;
}

/** A stored or incoming set through the versioned schema; engine errors become app errors. */
const parseSet = (input: unknown): LandmarkSet => parseDocument(parseLandmarkSet, input);

export class MeasurementRepository {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly appVersion: string,
  ) {
    this.statements = {
      imageKey: db.prepare(`SELECT sop_instance_uid, number_of_frames FROM images WHERE id = ?`),
      latest: db.prepare(`
        SELECT image_id, revision, saved_at, set_json FROM landmark_set_revisions
        WHERE sop_instance_uid = ? AND frame = ? AND side = ? ORDER BY revision DESC LIMIT 1`),
      insert: db.prepare(`
        INSERT INTO landmark_set_revisions (image_id, sop_instance_uid, frame, side, revision, saved_at, app_version, set_json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      latestOfImage: db.prepare(`
        SELECT r.image_id, r.revision, r.saved_at, r.set_json FROM landmark_set_revisions r
        WHERE r.image_id = ? AND r.revision = (
          SELECT MAX(revision) FROM landmark_set_revisions l WHERE l.image_id = r.image_id AND l.frame = r.frame AND l.side = r.side)
        ORDER BY r.frame, r.side`),
      history: db.prepare(`
        SELECT revision, saved_at, (SELECT COUNT(*) FROM json_each(set_json, '$.landmarks')) AS landmark_count
        FROM landmark_set_revisions WHERE image_id = ? AND frame = ? AND side = ? ORDER BY revision DESC`),
      revision: db.prepare(`
        SELECT image_id, revision, saved_at, set_json FROM landmark_set_revisions
        WHERE image_id = ? AND frame = ? AND side = ? AND revision = ?`),
    };
  }

  private imageKey(imageId: number): ImageKeyRow {
    const row = this.statements.imageKey.get(imageId) as ImageKeyRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `No image with id ${imageId} in the library.`);
    return row;
  }

  private toSaved(row: RevisionRow): SavedLandmarkSet {
    return { imageId: row.image_id, revision: row.revision, savedAt: row.saved_at, set: parseSet(JSON.parse(row.set_json)) };
  }

  /**
   * Saves `input` as the next revision of its (SOP Instance UID, frame, side), or returns the
   * latest revision unchanged when the set equals it. `beforeCommit` runs inside the transaction
   * (tests: a failure there must leave the previous revision as it was).
   */
  save(imageId: number, input: unknown, beforeCommit?: () => void): { revision: number; savedAt: string; created: boolean } {
    const set = parseSet(input);
    const image = this.imageKey(imageId);
    if (set.sopInstanceUid !== image.sop_instance_uid) {
      throw new AppError(
        'INVALID_INPUT',
        `This landmark set belongs to SOP Instance UID ${set.sopInstanceUid}, but image ${imageId} is ${image.sop_instance_uid}: nothing was saved.`,
      );
    }
    if (set.frame >= image.number_of_frames) {
      throw new AppError(
        'INVALID_INPUT',
        `Frame ${set.frame} does not exist: image ${imageId} has ${image.number_of_frames} frame${image.number_of_frames === 1 ? '' : 's'} (0-based). Nothing was saved.`,
      );
    }
    const json = canonicalJson(set);
    const s = this.statements;
    // IMMEDIATE: the read of the latest revision and the insert of the next one cannot interleave
    // with another connection's save of the same key.
    return this.db
      .transaction(() => {
        const latest = s.latest.get(set.sopInstanceUid, set.frame, set.side) as RevisionRow | undefined;
        if (latest && latest.set_json === json) return { revision: latest.revision, savedAt: latest.saved_at, created: false };
        const revision = (latest?.revision ?? 0) + 1;
        const savedAt = new Date().toISOString();
        s.insert.run(imageId, set.sopInstanceUid, set.frame, set.side, revision, savedAt, this.appVersion, json);
        beforeCommit?.();
        return { revision, savedAt, created: true };
      })
      .immediate();
  }

  /** The latest revision of every (frame, side) of the image, frame then side order. */
  listLatest(imageId: number): SavedLandmarkSet[] {
    this.imageKey(imageId);
    return (this.statements.latestOfImage.all(imageId) as RevisionRow[]).map((r) => this.toSaved(r));
  }

  /** Every revision of one (frame, side), newest first. */
  history(imageId: number, frame: number, side: Side): LandmarkSetRevisionInfo[] {
    this.imageKey(imageId);
    const rows = this.statements.history.all(imageId, frame, side) as { revision: number; saved_at: string; landmark_count: number }[];
    return rows.map((r) => ({ revision: r.revision, savedAt: r.saved_at, landmarkCount: r.landmark_count }));
  }

  getRevision(imageId: number, frame: number, side: Side, revision: number): SavedLandmarkSet {
    this.imageKey(imageId);
    const row = this.statements.revision.get(imageId, frame, side, revision) as RevisionRow | undefined;
    if (!row) throw new AppError('NOT_FOUND', `Image ${imageId} has no revision ${revision} of the ${side === 'L' ? 'left' : 'right'} leg on frame ${frame}.`);
    return this.toSaved(row);
  }
}
