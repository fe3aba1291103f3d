// The report's fixed film views: the region a view shows lands whole and centred on the canvas
// (square and non-square pixels), the full leg and the knee regions hold what they must show, and
// the two overlays carry the axes, the cut and readable labels that cover no handle.
import { describe, expect, it } from 'vitest';
import { decideCalibration } from '../../../shared/calibration/calibration';
import { planDisplayGeometry } from '../../../shared/planning/display-geometry';
import { computePlan } from '../../../shared/planning/osteotomy';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { newPlan } from '../../../renderer/src/screens/plan/plan-model';
import { kneeFigureScene, kneeRegion, legFigureScene, legRegion, regionAround, viewForRegion } from '../../../renderer/src/screens/report/report-figures';
import { pixelToCanvas, type ViewState } from '../../../renderer/src/viewer/projection';
import golden from '../../fixtures/golden/landmark-set.v1.json';

const set = { ...(golden as unknown as LandmarkSet), userCalibration: null };
const calibration = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1, pixelSpacingCalibrationType: null });
const result = computePlan(set, calibration, newPlan({ name: 'Plan A', surgeon: null }));
const geometry = planDisplayGeometry(set, calibration, result, { columns: 1800, rows: 6600 });

const baseView = (canvasWidth: number, canvasHeight: number, rowPixelSpacing: number | null = null, columnPixelSpacing: number | null = null): ViewState => ({
  canvasWidth,
  canvasHeight,
  columns: 1800,
  rows: 6600,
  rowPixelSpacing,
  columnPixelSpacing,
  scale: 0.3,
  translation: { x: 12, y: -40 },
  rotation: 0,
  hflip: false,
  vflip: false,
});

describe('fixed views', () => {
  it('regionAround pads the bounding box', () => {
    expect(regionAround([{ x: 10, y: 20 }, { x: 30, y: 5 }], 2, 3)).toEqual({ x: 8, y: 2, width: 24, height: 21 });
  });

  for (const [name, view] of [
    ['square pixels', baseView(189, 514)],
    ['non-square pixels', baseView(495, 234, 0.2, 0.1)],
  ] as const) {
    it(`shows the region whole and centred (${name})`, () => {
      const region = { x: 400, y: 3000, width: 900, height: 700 };
      const fitted = { ...view, ...viewForRegion(view, region) };
      const a = pixelToCanvas(fitted, { x: region.x, y: region.y });
      const b = pixelToCanvas(fitted, { x: region.x + region.width, y: region.y + region.height });
      expect((a.x + b.x) / 2).toBeCloseTo(view.canvasWidth / 2, 9);
      expect((a.y + b.y) / 2).toBeCloseTo(view.canvasHeight / 2, 9);
      for (const p of [a, b]) {
        expect(p.x).toBeGreaterThanOrEqual(-1e-9);
        expect(p.y).toBeGreaterThanOrEqual(-1e-9);
        expect(p.x).toBeLessThanOrEqual(view.canvasWidth + 1e-9);
        expect(p.y).toBeLessThanOrEqual(view.canvasHeight + 1e-9);
      }
      // Tight in one direction: the region fills the canvas's width or its height.
      expect(Math.max((b.x - a.x) / view.canvasWidth, (b.y - a.y) / view.canvasHeight)).toBeCloseTo(1, 9);
    });
  }

  it('the leg region holds hip, ankle and the moved ankle; the knee region the joint and every cut', () => {
    const inside = (r: { x: number; y: number; width: number; height: number }, p: { x: number; y: number }) => p.x > r.x && p.x < r.x + r.width && p.y > r.y && p.y < r.y + r.height;
    const leg = legRegion(result, geometry);
    for (const p of [result.preOp.keyPoints.femoralHeadCentre, result.preOp.keyPoints.ankleCentre]) expect(p.available && inside(leg, p.pixel)).toBe(true);
    expect(inside(leg, geometry.newAxis.to)).toBe(true);
    const knee = kneeRegion(set, result, geometry);
    for (const p of [set.landmarks.tibialPlateauMedial!, set.landmarks.tibialPlateauLateral!, geometry.cuts[0]!.hinge, geometry.cuts[0]!.cutEntry, geometry.cuts[0]!.movedCutEntry]) {
      expect(inside(knee, p)).toBe(true);
    }
    // A close-up: far less than the leg, and not including the ankle.
    expect(knee.height).toBeLessThan(leg.height / 3);
    expect(inside(knee, (result.preOp.keyPoints.ankleCentre as { pixel: { x: number; y: number } }).pixel)).toBe(false);
  });
});

describe('figure overlays', () => {
  const fitted = (w: number, h: number, region: { x: number; y: number; width: number; height: number }) => {
    const v = baseView(w, h);
    return { ...v, ...viewForRegion(v, region) };
  };

  it('full leg: the pre-op and the planned axis, named, with the cut and no measuring labels', () => {
    const view = fitted(189, 461, legRegion(result, geometry));
    const scene = legFigureScene({ set, result, geometry, view });
    const keys = scene.primitives.map((p) => p.key);
    for (const k of ['mechanical-axis', 'new-axis', 'target', 'osteotomy-0']) expect(keys, k).toContain(k);
    expect(keys).not.toContain('wbl-point');
    expect(scene.labels.map((l) => [l.key, l.text])).toEqual([
      ['preop-axis', 'pre-op axis'],
      ['planned-axis', 'planned axis'],
    ]);
    expect(scene.handles.map((h) => h.key)).toEqual(['hinge-0']);
    for (const l of scene.labels) {
      expect(l.rect.x).toBeGreaterThanOrEqual(0);
      expect(l.rect.x + l.rect.width).toBeLessThanOrEqual(view.canvasWidth);
    }
  });

  it('knee: the plan screen’s overlay with α and the gap, and the hinge and cut entry named clear of every handle and of the cut', () => {
    const view = fitted(495, 234, kneeRegion(set, result, geometry));
    const scene = kneeFigureScene({ set, result, geometry, view });
    const keys = scene.primitives.map((p) => p.key);
    for (const k of ['osteotomy-0', 'wedge-0', 'gap-0', 'new-axis', 'plateau-line']) expect(keys, k).toContain(k);
    const text = Object.fromEntries(scene.labels.map((l) => [l.key, l.text]));
    expect(text['wedge-0']).toBe(`α ${result.wedgeAngleDeg.toFixed(1)}°`);
    expect(text['gap-0']).toBe(`gap ${result.cuts[0]!.gapChordMm!.toFixed(1)} mm`);
    expect(text['name-hinge-0']).toBe('hinge');
    expect(text['name-cut-entry-0']).toBe('cut entry');
    for (const l of scene.labels.filter((x) => x.key.startsWith('name-'))) {
      expect(l.clear, l.key).toBe(true);
      for (const h of scene.handles) {
        const nx = Math.max(l.rect.x, Math.min(h.at.x, l.rect.x + l.rect.width));
        const ny = Math.max(l.rect.y, Math.min(h.at.y, l.rect.y + l.rect.height));
        expect(Math.hypot(nx - h.at.x, ny - h.at.y), `${l.key} over ${h.key}`).toBeGreaterThanOrEqual(h.radius);
      }
    }
  });
});
