// The leg's plans (issue 5: "several plans per patient, one marked as chosen, with date and
// surgeon name"): name, planned date, surgeon, procedure → target and the chosen mark; plans drawn
// on another film of the patient open there. Duplicate makes an alternative; archive is soft.
import { useState } from 'react';
import type { SavedPlan } from '../../../../shared/ipc/contract';
import { formatDicomDate } from '../../format';
import { isRemeasured, planSummary } from './plan-model';

interface Props {
  plans: SavedPlan[];
  imageId: number;
  currentId: number | null;
  /** The unsaved plan being drawn (no id yet), listed first. */
  draftName: string | null;
  currentChosen: boolean;
  onOpen(plan: SavedPlan): void;
  onNew(): void;
  onDuplicate(): void;
  onSaveDraft(): void;
  onChoose(chosen: boolean): void;
  onArchive(): void;
}

export function PlanList({ plans, imageId, currentId, draftName, currentChosen, onOpen, onNew, onDuplicate, onSaveDraft, onChoose, onArchive }: Props) {
  const [confirmArchive, setConfirmArchive] = useState(false);
  return (
    <div className="plan-list" data-testid="plan-list">
      {draftName !== null && (
        <div className="plan-item current" data-plan-item="draft">
          <div className="plan-item-head">
            <span className="plan-name">{draftName}</span>
            <span className="plan-badge draft">not saved</span>
          </div>
          <div className="plan-meta">Drawn with the defaults; any change saves it.</div>
        </div>
      )}
      {plans.map((p) => {
        const here = p.imageId === imageId;
        return (
          <div key={p.planId} className="plan-entry">
            <button
              className={`plan-item${p.planId === currentId ? ' current' : ''}`}
              onClick={() => onOpen(p)}
              data-plan-item={p.planId}
              data-chosen={p.chosen ? 'true' : 'false'}
              aria-current={p.planId === currentId ? 'true' : undefined}
              title={here ? 'Open this plan' : `Drawn on the film of ${formatDicomDate(p.studyDate)}: opens it there`}
            >
              <div className="plan-item-head">
                <span className="plan-name">{p.plan.name}</span>
                {p.chosen && (
                  <span className="plan-badge chosen" data-testid="chosen-mark" title="The plan that goes to theatre">
                    ★ chosen
                  </span>
                )}
                {isRemeasured(p) && <span className="plan-badge warn" title="The leg was measured again after this plan was saved">re-measured</span>}
              </div>
              <div className="plan-meta">{planSummary(p.plan)}</div>
              <div className="plan-meta">
                {p.plan.date ?? 'no date'} · {p.plan.surgeon || 'no surgeon'}
                {here ? '' : ` · film of ${formatDicomDate(p.studyDate)}`}
              </div>
            </button>
            <a className="plan-report-link" href={`#/image/${p.imageId}/plan/${p.side}/${p.planId}/report`} data-plan-report={p.planId} title="The printable plan for the operating room">
              Theatre report
            </a>
          </div>
        );
      })}
      {plans.length === 0 && draftName === null && <div className="cal-note">No plans for this leg yet.</div>}
      <div className="cal-actions">
        {currentId === null ? (
          <button className="btn primary" onClick={onSaveDraft} data-testid="plan-save">
            Save plan
          </button>
        ) : (
          <button className={`btn${currentChosen ? ' active' : ''}`} onClick={() => onChoose(!currentChosen)} aria-pressed={currentChosen} data-testid="plan-choose">
            {currentChosen ? '★ Chosen' : 'Mark as chosen'}
          </button>
        )}
        <button className="btn" onClick={onNew} data-testid="plan-new" title="A new plan with the defaults">
          New
        </button>
        <button className="btn" onClick={onDuplicate} data-testid="plan-duplicate" title="An alternative: a copy of this plan to change">
          Duplicate
        </button>
        {currentId !== null &&
          (confirmArchive ? (
            <>
              <button
                className="btn danger"
                onClick={() => {
                  setConfirmArchive(false);
                  onArchive();
                }}
                data-testid="plan-archive-confirm"
              >
                Archive it
              </button>
              <button className="btn ghost" onClick={() => setConfirmArchive(false)}>
                Keep
              </button>
            </>
          ) : (
            <button className="btn ghost" onClick={() => setConfirmArchive(true)} data-testid="plan-archive" title="Remove from the list (kept in the database)">
              Archive
            </button>
          ))}
      </div>
    </div>
  );
}
