// The plan screen's overlay (issue 5; clinical-spec §5) as the same primitives the measuring
// overlay uses, in canvas pixels: the measuring overlay's axis, joint lines and WBL point for the
// leg as drawn (pre-op, or the predicted set on the simulated correction), then per cut the wedge,
// osteotomy line, gap chord and the draggable hinge and cut entry, the new mechanical axis through
// the target, and labels placed off the handles and off the measuring labels. Pure, unit-tested.
import type { LegAlignment } from '../../../shared/measurements/leg-alignment';
import { fixed1 } from '../../../shared/measurements/format';
import type { PlanDisplayGeometry } from '../../../shared/planning/display-geometry';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import type { PlanTarget } from '../../../shared/schemas/plan';
import type { PlanHandleRef } from '../screens/plan/plan-model';
import { placeLabels } from './label-placement';
import { buildOverlay, HANDLE_RADIUS, type Handle, type OverlayScene, type Primitive, type Pt } from './leg-overlay';
import { OVERLAY_COLOURS as C, PLAN_COLOURS as P } from './palette';

export interface PlanOverlayInput {
  /** The leg as drawn: the pre-op set, or computePlan's transformedSet on the simulated correction. */
  set: LandmarkSet;
  alignment: LegAlignment | null;
  geometry: PlanDisplayGeometry | null;
  target: PlanTarget;
  /** true: the film is shown cut and corrected, so the wedge is the opened gap and the axis is the new one. */
  simulated: boolean;
  toCanvas(p: Pt): Pt;
  bounds: { width: number; height: number };
  selected: PlanHandleRef | null;
  labelFor(id: string): string;
}

/** Measuring primitives that stay on the plan: the axis, the joint lines and the WBL point. */
const KEPT_PRIMITIVES = new Set(['mechanical-axis', 'plateau-line', 'condylar-line', 'plafond-line', 'wbl-point', 'H', 'K', 'A']);
const HINGE_RADIUS = HANDLE_RADIUS + 2;

const sameRef = (a: PlanHandleRef | null, b: PlanHandleRef) => !!a && a.cut === b.cut && a.point === b.point;

function targetText(t: PlanTarget): string {
  return t.kind === 'wbl' ? `Target ${fixed1(t.percent)} %` : `Target HKA ${fixed1(180 + t.deg)}°`;
}

export function buildPlanOverlay(input: PlanOverlayInput): OverlayScene<PlanHandleRef> {
  const { toCanvas, geometry: g, simulated } = input;
  const base = buildOverlay({
    set: input.set,
    alignment: input.alignment,
    toCanvas,
    bounds: input.bounds,
    layers: new Set(['axes', 'joints', 'wbl'] as const),
    selected: null,
    pendingCalibration: [],
    labelFor: input.labelFor,
  });
  // On the simulation the leg's own axis is the new one: drawn below in the plan's colour.
  const primitives: Primitive[] = base.primitives.filter((p) => KEPT_PRIMITIVES.has(p.key) && !(simulated && p.key === 'mechanical-axis'));
  const baseLabels = base.labels.filter((l) => l.key === 'wbl');
  const handles: Handle<PlanHandleRef>[] = [];
  const labelReqs: { key: string; anchor: Pt; text: string; colour: string; measure: string | null; direction?: Pt }[] = [];
  if (!g) return { primitives, handles, labels: baseLabels };

  const seg = (key: string, a: Pt, b: Pt, colour: string, width: number, dash?: string) =>
    primitives.push({ kind: 'line', key, layer: 'plan', a: toCanvas(a), b: toCanvas(b), colour, width, dash });

  // The pre-op axis stays as a faint reference on the simulation; the new one goes through the target.
  if (simulated) seg('preop-axis', g.preOpAxis.from, g.preOpAxis.to, C.mechanicalAxis, 1, '3 6');
  seg('new-axis', g.newAxis.from, g.newAxis.to, P.newAxis, 2, simulated ? undefined : '12 5');
  primitives.push({ kind: 'marker', key: 'target', layer: 'plan', at: toCanvas(g.targetPoint), colour: P.target, shape: 'diamond' });
  labelReqs.push({ key: 'target', anchor: toCanvas(g.targetPoint), text: targetText(input.target), colour: P.target, measure: 'target', direction: { x: 0, y: -1 } });

  const double = g.cuts.length > 1;
  g.cuts.forEach((cut, i) => {
    const showWedge = cut.wedge === 'opening' || !simulated;
    if (showWedge) {
      primitives.push({ kind: 'polyline', key: `wedge-${i}`, layer: 'plan', points: cut.wedgePolygon.map(toCanvas), colour: P.wedge, width: 1.5, closed: true, fill: P.wedgeFill });
    }
    seg(`osteotomy-${i}`, cut.osteotomyLine.from, cut.osteotomyLine.to, P.osteotomy, 2);
    if (cut.secondCutLine && !simulated) seg(`second-cut-${i}`, cut.secondCutLine.from, cut.secondCutLine.to, P.osteotomy, 1.5, '6 4');
    if (simulated && cut.wedge === 'opening') seg(`moved-cut-${i}`, cut.hinge, cut.movedCutEntry, P.osteotomy, 1.5);
    if (showWedge) seg(`gap-${i}`, cut.gap.from, cut.gap.to, P.gap, 3);

    const bone = double ? (cut.bone === 'tibia' ? ' tibia' : ' femur') : '';
    labelReqs.push({ key: `wedge-${i}`, anchor: toCanvas(cut.wedgeLabelAnchor), text: `α${bone} ${fixed1(cut.wedgeAngleDeg)}°`, colour: P.wedge, measure: 'wedge' });
    if (showWedge) {
      const gapText = cut.gap.mm !== null ? `${cut.wedge === 'opening' ? 'gap' : 'base'} ${fixed1(cut.gap.mm)} mm` : 'gap: calibrate';
      labelReqs.push({ key: `gap-${i}`, anchor: toCanvas(cut.gap.labelAnchor), text: gapText, colour: P.gap, measure: 'gap' });
    }

    const hingeRef: PlanHandleRef = { cut: i, point: 'hinge' };
    const entryRef: PlanHandleRef = { cut: i, point: 'cutEntry' };
    handles.push({
      key: `hinge-${i}`,
      ref: hingeRef,
      at: toCanvas(cut.hinge),
      pixel: { x: cut.hinge.x, y: cut.hinge.y },
      colour: P.hinge,
      radius: HINGE_RADIUS,
      selected: sameRef(input.selected, hingeRef),
      title: `Hinge point${bone} (drag to move)`,
    });
    handles.push({
      key: `cut-entry-${i}`,
      ref: entryRef,
      at: toCanvas(cut.cutEntry),
      pixel: { x: cut.cutEntry.x, y: cut.cutEntry.y },
      colour: P.cutEntry,
      radius: HANDLE_RADIUS,
      selected: sameRef(input.selected, entryRef),
      title: `Cut entry point${bone} (drag to move)`,
    });
  });

  const obstacles = handles.map((h) => ({ x: h.at.x, y: h.at.y, r: h.radius + 4 }));
  const placed = placeLabels(labelReqs, obstacles, { x: 0, y: 0, width: input.bounds.width, height: input.bounds.height }, baseLabels.map((l) => l.rect));
  const labels = [...baseLabels, ...placed.map((p, i) => ({ ...p, layer: 'plan' as const, colour: labelReqs[i]!.colour, measure: labelReqs[i]!.measure }))];
  return { primitives, handles, labels };
}
