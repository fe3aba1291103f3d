// Import from a CD or a DICOMDIR: the directory records are read first (media:read) and the
// patients and studies found are listed with what is already in the library and what is missing
// from the medium; the user picks studies, then media:import runs with the usual progress panel.
import { useEffect, useMemo, useState } from 'react';
import type { MediaStudySummary, MediaSummary } from '../../../shared/ipc/contract';
import { ApiError, type OsteoplanApi, type UploadProgress } from '../api';
import { formatBytes, formatDicomDate, formatPersonName, formatSex } from '../format';

/** Where the DICOMDIR comes from: a path (Electron's dialog) or a folder the browser uploads. */
export type CdSource = { kind: 'path'; path: string } | { kind: 'files'; files: File[] };

interface Props {
  api: OsteoplanApi;
  source: CdSource;
  busy: boolean;
  onImport(dicomdirPath: string, studyInstanceUids: string[]): void;
  onClose(): void;
}

type Phase =
  | { kind: 'uploading'; upload: UploadProgress }
  | { kind: 'reading' }
  | { kind: 'ready'; summary: MediaSummary }
  | { kind: 'failed'; message: string };

/** The DICOMDIR nearest the top of a chosen folder (its path as the browser reports it). */
export function findDicomDirFile(files: File[]): File | null {
  let best: File | null = null;
  let bestDepth = Infinity;
  for (const f of files) {
    const rel = f.webkitRelativePath || f.name;
    const parts = rel.split('/');
    if (parts[parts.length - 1]!.toUpperCase() !== 'DICOMDIR') continue;
    if (parts.length < bestDepth) {
      best = f;
      bestDepth = parts.length;
    }
  }
  return best;
}

const instances = (s: MediaStudySummary) => s.series.reduce((n, x) => n + x.instanceCount, 0);
const missingOf = (s: MediaStudySummary) => s.series.reduce((n, x) => n + x.missingCount, 0);
const fullyImported = (s: MediaStudySummary) => instances(s) > 0 && s.alreadyImported >= instances(s);

