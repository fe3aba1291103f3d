// A plan's saved revisions (plan:history), newest first: when, what changed in words, and the
// plan in one line with its wedge angle at the time. Choosing one previews it read-only on the
// film and in the panel; "Restore" saves it again as a new revision (the history is never
// rewritten) and the surgeon can undo that like any other change.
import type { PlanRevisionInfo } from '../../../../shared/ipc/contract';

interface Props {
  /** null while loading or before the first save. */
  entries: PlanRevisionInfo[] | null;
  saved: boolean;
  error: string | null;
  previewRevision: number | null;
  onPreview(revision: number | null): void;
  onRestore(revision: number): void;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Local date and time to the second: two saves a few seconds apart must read apart. */
export function formatSavedAt(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function PlanHistory({ entries, saved, error, previewRevision, onPreview, onRestore }: Props) {
  const latest = entries?.[0]?.revision ?? null;
  return (
    <section className="plan-history" data-testid="plan-history" aria-label="Plan history">
      <h3>History</h3>
      {!saved ? (
        <div className="cal-note">This plan is not saved yet: it has no revisions.</div>
      ) : error ? (
        <div className="error-text" role="alert">
          The history could not be read: {error}
        </div>
      ) : !entries ? (
        <div className="cal-note">Reading the history…</div>
      ) : (
        <ol className="plan-history-list">
          {entries.map((h) => {
            const previewing = h.revision === previewRevision;
            const current = h.revision === latest;
            return (
              <li key={h.revision} className={`plan-history-item${previewing ? ' previewing' : ''}`} data-revision={h.revision}>
                <button
                  className="plan-history-row"
                  onClick={() => onPreview(previewing || current ? null : h.revision)}
                  aria-pressed={previewing}
                  title={current ? 'The current state of the plan' : 'Show this revision on the film and in the panel, read-only'}
                >
                  <span className="plan-history-head">
                    <span className="plan-history-rev">#{h.revision}</span>
                    <span className="plan-history-when">{formatSavedAt(h.savedAt)}</span>
                    {current && <span className="plan-badge">current</span>}
                    {previewing && <span className="plan-badge chosen">previewing</span>}
                  </span>
                  <span className="plan-history-changes" data-testid="revision-changes">
                    {h.changes.join('; ')}
                  </span>
                  <span className="plan-meta" data-testid="revision-summary" title="α as computed on the landmarks this revision was saved with">
                    {h.summary}
                  </span>
                </button>
                {previewing && (
                  <div className="cal-actions">
                    <button className="btn primary" onClick={() => onRestore(h.revision)} data-testid="restore-revision" title="Save this revision again as the newest one (undo with Ctrl+Z)">
                      Restore
                    </button>
                    <button className="btn ghost" onClick={() => onPreview(null)}>
                      Back to current
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
