// Follow-up (issue 6; clinical-spec §6): the findings a clinician records per film and leg, and
// the app's settings (loss-of-correction thresholds). Operations are not stored: they are derived
// from the studies' operation dates and the chosen plan of each leg, so there is one source of truth.
import type { Migration } from './index';

export const migration0040: Migration = {
  version: 40,
  name: 'follow-up',
  up(db) {
    db.exec(`
      -- Append-only: every save of a film's findings is the next revision of its (image, side); the
      -- latest revision is the current state, the earlier ones are its history, nothing is lost.
      CREATE TABLE film_findings (
        image_id INTEGER NOT NULL REFERENCES images (id),
        side TEXT NOT NULL CHECK (side IN ('L', 'R')),
        revision INTEGER NOT NULL CHECK (revision > 0),
        -- Takeuchi type of a lateral hinge fracture; 'none' = looked for and absent, NULL = not recorded.
        hinge_fracture TEXT CHECK (hinge_fracture IS NULL OR hinge_fracture IN ('none', 'I', 'II', 'III')),
        gap_fill_percent REAL CHECK (gap_fill_percent IS NULL OR (gap_fill_percent >= 0 AND gap_fill_percent <= 100)),
        hardware TEXT CHECK (hardware IS NULL OR hardware IN ('intact', 'loosening', 'broken', 'removed')),
        notes TEXT NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
        updated_at TEXT NOT NULL,
        app_version TEXT NOT NULL,
        PRIMARY KEY (image_id, side, revision)
      ) STRICT;
      CREATE TRIGGER film_findings_append_only BEFORE UPDATE ON film_findings
      BEGIN
        SELECT RAISE(ABORT, 'film findings are never changed; save a new revision');
      END;
      CREATE TRIGGER film_findings_never_deleted BEFORE DELETE ON film_findings
      BEGIN
        SELECT RAISE(ABORT, 'film findings are never deleted');
      END;

      -- App settings as JSON per key (e.g. 'lossThresholds'); the value is checked by the repository.
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL CHECK (json_valid(value_json)),
        updated_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
