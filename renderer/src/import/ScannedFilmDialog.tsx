// A scanned film (PNG, JPEG or TIFF photograph of a film) with the short patient form it needs to
// join the library: it becomes a Secondary Capture image of that patient, uncalibrated until the
// user calibrates with a marker. A failed import keeps everything typed so nothing is lost.
import { useEffect, useMemo, useState } from 'react';
import type { ImportReport, RequestOf } from '../../../shared/ipc/contract';
import { ApiError, newJobId, type OsteoplanApi } from '../api';

/** The image to import: a path from Electron's dialog or a File the browser will upload. */
export type FilmSource = { kind: 'path'; path: string } | { kind: 'file'; file: File };

interface Props {
  api: OsteoplanApi;
  source: FilmSource;
  onImported(report: ImportReport): void;
  onClose(): void;
}

export const FILM_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff'];

interface Form {
  patientId: string;
  familyName: string;
  givenName: string;
  birthDate: string;
  sex: '' | 'M' | 'F' | 'O';
  studyDate: string;
  side: '' | 'L' | 'R' | 'B';
  description: string;
}

type Errors = Partial<Record<keyof Form, string>>;

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
// DICOM text must not carry the PN component separator or control characters.
const BAD_CHARS = { test: (s: string) => /[\\^=]/.test(s) || [...s].some((c) => c.charCodeAt(0) < 0x20) };

function validDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function validateFilmForm(f: Form, now = today()): Errors {
  const e: Errors = {};
  const id = f.patientId.trim();
  if (!id) e.patientId = 'Enter the patient ID.';
  else if (id.length > 64) e.patientId = 'At most 64 characters.';
  else if (BAD_CHARS.test(id)) e.patientId = 'No \\, ^, = or control characters.';
  if (!f.familyName.trim()) e.familyName = 'Enter the family name.';
  else if (BAD_CHARS.test(f.familyName)) e.familyName = 'No \\, ^, = or control characters.';
  if (BAD_CHARS.test(f.givenName)) e.givenName = 'No \\, ^, = or control characters.';
  if (`${f.familyName.trim()}^${f.givenName.trim()}`.length > 64) e.familyName = 'The name is longer than 64 characters.';
  if (f.birthDate && !validDate(f.birthDate)) e.birthDate = 'Not a valid date.';
  else if (f.birthDate && f.birthDate > now) e.birthDate = 'The birth date is in the future.';
  if (!f.studyDate) e.studyDate = 'Enter the date the film was taken.';
  else if (!validDate(f.studyDate)) e.studyDate = 'Not a valid date.';
  else if (f.studyDate > now) e.studyDate = 'The film date is in the future.';
  else if (f.birthDate && validDate(f.birthDate) && f.studyDate < f.birthDate) e.studyDate = 'The film date is before the birth date.';
  if (!f.side) e.side = 'Choose the side shown on the film.';
  if (f.description.length > 64) e.description = 'At most 64 characters.';
  else if (BAD_CHARS.test(f.description)) e.description = 'No \\, ^, = or control characters.';
  return e;
}

function sourceName(source: FilmSource): string {
  return source.kind === 'file' ? source.file.name : source.path.split(/[\\/]/).pop() ?? source.path;
}