function seriesText(s: MediaStudySummary): string {
  const byModality = new Map<string, number>();
  for (const x of s.series) byModality.set(x.modality ?? '?', (byModality.get(x.modality ?? '?') ?? 0) + 1);
  const parts = [...byModality].map(([m, n]) => `${n} ${m}`);
  return `${s.series.length} ${s.series.length === 1 ? 'series' : 'series'}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

export function CdImportDialog({ api, source, busy, onImport, onClose }: Props) {
  const [phase, setPhase] = useState<Phase>(() => (source.kind === 'files' ? { kind: 'uploading', upload: { filesDone: 0, filesTotal: source.files.length, bytesDone: 0, bytesTotal: 0, currentName: null } } : { kind: 'reading' }));
  const [selected, setSelected] = useState<Set<string>>(new Set());

  useEffect(() => {
    const abort = new AbortController();
    let stale = false;
    const read = async (): Promise<MediaSummary> => {
      if (source.kind === 'path') return api.invoke('media:read', { path: source.path });
      const dicomdir = findDicomDirFile(source.files);
      if (!dicomdir) throw new ApiError('INVALID_INPUT', 'The chosen folder holds no DICOMDIR file. Use “Import folder” to import its DICOM files directly.');
      const [root] = await api.stageFiles(source.files, (upload) => !stale && setPhase({ kind: 'uploading', upload }), abort.signal);
      if (!stale) setPhase({ kind: 'reading' });
      // A folder upload keeps its layout under one root, so the DICOMDIR still finds its files.
      return api.invoke('media:read', { path: `${root}/${dicomdir.webkitRelativePath || dicomdir.name}` });
    };
    read()
      .then((summary) => {
        if (stale) return;
        setPhase({ kind: 'ready', summary });
        const uids = summary.patients.flatMap((p) => p.studies.filter((s) => s.studyInstanceUid && !fullyImported(s)).map((s) => s.studyInstanceUid!));
        setSelected(new Set(uids));
      })
      .catch((err: unknown) => {
        if (stale || (err instanceof ApiError && err.code === 'CANCELLED')) return;
        setPhase({ kind: 'failed', message: err instanceof ApiError ? err.message : `The medium could not be read: ${String((err as Error)?.message ?? err)}` });
      });
    return () => {
      stale = true;
      abort.abort();
    };
  }, [api, source]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const summary = phase.kind === 'ready' ? phase.summary : null;
  const selectable = useMemo(() => summary?.patients.flatMap((p) => p.studies.map((s) => s.studyInstanceUid).filter((u): u is string => !!u)) ?? [], [summary]);
  const toggle = (uids: string[], on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      for (const u of uids) if (on) next.add(u);
      else next.delete(u);
      return next;
    });
  const selectedInstances = summary ? summary.patients.flatMap((p) => p.studies).filter((s) => s.studyInstanceUid && selected.has(s.studyInstanceUid)).reduce((n, s) => n + instances(s), 0) : 0;

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <section className="modal cd-dialog" role="dialog" aria-modal="true" aria-label="Import CD or DICOMDIR" data-cd-phase={phase.kind}>
        <header className="modal-head">
          <h2>Import CD / DICOMDIR</h2>
          <button className="btn ghost" onClick={onClose} aria-label="Close">✕</button>
        </header>
        <div className="modal-body">
          {phase.kind === 'uploading' && (
            <div>
              <p>Reading the folder…</p>
              <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((phase.upload.bytesTotal ? phase.upload.bytesDone / phase.upload.bytesTotal : 0) * 100)}>
                <div style={{ width: `${(phase.upload.bytesTotal ? phase.upload.bytesDone / phase.upload.bytesTotal : 0) * 100}%` }} />
              </div>
              <div className="progress-text">
                <span>{phase.upload.filesDone} of {phase.upload.filesTotal} files</span>
                <span>{formatBytes(phase.upload.bytesDone)} of {formatBytes(phase.upload.bytesTotal)}</span>
              </div>
            </div>
          )}
          {phase.kind === 'reading' && (
            <div className="modal-wait">
              <div className="spinner" />
              <span>Reading the DICOMDIR…</span>
            </div>
          )}
          {phase.kind === 'failed' && (
            <p className="error-text" role="alert">
              {phase.message}
            </p>
          )}
          {summary && (
            <>
              <div className="cd-meta">
                {summary.fileSetId ? `File set “${summary.fileSetId}” · ` : ''}
                {summary.patients.length} {summary.patients.length === 1 ? 'patient' : 'patients'} ·{' '}
                {summary.patients.reduce((n, p) => n + p.studies.length, 0)} studies
              </div>
              {summary.missing.length > 0 && (
                <div className="cd-warning" role="status" data-testid="cd-missing">
                  <b>{summary.missing.length} {summary.missing.length === 1 ? 'file is' : 'files are'} listed in the DICOMDIR but missing from the medium</b>
                  <span> and will be reported as skipped: </span>
                  <span className="cd-missing-list">{summary.missing.slice(0, 8).join(', ')}{summary.missing.length > 8 ? ` and ${summary.missing.length - 8} more` : ''}</span>
                </div>
              )}
              {summary.warnings.map((w, i) => (
                <div className="cd-warning" key={i}>{w}</div>
              ))}
              {summary.patients.length === 0 && <p className="cd-meta">The DICOMDIR lists no patients.</p>}
              <div className="cd-tree">
                {summary.patients.map((p, pi) => {
                  const uids = p.studies.map((s) => s.studyInstanceUid).filter((u): u is string => !!u);
                  const on = uids.filter((u) => selected.has(u)).length;
                  return (
                    <div className="cd-patient" key={`${p.patientId ?? ''}-${pi}`} data-patient-id={p.patientId ?? ''}>
                      <label className="cd-row cd-patient-row">
                        <input
                          type="checkbox"
                          checked={uids.length > 0 && on === uids.length}
                          ref={(el) => {
                            if (el) el.indeterminate = on > 0 && on < uids.length;
                          }}
                          disabled={uids.length === 0}
                          onChange={(e) => toggle(uids, e.target.checked)}
                          aria-label={`All studies of ${formatPersonName(p.name)}`}
                        />
                        <span className="cd-name">{formatPersonName(p.name)}</span>
                        <span className="cd-muted">
                          ID {p.patientId || '—'}
                          {p.birthDate ? ` · born ${formatDicomDate(p.birthDate)}` : ''}
                          {p.sex ? ` · ${formatSex(p.sex)}` : ''}
                        </span>
                      </label>
                      {p.studies.map((s, si) => {
                        const uid = s.studyInstanceUid;
                        const total = instances(s);
                        const missing = missingOf(s);
                        return (
                          <label className="cd-row cd-study" key={uid ?? `s${si}`} data-study-uid={uid ?? ''}>
                            <input type="checkbox" checked={!!uid && selected.has(uid)} disabled={!uid} onChange={(e) => uid && toggle([uid], e.target.checked)} aria-label={`Study ${formatDicomDate(s.studyDate)} ${s.description ?? ''}`} />
                            <span className="cd-date">{formatDicomDate(s.studyDate)}</span>
                            <span className="cd-desc">{s.description || 'No description'}</span>
                            <span className="cd-muted">{seriesText(s)}</span>
                            <span className="cd-muted" data-testid="cd-instances">{total} {total === 1 ? 'image' : 'images'}</span>
                            {s.alreadyImported > 0 && (
                              <span className="badge badge-dup">{fullyImported(s) ? 'already in library' : `${s.alreadyImported} already in library`}</span>
                            )}
                            {missing > 0 && <span className="badge badge-bad">{missing} missing</span>}
                            {!uid && <span className="badge badge-bad">no Study Instance UID: cannot be chosen</span>}
                          </label>
                        );
                      })}
                    </div>
                  );
                })}
              </div>
            </>
          )}
        </div>
        <footer className="modal-foot">
          {summary && (
            <>
              <button className="btn ghost" onClick={() => setSelected(new Set(selectable))} disabled={selectable.length === 0}>Select all</button>
              <button className="btn ghost" onClick={() => setSelected(new Set())} disabled={selected.size === 0}>Select none</button>
            </>
          )}
          <span className="spacer" />
          {summary && (
            <span className="cd-muted">
              {selected.size} {selected.size === 1 ? 'study' : 'studies'}, {selectedInstances} images
            </span>
          )}
          <button className="btn" onClick={onClose}>Cancel</button>
          <button
            className="btn primary"
            disabled={!summary || selected.size === 0 || busy}
            title={busy ? 'Another import is running' : undefined}
            onClick={() => summary && onImport(summary.dicomdirPath, [...selected])}
          >
            Import selected
          </button>
        </footer>
      </section>
    </div>
  );
}
