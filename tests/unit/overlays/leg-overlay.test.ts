// The measuring overlay from the engine's result: primitives land where projection puts the
// landmarks, layers switch off, arcs sit at the right vertex, hit-testing finds the nearest
// handle, and labels never cover a handle.
import { describe, expect, it } from 'vitest';
import { decideCalibration } from '../../../shared/calibration/calibration';
import { landmarkLabel } from '../../../shared/landmarks/catalogue';
import { computeLegAlignment } from '../../../shared/measurements/leg-alignment';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { arcPoints, buildOverlay, hitTest, intersect, LAYERS, type LayerId } from '../../../renderer/src/overlays/leg-overlay';
import { placeLabels } from '../../../renderer/src/overlays/label-placement';
import { pixelToCanvas, type ViewState } from '../../../renderer/src/viewer/projection';
import golden from '../../fixtures/golden/landmark-set.v1.json';

const set = { ...(golden as unknown as LandmarkSet), userCalibration: null };
const calibration = decideCalibration({ modality: 'DX', pixelSpacing: null, imagerPixelSpacing: [0.15, 0.15], estimatedRadiographicMagnificationFactor: 1.1, pixelSpacingCalibrationType: null });
const alignment = computeLegAlignment(set, calibration);
const view: ViewState = { canvasWidth: 1000, canvasHeight: 800, columns: 2000, rows: 7000, scale: 0.11, translation: { x: 30, y: -20 }, rotation: 0, hflip: false, vflip: false };
const toCanvas = (p: { x: number; y: number }) => pixelToCanvas(view, p);
const all = new Set<LayerId>(LAYERS.map((l) => l.id));
const build = (layers: Set<LayerId> = all, v: ViewState = view) =>
  buildOverlay({ set, alignment, toCanvas: (p) => pixelToCanvas(v, p), bounds: { width: v.canvasWidth, height: v.canvasHeight }, layers, selected: { kind: 'landmark', id: 'kneeCentre' }, pendingCalibration: [], labelFor: landmarkLabel });

describe('leg overlay', () => {
  it('draws the mechanical axis from H to A through the projection, and one handle per stored point', () => {
    const scene = build();
    const axis = scene.primitives.find((p) => p.key === 'mechanical-axis');
    expect(axis?.kind).toBe('line');
    if (axis?.kind !== 'line') throw new Error('no axis');
    const H = toCanvas(alignment.keyPoints.femoralHeadCentre.pixel!);
    const A = toCanvas(alignment.keyPoints.ankleCentre.pixel!);
    expect(axis.a.x).toBeCloseTo(H.x, 9);
    expect(axis.b.y).toBeCloseTo(A.y, 9);
    expect(scene.handles).toHaveLength(Object.keys(set.landmarks).length + set.femoralHeadContour.length);
    const knee = scene.handles.find((h) => h.key === 'lm-kneeCentre')!;
    expect(knee.selected).toBe(true);
    expect(knee.at).toEqual(toCanvas(set.landmarks.kneeCentre!));
    expect(knee.pixel).toEqual({ x: set.landmarks.kneeCentre!.x, y: set.landmarks.kneeCentre!.y });
  });

  it('labels carry the engine values, and the WBL point lies on the plateau line', () => {
    const scene = build();
    const text = Object.fromEntries(scene.labels.map((l) => [l.key, l.text]));
    expect(text.hka).toBe(`HKA ${(180 + alignment.measurements.hka.value!).toFixed(1)}°`);
    expect(text.mpta).toBe(`MPTA ${alignment.measurements.mpta.value!.toFixed(1)}°`);
    expect(text.wbl).toBe(`WBL ${alignment.measurements.wbl.value!.toFixed(1)} %`);
    const wbl = scene.primitives.find((p) => p.key === 'wbl-point');
    if (wbl?.kind !== 'marker') throw new Error('no WBL point');
    const m = toCanvas(set.landmarks.tibialPlateauMedial!);
    const l = toCanvas(set.landmarks.tibialPlateauLateral!);
    const cross = (l.x - m.x) * (wbl.at.y - m.y) - (l.y - m.y) * (wbl.at.x - m.x);
    expect(Math.abs(cross) / Math.hypot(l.x - m.x, l.y - m.y)).toBeLessThan(1e-6);
  });

  it('hidden layers draw nothing of theirs', () => {
    const scene = build(new Set<LayerId>(['landmarks']));
    expect(scene.primitives.filter((p) => p.layer !== 'axes')).toEqual([]);
    expect(scene.labels).toEqual([]);
    expect(scene.handles.length).toBeGreaterThan(0);
    expect(build(new Set<LayerId>(['axes'])).handles).toEqual([]);
  });

  it('no label covers a handle at fit and at 400 %', () => {
    for (const scale of [0.11, 4]) {
      const v = { ...view, scale, translation: { x: 1000 - set.landmarks.kneeCentre!.x, y: 3500 - set.landmarks.kneeCentre!.y } };
      const scene = build(all, v);
      for (const label of scene.labels.filter((l) => l.clear)) {
        for (const h of scene.handles) {
          const nx = Math.max(label.rect.x, Math.min(h.at.x, label.rect.x + label.rect.width));
          const ny = Math.max(label.rect.y, Math.min(h.at.y, label.rect.y + label.rect.height));
          expect(Math.hypot(nx - h.at.x, ny - h.at.y), `${label.key} over ${h.key} at scale ${scale}`).toBeGreaterThanOrEqual(h.radius);
        }
      }
      // At 400 % around the knee there is room for every label whose anchor is in view.
      const inView = (p: { x: number; y: number }) => p.x >= 0 && p.y >= 0 && p.x <= v.canvasWidth && p.y <= v.canvasHeight;
      if (scale === 4) {
        expect(scene.labels.filter((l) => inView(l.anchor)).length).toBeGreaterThanOrEqual(4);
        expect(scene.labels.filter((l) => !l.clear && inView(l.anchor)).map((l) => l.key)).toEqual([]);
      }
    }
  });

  it('hit-testing returns the nearest handle within its radius and margin', () => {
    const scene = build();
    const knee = scene.handles.find((h) => h.key === 'lm-kneeCentre')!;
    expect(hitTest(scene.handles, { x: knee.at.x + 3, y: knee.at.y })?.key).toBe('lm-kneeCentre');
    expect(hitTest(scene.handles, { x: 5000, y: 5000 })).toBeNull();
  });
});

