// Library: patients (search by name or ID), the selected patient's studies newest first, and
// each series as a thumbnail that opens the viewer.
import { useEffect, useState } from 'react';
import type { PatientDetail, PatientSummary } from '../../../shared/ipc/contract';
import { ApiError, type OsteoplanApi } from '../api';
import { formatDicomDate, formatPersonName, formatSex } from '../format';
import type { ImportController } from '../import/use-import';
import { SeriesThumbnail } from './SeriesThumbnail';

interface Props {
  api: OsteoplanApi;
  libraryVersion: number;
  selectedPatientId: number | null;
  onSelectPatient(id: number | null): void;
  onOpenImage(imageId: number): void;
  importer: ImportController;
  media?: { openCd(): void; openFilm(): void };
  /** Called after the library changed outside an import (the demo patient). */
  onLibraryChanged?(): void;
}

const ROLE_LABEL: Record<string, string> = { 'pre-op': 'Pre-op', planning: 'Planning', 'post-op': 'Post-op', 'follow-up': 'Follow-up' };

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : String((err as Error)?.message ?? err);
}

export function ImportButtons({
  importer,
  api,
  onPick,
  media,
}: {
  importer: ImportController;
  api: OsteoplanApi;
  onPick(kind: 'files' | 'folder'): void;
  /** CD/DICOMDIR and scanned-film entries (renderer/src/import/MediaImport.tsx). */
  media?: { openCd(): void; openFilm(): void };
}) {
  return (
    <>
      <button className="btn primary" disabled={importer.busy} onClick={() => (api.hasNativeDialog ? importer.chooseAndImport('files') : onPick('files'))}>
        Import files
      </button>
      <button className="btn" disabled={importer.busy} onClick={() => (api.hasNativeDialog ? importer.chooseAndImport('folder') : onPick('folder'))}>
        Import folder
      </button>
      {media && (
        <>
          <button className="btn" disabled={importer.busy} onClick={media.openCd} title="Read a CD's DICOMDIR and choose the studies to import">
            Import CD / DICOMDIR
          </button>
          <button className="btn" disabled={importer.busy} onClick={media.openFilm} title="A PNG, JPEG or TIFF scan of a film, with the patient's details">
            Import scanned film
          </button>
        </>
      )}
    </>
  );
}

/** First start: generates and imports the demo patient's pre-op film, then opens it. */
function DemoButton({ api, disabled, onDone }: { api: OsteoplanApi; disabled: boolean; onDone(imageId: number | null): void }) {
  const [state, setState] = useState<{ kind: 'idle' | 'busy' } | { kind: 'error'; message: string }>({ kind: 'idle' });
  const load = () => {
    setState({ kind: 'busy' });
    api
      .invoke('demo:load', {})
      .then((report) => {
        setState({ kind: 'idle' });
        onDone(report.imported[0]?.imageId ?? report.duplicates[0]?.imageId ?? null);
      })
      .catch((err) => setState({ kind: 'error', message: errorText(err) }));
  };
  return (
    <>
      <button className="btn" disabled={disabled || state.kind === 'busy'} onClick={load} data-testid="load-demo">
        {state.kind === 'busy' ? 'Generating demo film…' : 'Load demo patient'}
      </button>
      {state.kind === 'error' && <p className="error-text" role="alert">The demo patient could not be loaded: {state.message}</p>}
    </>
  );
}

