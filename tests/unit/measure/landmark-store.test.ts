// The measuring screen's landmark reducer: pixel coordinates stored unrounded, a drag is one undo
// step, undo/redo restore exact sets, removal and calibration markers behave.
import { describe, expect, it } from 'vitest';
import { DEFAULT_VARIANTS } from '../../../shared/landmarks/ids';
import { emptySet, handlePosition, initialState, landmarkReducer, MAX_CONTOUR_POINTS, type StoreAction, type StoreState } from '../../../renderer/src/screens/measure/landmark-store';

const base = () => initialState(emptySet('1.2.3', 0, 'R', false, DEFAULT_VARIANTS));
const run = (s: StoreState, ...actions: StoreAction[]) => actions.reduce(landmarkReducer, s);

describe('landmark store', () => {
  it('stores clicked pixel coordinates unrounded with placedBy user', () => {
    const s = run(base(), { type: 'place', id: 'kneeCentre', point: { x: 820.123456789, y: 3640.987654321 } });
    expect(s.present.landmarks.kneeCentre).toEqual({ x: 820.123456789, y: 3640.987654321, placedBy: 'user' });
    expect(s.edits).toBe(1);
    expect(s.past).toHaveLength(1);
  });

  it('merges every move of one drag into one undo step, and undo restores the pre-drag point exactly', () => {
    let s = run(base(), { type: 'place', id: 'ankleCentre', point: { x: 10.5, y: 20.25 } });
    for (let i = 1; i <= 50; i++) s = landmarkReducer(s, { type: 'move', target: { kind: 'landmark', id: 'ankleCentre' }, point: { x: 10.5 + i, y: 20.25 + i / 3 }, dragId: 'd1' });
    expect(s.past).toHaveLength(2);
    expect(s.present.landmarks.ankleCentre).toMatchObject({ x: 60.5, y: 20.25 + 50 / 3 });
    s = landmarkReducer(s, { type: 'undo' });
    expect(s.present.landmarks.ankleCentre).toMatchObject({ x: 10.5, y: 20.25 });
    s = landmarkReducer(s, { type: 'redo' });
    expect(s.present.landmarks.ankleCentre).toMatchObject({ x: 60.5 });
    // A second drag is its own step.
    s = landmarkReducer(s, { type: 'move', target: { kind: 'landmark', id: 'ankleCentre' }, point: { x: 1, y: 2 }, dragId: 'd2' });
    expect(s.past).toHaveLength(3);
  });

  it('a new change clears the redo list; undo past the start is a no-op', () => {
    let s = run(base(), { type: 'addContour', point: { x: 1, y: 1 } }, { type: 'addContour', point: { x: 2, y: 3 } }, { type: 'undo' });
    expect(s.future).toHaveLength(1);
    s = landmarkReducer(s, { type: 'addContour', point: { x: 5, y: 5 } });
    expect(s.future).toHaveLength(0);
    expect(s.present.femoralHeadContour.map((p) => p.x)).toEqual([1, 5]);
    const start = run(base(), { type: 'undo' });
    expect(start).toEqual(base());
  });

  it('removes landmarks and contour points by reference and moves contour points by index', () => {
    let s = run(
      base(),
      { type: 'addContour', point: { x: 1, y: 1 } },
      { type: 'addContour', point: { x: 2, y: 2 } },
      { type: 'addContour', point: { x: 3, y: 3 } },
      { type: 'move', target: { kind: 'contour', index: 1 }, point: { x: 20, y: 21 }, dragId: 'a' },
      { type: 'remove', target: { kind: 'contour', index: 0 } },
    );
    expect(s.present.femoralHeadContour.map((p) => [p.x, p.y])).toEqual([
      [20, 21],
      [3, 3],
    ]);
    s = run(s, { type: 'place', id: 'plafondMedial', point: { x: 4, y: 4 } }, { type: 'remove', target: { kind: 'landmark', id: 'plafondMedial' } });
    expect(s.present.landmarks.plafondMedial).toBeUndefined();
    // Moving or removing something that does not exist changes nothing and adds no history.
    const before = s;
    expect(run(s, { type: 'remove', target: { kind: 'landmark', id: 'kneeCentre' } })).toBe(before);
    expect(run(s, { type: 'move', target: { kind: 'contour', index: 9 }, point: { x: 0, y: 0 }, dragId: 'x' })).toBe(before);
  });

  it('refuses non-finite points and caps the contour at the schema limit', () => {
    const s = run(base(), { type: 'place', id: 'kneeCentre', point: { x: Number.NaN, y: 1 } });
    expect(s.present.landmarks.kneeCentre).toBeUndefined();
    let c = base();
    for (let i = 0; i < MAX_CONTOUR_POINTS + 5; i++) c = landmarkReducer(c, { type: 'addContour', point: { x: i, y: i * i } });
    expect(c.present.femoralHeadContour).toHaveLength(MAX_CONTOUR_POINTS);
  });

  it('edits calibration marker points; removing a line end or going below 3 sphere points drops the marker', () => {
    let s = run(base(), { type: 'setUserCalibration', calibration: { kind: 'line', from: { x: 0, y: 0 }, to: { x: 100, y: 0 }, lengthMm: 25 } });
    s = landmarkReducer(s, { type: 'move', target: { kind: 'calibration', index: 1 }, point: { x: 200, y: 0 }, dragId: 'c' });
    expect(handlePosition(s.present, { kind: 'calibration', index: 1 })).toEqual({ x: 200, y: 0 });
    expect(run(s, { type: 'remove', target: { kind: 'calibration', index: 0 } }).present.userCalibration).toBeNull();
    let c = run(base(), {
      type: 'setUserCalibration',
      calibration: { kind: 'circle', points: [{ x: 0, y: 10 }, { x: 10, y: 0 }, { x: 0, y: -10 }, { x: -10, y: 0 }], diameterMm: 25 },
    });
    c = landmarkReducer(c, { type: 'remove', target: { kind: 'calibration', index: 0 } });
    expect(c.present.userCalibration).toMatchObject({ kind: 'circle', points: [{ x: 10, y: 0 }, { x: 0, y: -10 }, { x: -10, y: 0 }] });
    c = landmarkReducer(c, { type: 'remove', target: { kind: 'calibration', index: 0 } });
    expect(c.present.userCalibration).toBeNull();
  });

  it('load replaces the set and resets history without counting as an edit', () => {
    const s = run(base(), { type: 'place', id: 'kneeCentre', point: { x: 1, y: 2 } });
    const other = emptySet('1.2.3', 0, 'L', true, { ...DEFAULT_VARIANTS, kneeCentre: 'plateau-midpoint' });
    const loaded = landmarkReducer(s, { type: 'load', set: other });
    expect(loaded.present).toBe(other);
    expect(loaded.past).toHaveLength(0);
    expect(loaded.edits).toBe(0);
  });

  it('variants and mirroring are undoable edits; setting the same value is not an edit', () => {
    let s = run(base(), { type: 'setVariants', variants: { ankleCentre: 'malleoli-midpoint' } }, { type: 'setFlipped', imageFlipped: true });
    expect(s.present.variants).toEqual({ ...DEFAULT_VARIANTS, ankleCentre: 'malleoli-midpoint' });
    expect(s.edits).toBe(2);
    expect(run(s, { type: 'setFlipped', imageFlipped: true })).toBe(s);
    s = run(s, { type: 'undo' }, { type: 'undo' });
    expect(s.present.variants).toEqual(DEFAULT_VARIANTS);
    expect(s.present.imageFlipped).toBe(false);
  });
});
