// The report's two fixed views of the film (pure, unit-tested): which part of the image each shows
// and what is drawn over it. The full leg shows the pre-op and the planned mechanical axes through
// the target; the knee close-up is the plan screen's overlay (buildPlanOverlay: osteotomy line,
// wedge, gap chord, hinge, cut entry, α and gap labels) with the hinge and cut entry named, since
// paper has no hover. Everything is in image pixels until projection.ts maps it, as on screen.
import type { PlanDisplayGeometry } from '../../../../shared/planning/display-geometry';
import type { PlanResult } from '../../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { landmarkLabel } from '../../../../shared/landmarks/catalogue';
import { placeLabels, type Rect } from '../../overlays/label-placement';
import type { OverlayScene, Pt } from '../../overlays/leg-overlay';
import { OVERLAY_COLOURS as C, PLAN_COLOURS as P } from '../../overlays/palette';
import { buildPlanOverlay } from '../../overlays/plan-overlay';
import type { PlanHandleRef } from '../plan/plan-model';
import * as projection from '../../viewer/projection';
import type { ViewState } from '../../viewer/projection';

/** The smallest rectangle holding every point, grown by `padX` / `padY` pixels on each side. */
export function regionAround(points: readonly Pt[], padX: number, padY: number): Rect {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const x0 = Math.min(...xs) - padX;
  const y0 = Math.min(...ys) - padY;
  return { x: x0, y: y0, width: Math.max(...xs) + padX - x0, height: Math.max(...ys) + padY - y0 };
}

/**
 * The cornerstone scale and translation that show `region` (image pixels) whole and centred on
 * the canvas, through the one projection (non-square pixels stretched as on screen).
 */
export function viewForRegion(view: ViewState, region: Rect): { scale: number; translation: Pt } {
  const aspect = projection.aspectScale(view);
  const scale = Math.min(view.canvasWidth / (region.width * aspect.x), view.canvasHeight / (region.height * aspect.y));
  const straight: ViewState = { ...view, scale, rotation: 0, hflip: false, vflip: false };
  const centre = { x: region.x + region.width / 2, y: region.y + region.height / 2 };
  return { scale, translation: projection.translationPlacing(straight, centre, { x: view.canvasWidth / 2, y: view.canvasHeight / 2 }) };
}

const keyPoint = (a: PlanResult['preOp'], id: 'femoralHeadCentre' | 'kneeCentre' | 'ankleCentre'): Pt[] => {
  const k = a.keyPoints[id];
  return k.available ? [k.pixel] : [];
};

/** Hip to ankle of this leg, pre-op and planned, with room beside the axes for their labels. */
export function legRegion(result: PlanResult, geometry: PlanDisplayGeometry): Rect {
  const points = [
    ...keyPoint(result.preOp, 'femoralHeadCentre'),
    ...keyPoint(result.preOp, 'ankleCentre'),
    geometry.newAxis.from,
    geometry.newAxis.to,
    ...geometry.cuts.flatMap((c) => [c.hinge, c.cutEntry]),
  ];
  const r = regionAround(points, 0, 0);
  return regionAround(points, Math.max(r.width * 0.6, r.height * 0.06), r.height * 0.04);
}

/** The knee joint and every cut with its wedge, framed by about a third of the joint's width. */
export function kneeRegion(set: LandmarkSet, result: PlanResult, geometry: PlanDisplayGeometry): Rect {
  const L = set.landmarks;
  const joint = [L.tibialPlateauMedial, L.tibialPlateauLateral, L.femoralCondyleMedial, L.femoralCondyleLateral].filter((p): p is NonNullable<typeof p> => !!p);
  const points: Pt[] = [...joint, ...keyPoint(result.preOp, 'kneeCentre'), geometry.targetPoint, ...geometry.cuts.flatMap((c) => [c.hinge, c.cutEntry, c.movedCutEntry, c.wedgeLabelAnchor, c.gap.labelAnchor])];
  const r = regionAround(points, 0, 0);
  const pad = Math.max(r.width, r.height) * 0.22;
  return regionAround(points, pad, pad);
}

