// Progress (files and bytes) while an import runs, then its report: imported, duplicates and
// every skipped file with the reason, until the user dismisses it.
import { displayImportPath, formatBytes } from '../format';
import type { ImportController } from './use-import';

function Bar({ fraction }: { fraction: number }) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0)) * 100;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)}>
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function ImportPanel({ controller }: { controller: ImportController }) {
  const { state } = controller;
  if (state.phase === 'idle') return null;

  if (state.phase === 'uploading') {
    const u = state.upload;
    return (
      <section className="import-panel" aria-label="Import progress" data-import-phase="uploading">
        <div className="import-head">
          <span className="title">Reading files…</span>
          <button className="btn ghost" onClick={controller.cancel}>Cancel</button>
        </div>
        <div className="import-body">
          <Bar fraction={u.bytesTotal > 0 ? u.bytesDone / u.bytesTotal : u.filesDone / Math.max(1, u.filesTotal)} />
          <div className="progress-text">
            <span>{u.filesDone} of {u.filesTotal} files</span>
            <span>{formatBytes(u.bytesDone)} of {formatBytes(u.bytesTotal)}</span>
          </div>
          {u.currentName && <div className="progress-file">{u.currentName}</div>}
        </div>
      </section>
    );
  }

  if (state.phase === 'importing') {
    const p = state.progress;
    return (
      <section className="import-panel" aria-label="Import progress" data-import-phase="importing">
        <div className="import-head">
          <span className="title">{p ? 'Importing…' : 'Preparing import…'}</span>
          <button className="btn ghost" onClick={controller.cancel} disabled={!p}>Cancel</button>
        </div>
        <div className="import-body">
          <Bar fraction={p ? (p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesDone / Math.max(1, p.filesTotal)) : 0} />
          <div className="progress-text">
            <span>{p ? `${p.filesDone} of ${p.filesTotal} files` : 'Scanning…'}</span>
            <span>{p ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : ''}</span>
          </div>
          {p?.currentPath && <div className="progress-file">{displayImportPath(p.currentPath)}</div>}
        </div>
      </section>
    );
  }

  if (state.phase === 'failed') {
    return (
      <section className="import-panel" aria-label="Import report" data-import-phase="failed" role="alert">
        <div className="import-head">
          <span className="title">Import failed</span>
          <button className="btn ghost" onClick={controller.dismiss}>Dismiss</button>
        </div>
        <div className="import-body">
          <p className="error-text">{state.message}</p>
          <p className="cal-note">Nothing already in the library was changed.</p>
        </div>
      </section>
    );
  }

  const r = state.report;
  return (
    <section className="import-panel" aria-label="Import report" data-import-phase="done">
      <div className="import-head">
        <span className="title">{r.cancelled ? 'Import cancelled' : 'Import finished'}</span>
        <button className="btn ghost" onClick={controller.dismiss}>Dismiss</button>
      </div>
      <div className="import-body">
        <div className="report-counts">
          <div className="count-ok" data-count="imported"><b>{r.imported.length}</b><span>imported</span></div>
          <div className="count-dup" data-count="duplicates"><b>{r.duplicates.length}</b><span>already in library</span></div>
          <div className="count-skip" data-count="skipped"><b>{r.skipped.length}</b><span>skipped</span></div>
        </div>
        {r.skipped.length > 0 && (
          <ul className="skipped">
            {r.skipped.slice(0, 200).map((s, i) => (
              <li key={`${s.path}-${i}`}>
                <div className="file">{displayImportPath(s.path)}</div>
                <div className="why">{s.reason}</div>
              </li>
            ))}
            {r.skipped.length > 200 && <li className="why">…and {r.skipped.length - 200} more</li>}
          </ul>
        )}
      </div>
    </section>
  );
}