export function ScannedFilmDialog({ api, source, onImported, onClose }: Props) {
  const [form, setForm] = useState<Form>({ patientId: '', familyName: '', givenName: '', birthDate: '', sex: '', studyDate: today(), side: '', description: '' });
  const [touched, setTouched] = useState(false);
  const [status, setStatus] = useState<{ kind: 'editing' } | { kind: 'importing' } | { kind: 'failed'; message: string }>({ kind: 'editing' });
  const errors = useMemo(() => validateFilmForm(form), [form]);
  const shown: Errors = touched ? errors : {};
  const preview = useMemo(() => (source.kind === 'file' && /\.(png|jpe?g)$/i.test(source.file.name) ? URL.createObjectURL(source.file) : null), [source]);
  useEffect(() => () => {
    if (preview) URL.revokeObjectURL(preview);
  }, [preview]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && status.kind !== 'importing' && onClose();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose, status.kind]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0 || status.kind === 'importing') return;
    setStatus({ kind: 'importing' });
    try {
      const path = source.kind === 'path' ? source.path : (await api.stageFiles([source.file]))[0]!;
      const request: RequestOf<'import:scannedFilm'> = {
        path,
        patient: {
          patientId: form.patientId.trim(),
          name: form.givenName.trim() ? `${form.familyName.trim()}^${form.givenName.trim()}` : form.familyName.trim(),
          birthDate: form.birthDate || null,
          sex: form.sex || null,
        },
        studyDate: form.studyDate,
        studyDescription: form.description.trim() || null,
        laterality: form.side || null,
        jobId: newJobId(),
      };
      const report = await api.invoke('import:scannedFilm', request);
      const refused = report.skipped[0];
      if (report.imported.length === 0 && report.duplicates.length === 0) {
        setStatus({ kind: 'failed', message: refused ? refused.reason : 'The film was not imported.' });
        return;
      }
      onImported(report);
    } catch (err) {
      setStatus({ kind: 'failed', message: err instanceof ApiError ? err.message : `The film could not be imported: ${String((err as Error)?.message ?? err)}` });
    }
  };

  const field = (key: keyof Form, label: string, input: React.ReactNode, hint?: string) => (
    <div className={`field${shown[key] ? ' invalid' : ''}`}>
      <label htmlFor={`film-${key}`}>{label}</label>
      {input}
      {shown[key] ? (
        <div className="field-error" id={`film-${key}-error`} role="alert">
          {shown[key]}
        </div>
      ) : hint ? (
        <div className="field-hint">{hint}</div>
      ) : null}
    </div>
  );
  const aria = (key: keyof Form) => ({ id: `film-${key}`, 'aria-invalid': !!shown[key], 'aria-describedby': shown[key] ? `film-${key}-error` : undefined });

  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && status.kind !== 'importing' && onClose()}>
      <form className="modal film-dialog" role="dialog" aria-modal="true" aria-label="Import scanned film" onSubmit={submit} noValidate data-film-status={status.kind}>
        <header className="modal-head">
          <h2>Import scanned film</h2>
          <button type="button" className="btn ghost" onClick={onClose} aria-label="Close" disabled={status.kind === 'importing'}>✕</button>
        </header>
        <div className="modal-body film-body">
          <div className="film-preview">
            {preview ? <img src={preview} alt="The chosen film" /> : <div className="film-noprev">No preview</div>}
            <div className="film-file" title={sourceName(source)}>{sourceName(source)}</div>
            <div className="film-note">
              Stored as a digitized film without pixel spacing: lengths stay hidden until you calibrate with a marker of known size.
            </div>
          </div>
          <div className="film-fields">
            {field('patientId', 'Patient ID *', <input {...aria('patientId')} value={form.patientId} maxLength={64} onChange={(e) => set('patientId', e.target.value)} autoFocus />)}
            <div className="field-pair">
              {field('familyName', 'Family name *', <input {...aria('familyName')} value={form.familyName} onChange={(e) => set('familyName', e.target.value)} />)}
              {field('givenName', 'Given name', <input {...aria('givenName')} value={form.givenName} onChange={(e) => set('givenName', e.target.value)} />)}
            </div>
            <div className="field-pair">
              {field('birthDate', 'Birth date', <input {...aria('birthDate')} type="date" value={form.birthDate} onChange={(e) => set('birthDate', e.target.value)} />)}
              {field(
                'sex',
                'Sex',
                <select {...aria('sex')} value={form.sex} onChange={(e) => set('sex', e.target.value as Form['sex'])}>
                  <option value="">Not given</option>
                  <option value="F">Female</option>
                  <option value="M">Male</option>
                  <option value="O">Other</option>
                </select>,
              )}
            </div>
            {field('studyDate', 'Film date *', <input {...aria('studyDate')} type="date" value={form.studyDate} onChange={(e) => set('studyDate', e.target.value)} />)}
            <div className={`field${shown.side ? ' invalid' : ''}`}>
              <span className="field-label" id="film-side-label">Side *</span>
              <div className="segmented" role="radiogroup" aria-labelledby="film-side-label">
                {(
                  [
                    ['R', 'Right'],
                    ['L', 'Left'],
                    ['B', 'Both'],
                  ] as const
                ).map(([value, label]) => (
                  <button type="button" key={value} role="radio" aria-checked={form.side === value} className={`btn${form.side === value ? ' active' : ''}`} onClick={() => set('side', value)}>
                    {label}
                  </button>
                ))}
              </div>
              {shown.side && (
                <div className="field-error" role="alert">
                  {shown.side}
                </div>
              )}
            </div>
            {field('description', 'Description', <input {...aria('description')} value={form.description} maxLength={80} placeholder="e.g. Standing long-leg AP, outside film" onChange={(e) => set('description', e.target.value)} />)}
          </div>
        </div>
        {status.kind === 'failed' && (
          <div className="film-failed error-text" role="alert" data-testid="film-error">
            {status.message}
          </div>
        )}
        <footer className="modal-foot">
          <span className="cd-muted">* required</span>
          <span className="spacer" />
          <button type="button" className="btn" onClick={onClose} disabled={status.kind === 'importing'}>Cancel</button>
          <button type="submit" className="btn primary" disabled={status.kind === 'importing'}>
            {status.kind === 'importing' ? 'Importing…' : 'Import film'}
          </button>
        </footer>
      </form>
    </div>
  );
}