interface SceneInput {
  set: LandmarkSet;
  result: PlanResult;
  geometry: PlanDisplayGeometry;
  view: ViewState;
}

function planScene({ set, result, geometry, view }: SceneInput): { scene: OverlayScene<PlanHandleRef>; toCanvas(p: Pt): Pt; bounds: Rect } {
  const m = projection.pixelToCanvasTransform(view);
  const toCanvas = (p: Pt) => projection.applyAffine(m, p);
  const bounds = { x: 0, y: 0, width: view.canvasWidth, height: view.canvasHeight };
  const scene = buildPlanOverlay({
    set,
    alignment: result.preOp,
    geometry,
    target: result.target,
    simulated: false,
    toCanvas,
    bounds,
    selected: null,
    labelFor: landmarkLabel,
  });
  return { scene, toCanvas, bounds };
}

/** Plan primitives a 5 cm wide picture of the whole leg can carry: the two axes, the target and the cuts. */
const LEG_PRIMITIVES = /^(mechanical-axis|new-axis|target|plateau-line|osteotomy-\d+|wedge-\d+|H|K|A)$/;

/** Full leg: pre-op mechanical axis (yellow, dashed) and the planned one through the target (green), named at the ankle. */
export function legFigureScene(input: SceneInput): OverlayScene<PlanHandleRef> {
  const { scene, toCanvas, bounds } = planScene(input);
  const ankle = input.result.preOp.keyPoints.ankleCentre;
  const along = (from: Pt, to: Pt, t: number) => toCanvas({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t });
  const preFrom = input.result.preOp.keyPoints.femoralHeadCentre;
  const requests = [
    ...(preFrom.available && ankle.available ? [{ key: 'preop-axis', anchor: along(preFrom.pixel, ankle.pixel, 0.8), text: 'pre-op axis', colour: C.mechanicalAxis }] : []),
    { key: 'planned-axis', anchor: along(input.geometry.newAxis.from, input.geometry.newAxis.to, 0.7), text: 'planned axis', colour: P.newAxis },
  ];
  const handles = scene.handles.filter((h) => h.key.startsWith('hinge-')).map((h) => ({ ...h, radius: 4 }));
  const placed = placeLabels(requests, handles.map((h) => ({ x: h.at.x, y: h.at.y, r: h.radius + 3 })), bounds);
  return {
    primitives: scene.primitives.filter((p) => LEG_PRIMITIVES.test(p.key)),
    handles,
    labels: placed.map((p, i) => ({ ...p, layer: 'plan' as const, colour: requests[i]!.colour, measure: null })),
  };
}

/** Knee close-up: the plan screen's overlay, with the hinge and cut entry named on the film. */
export function kneeFigureScene(input: SceneInput): OverlayScene<PlanHandleRef> {
  const { scene, bounds } = planScene(input);
  const double = input.geometry.cuts.length > 1;
  const requests = scene.handles.map((h) => {
    const bone = double ? (h.ref.cut === 0 ? ' (tibia)' : ' (femur)') : '';
    return { key: `name-${h.key}`, anchor: h.at, text: `${h.ref.point === 'hinge' ? 'hinge' : 'cut entry'}${bone}`, colour: h.colour };
  });
  // Names stay off the handles and off the cut itself (sampled as small circles along its lines).
  const cutLines = scene.primitives.flatMap((p) => (p.kind === 'line' && /^(osteotomy|gap)-\d+$/.test(p.key) ? [[p.a, p.b] as const] : []));
  const obstacles = [
    ...scene.handles.map((h) => ({ x: h.at.x, y: h.at.y, r: h.radius + 4 })),
    ...cutLines.flatMap(([a, b]) => {
      const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 6));
      return Array.from({ length: steps + 1 }, (_, i) => ({ x: a.x + ((b.x - a.x) * i) / steps, y: a.y + ((b.y - a.y) * i) / steps, r: 3 }));
    }),
  ];
  const placed = placeLabels(requests, obstacles, bounds, scene.labels.map((l) => l.rect));
  return {
    ...scene,
    labels: [...scene.labels, ...placed.map((p, i) => ({ ...p, layer: 'plan' as const, colour: requests[i]!.colour, measure: null }))],
  };
}