describe('overlay geometry helpers', () => {
  it('intersects lines and draws arcs the short way round at the given radius', () => {
    expect(intersect({ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }, { x: 10, y: 0 })).toEqual({ x: 5, y: 5 });
    expect(intersect({ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }, { x: 1, y: 1 })).toBeNull();
    const arc = arcPoints({ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: -1 }, 10, 4);
    expect(arc[0]!.x).toBeCloseTo(10);
    expect(arc.at(-1)!.y).toBeCloseTo(-10);
    for (const p of arc) expect(Math.hypot(p.x, p.y)).toBeCloseTo(10);
    // Short way: every point stays in the quadrant x ≥ 0, y ≤ 0.
    expect(arc.every((p) => p.x >= -1e-9 && p.y <= 1e-9)).toBe(true);
  });

  it('places labels away from obstacles and each other, inside the bounds', () => {
    const placed = placeLabels(
      [
        { key: 'a', anchor: { x: 100, y: 100 }, text: 'MPTA 84.0°' },
        { key: 'b', anchor: { x: 102, y: 101 }, text: 'mLDFA 88.0°' },
      ],
      [{ x: 100, y: 100, r: 9 }],
      { x: 0, y: 0, width: 400, height: 300 },
    );
    expect(placed.every((p) => p.clear)).toBe(true);
    const [a, b] = placed.map((p) => p.rect);
    const overlapW = Math.min(a!.x + a!.width, b!.x + b!.width) - Math.max(a!.x, b!.x);
    const overlapH = Math.min(a!.y + a!.height, b!.y + b!.height) - Math.max(a!.y, b!.y);
    expect(overlapW <= 0 || overlapH <= 0).toBe(true);
    const corner = placeLabels([{ key: 'c', anchor: { x: 2, y: 2 }, text: 'HKA 174.0°' }], [], { x: 0, y: 0, width: 400, height: 300 })[0]!;
    expect(corner.rect.x).toBeGreaterThanOrEqual(0);
    expect(corner.rect.y).toBeGreaterThanOrEqual(0);
  });
});
