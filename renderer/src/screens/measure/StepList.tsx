// The guided step list with a small schematic of the leg that marks the landmark to click next
// (clinical-spec §2). The schematic follows the side and mirroring so it looks like the film.
import type { LandmarkCatalogueEntry } from '../../../../shared/landmarks/catalogue';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { stepDone, stepProgress } from './steps';

/** Schematic positions for a right leg on a standard AP view (lateral = viewer's left), 80×200 box. */
const SCHEMATIC: Record<string, [number, number]> = {
  femoralHeadContour: [50, 20],
  femoralHeadCentre: [50, 20],
  greaterTrochanterTip: [22, 22],
  femoralShaftProximal: [34, 50],
  femoralShaftDistal: [37, 84],
  femoralCondyleMedial: [50, 108],
  femoralCondyleLateral: [26, 108],
  kneeCentre: [38, 111],
  tibialPlateauMedial: [52, 115],
  tibialPlateauLateral: [24, 115],
  plafondMedial: [46, 181],
  plafondLateral: [34, 181],
  ankleCentre: [40, 183],
  malleolusMedial: [50, 189],
  malleolusLateral: [29, 192],
};

function Schematic({ active, set }: { active: string | null; set: LandmarkSet }) {
  // Lateral is the viewer's left for a right leg on a standard AP film; mirrored otherwise (clinical-spec §1).
  const mirror = (set.side === 'L') !== set.imageFlipped;
  const X = (x: number) => (mirror ? 80 - x : x);
  const bone = 'M' + [[42, 27], [34, 36], [34, 100], [26, 106], [50, 106], [42, 100], [42, 36]].map(([x, y]) => `${X(x!)},${y}`).join(' L');
  const tibia = 'M' + [[24, 116], [52, 116], [44, 126], [43, 178], [48, 184], [32, 184], [36, 178], [34, 126]].map(([x, y]) => `${X(x!)},${y}`).join(' L') + ' Z';
  return (
    <svg className="schematic" viewBox="0 0 80 200" width="64" height="160" aria-hidden="true">
      <circle cx={X(50)} cy={20} r={9} className="schematic-bone" />
      <path d={bone} className="schematic-bone" />
      <path d={`M${X(34)},36 L${X(22)},22`} className="schematic-bone" />
      <path d={tibia} className="schematic-bone" />
      {Object.entries(SCHEMATIC).map(([id, [x, y]]) => {
        if (id === 'femoralHeadCentre') return null;
        const isActive = id === active;
        const placed = id === 'femoralHeadContour' ? set.femoralHeadContour.length >= 3 : Boolean((set.landmarks as Record<string, unknown>)[id]);
        return <circle key={id} cx={X(x)} cy={y} r={isActive ? 5 : 2.2} className={isActive ? 'schematic-active' : placed ? 'schematic-placed' : 'schematic-open'} />;
      })}
    </svg>
  );
}

interface Props {
  steps: readonly LandmarkCatalogueEntry[];
  set: LandmarkSet;
  active: number | null;
  skipped: ReadonlySet<string>;
  onActivate(index: number): void;
}

export function StepList({ steps, set, active, skipped, onActivate }: Props) {
  const current = active !== null ? steps[active] : null;
  return (
    <div className="steps">
      <div className="step-now" data-testid="step-now" data-step={current?.id ?? ''}>
        <Schematic active={current?.id ?? null} set={set} />
        <div>
          {current ? (
            <>
              <div className="step-title">
                {current.label}
                {current.optional && <span className="optional"> optional</span>}
              </div>
              <div className="step-desc">{current.description}</div>
              {current.kind === 'contour' && (
                <div className="step-hint">
                  {set.femoralHeadContour.length < 3
                    ? `${set.femoralHeadContour.length} of at least 3 points.`
                    : `${set.femoralHeadContour.length} points: add more, or press N for the next landmark.`}
                </div>
              )}
            </>
          ) : (
            <div className="step-title">All landmarks placed</div>
          )}
          <div className="step-keys">
            <span className="kbd">N</span> next <span className="kbd">P</span> previous <span className="kbd">S</span> skip
          </div>
        </div>
      </div>
      <ol className="step-list">
        {steps.map((s, i) => {
          const done = stepDone(s, set);
          return (
            <li key={s.id}>
              <button
                className={`step${i === active ? ' active' : ''}${done ? ' done' : ''}${skipped.has(s.id) && !done ? ' skipped' : ''}`}
                onClick={() => onActivate(i)}
                data-step-id={s.id}
                aria-current={i === active ? 'step' : undefined}
              >
                <span className="step-mark">{done ? '✓' : i + 1}</span>
                <span className="step-name">
                  {s.label}
                  {s.optional && !done ? <span className="optional"> optional</span> : null}
                </span>
                <span className="step-progress">{skipped.has(s.id) && !done ? 'skipped' : stepProgress(s, set)}</span>
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
