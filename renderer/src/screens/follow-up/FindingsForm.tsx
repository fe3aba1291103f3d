// Findings of one film and leg (clinical-spec §6): hinge fracture (Takeuchi), gap filling,
// hardware, notes. Every save is a new revision in the backend; a failed save keeps the form as
// typed, so nothing the surgeon wrote is lost.
import { useState } from 'react';
import {
  HARDWARE_LABEL,
  HARDWARE_STATUSES,
  HINGE_FRACTURE_LABEL,
  HINGE_FRACTURE_TYPES,
  MAX_FINDINGS_NOTES,
  type FilmFindings,
  type HardwareStatus,
  type HingeFracture,
} from '../../../../shared/follow-up/findings';
import { ApiError, type OsteoplanApi } from '../../api';

interface Props {
  api: OsteoplanApi;
  imageId: number;
  side: 'L' | 'R';
  current: FilmFindings | null;
  onSaved(f: FilmFindings): void;
  onCancel(): void;
}

export function FindingsForm({ api, imageId, side, current, onSaved, onCancel }: Props) {
  const [hinge, setHinge] = useState<HingeFracture | ''>(current?.hingeFracture ?? '');
  const [gap, setGap] = useState(current?.gapFillPercent === null || current?.gapFillPercent === undefined ? '' : String(current.gapFillPercent));
  const [hardware, setHardware] = useState<HardwareStatus | ''>(current?.hardware ?? '');
  const [notes, setNotes] = useState(current?.notes ?? '');
  const [status, setStatus] = useState<{ kind: 'idle' | 'saving' } | { kind: 'error'; message: string }>({ kind: 'idle' });

  const save = () => {
    const gapText = gap.trim().replace(',', '.');
    const gapValue = gapText === '' ? null : Number(gapText);
    if (gapValue !== null && !(Number.isFinite(gapValue) && gapValue >= 0 && gapValue <= 100)) {
      setStatus({ kind: 'error', message: 'Gap filling is a percentage from 0 to 100 (or leave it empty).' });
      return;
    }
    setStatus({ kind: 'saving' });
    api
      .invoke('findings:save', { imageId, side, hingeFracture: hinge || null, gapFillPercent: gapValue, hardware: hardware || null, notes })
      .then((f) => {
        setStatus({ kind: 'idle' });
        onSaved(f);
      })
      .catch((err) => setStatus({ kind: 'error', message: err instanceof ApiError ? err.message : String((err as Error)?.message ?? err) }));
  };

  return (
    <form
      className="findings-form"
      data-testid="findings-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <label>
        Lateral hinge fracture
        <select value={hinge} onChange={(e) => setHinge(e.target.value as HingeFracture | '')} data-testid="findings-hinge">
          <option value="">Not recorded</option>
          {HINGE_FRACTURE_TYPES.map((t) => (
            <option key={t} value={t}>
              {HINGE_FRACTURE_LABEL[t]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Gap filling (%)
        <input type="number" min={0} max={100} step={5} value={gap} onChange={(e) => setGap(e.target.value)} data-testid="findings-gap" />
      </label>
      <label>
        Hardware
        <select value={hardware} onChange={(e) => setHardware(e.target.value as HardwareStatus | '')} data-testid="findings-hardware">
          <option value="">Not recorded</option>
          {HARDWARE_STATUSES.map((h) => (
            <option key={h} value={h}>
              {HARDWARE_LABEL[h]}
            </option>
          ))}
        </select>
      </label>
      <label className="notes">
        Notes
        <textarea value={notes} maxLength={MAX_FINDINGS_NOTES} rows={2} onChange={(e) => setNotes(e.target.value)} data-testid="findings-notes" />
      </label>
      <div className="findings-actions">
        <button type="submit" className="btn primary" disabled={status.kind === 'saving'} data-testid="findings-save">
          {status.kind === 'saving' ? 'Saving…' : 'Save findings'}
        </button>
        <button type="button" className="btn ghost" onClick={onCancel}>
          Cancel
        </button>
        {current && <span className="muted">Revision {current.revision}, {current.updatedAt.slice(0, 16).replace('T', ' ')}</span>}
        {status.kind === 'error' && (
          <span className="error-text" role="alert">
            Not saved: {status.message}
          </span>
        )}
      </div>
    </form>
  );
}