export function LibraryScreen({ api, libraryVersion, selectedPatientId, onSelectPatient, onOpenImage, importer, onLibraryChanged, media }: Props) {
  const [search, setSearch] = useState('');
  const [patients, setPatients] = useState<PatientSummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [detail, setDetail] = useState<PatientDetail | null>(null);
  const [detailError, setDetailError] = useState<string | null>(null);

  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => {
      api
        .invoke('library:listPatients', search.trim() ? { search: search.trim() } : {})
        .then((list) => {
          if (stale) return;
          setPatients(list);
          setListError(null);
        })
        .catch((err) => !stale && setListError(errorText(err)));
    }, search ? 150 : 0);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [api, search, libraryVersion]);

  // With no explicit choice, show the most recent patient rather than an empty right side.
  const effectivePatientId = selectedPatientId ?? (patients && patients.length > 0 && !search ? patients[0]!.id : null);

  useEffect(() => {
    if (effectivePatientId === null) {
      setDetail(null);
      return;
    }
    let stale = false;
    api
      .invoke('library:getPatient', { patientId: effectivePatientId })
      .then((d) => {
        if (stale) return;
        setDetail(d);
        setDetailError(null);
      })
      .catch((err) => {
        if (stale) return;
        setDetail(null);
        setDetailError(errorText(err));
      });
    return () => {
      stale = true;
    };
  }, [api, effectivePatientId, libraryVersion]);

  if (patients && patients.length === 0 && !search) {
    return (
      <div className="welcome" data-testid="welcome">
        <h1>Your library is empty</h1>
        <p>
          Import standing long-leg radiographs (DICOM files, a folder or a CD with a DICOMDIR). Files are copied into the
          library on this computer; nothing leaves it.
        </p>
        <p>You can also drop files or folders anywhere on this window.</p>
        <div className="actions">
          <ImportButtons importer={importer} api={api} media={media} onPick={(k) => document.getElementById(k === 'files' ? 'pick-files' : 'pick-folder')?.click()} />
          <DemoButton
            api={api}
            disabled={importer.busy}
            onDone={(imageId) => {
              onLibraryChanged?.();
              if (imageId !== null) onOpenImage(imageId);
            }}
          />
        </div>
        <p className="welcome-note">The demo patient is a generated standing long-leg film of a fictitious patient, to try measuring.</p>
        {listError && <p className="error-text">{listError}</p>}
      </div>
    );
  }

  return (
    <div className="library">
      <aside className="patients" aria-label="Patients">
        <div className="search">
          <input
            type="search"
            placeholder="Search name or patient ID"
            aria-label="Search patients by name or ID"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
        </div>
        {listError && <div className="list-note error-text">{listError}</div>}
        {patients === null && !listError && <div className="list-note">Loading…</div>}
        {patients && patients.length === 0 && search && <div className="list-note">No patient matches “{search}”.</div>}
        <ul className="patient-list">
          {patients?.map((p) => (
            <li key={p.id}>
              <button aria-current={p.id === effectivePatientId} onClick={() => onSelectPatient(p.id)} data-patient-id={p.patientId}>
                <div className="patient-name">{formatPersonName(p.name)}</div>
                <div className="patient-meta">
                  <span>ID {p.patientId || '—'}</span>
                  {p.birthDate && <span>born {formatDicomDate(p.birthDate)}</span>}
                  <span>
                    {p.studyCount} {p.studyCount === 1 ? 'study' : 'studies'}
                  </span>
                </div>
              </button>
            </li>
          ))}
        </ul>
      </aside>
      <main className="studies" aria-label="Studies">
        {detailError && <p className="error-text">{detailError}</p>}
        {detail && (
          <>
            <div className="patient-head">
              <h2>{formatPersonName(detail.patient.name)}</h2>
              <a className="btn" href={`#/patient/${detail.patient.id}/timeline`} data-testid="open-timeline" title="Operations, studies in date order, planned vs achieved, loss of correction, trend and compare">
                Timeline
              </a>
            </div>
            <div className="sub">
              ID {detail.patient.patientId || '—'}
              {detail.patient.birthDate && ` · born ${formatDicomDate(detail.patient.birthDate)}`}
              {detail.patient.sex && ` · ${formatSex(detail.patient.sex)}`}
            </div>
            {detail.studies.map((study) => (
              <section className="study" key={study.id} data-study-uid={study.studyInstanceUid}>
                <div className="study-head">
                  <span className="study-date">{formatDicomDate(study.studyDate)}</span>
                  <span className="study-desc">{study.description || 'No description'}</span>
                  {study.accessionNumber && <span className="study-desc">Acc. {study.accessionNumber}</span>}
                  {study.role && (
                    <span className="role-tag" data-study-role={study.role}>
                      {ROLE_LABEL[study.role] ?? study.role}
                      {study.operationDate ? ` · operation ${study.operationDate}` : ''}
                    </span>
                  )}
                </div>
                <div className="series-row">
                  {study.series.map((series) =>
                    series.images.slice(0, 1).map((image) => (
                      <button
                        key={image.id}
                        className="series-card"
                        onClick={() => onOpenImage(image.id)}
                        data-image-id={image.id}
                        title={`Open ${series.modality ?? ''} series ${series.seriesNumber ?? ''}`}
                      >
                        <SeriesThumbnail api={api} image={image} />
                        <div className="series-label">
                          <b>{[series.modality, series.bodyPartExamined].filter(Boolean).join(' · ') || 'Series'}</b>
                          <br />
                          {[series.laterality, series.viewPosition].filter(Boolean).join(' ')}
                          {series.images.length > 1 ? ` ${series.images.length} images` : ''} {image.columns}×{image.rows}
                        </div>
                      </button>
                    )),
                  )}
                </div>
              </section>
            ))}
          </>
        )}
      </main>
    </div>
  );
}
