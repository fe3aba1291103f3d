// The compare view's shared view (clinical-spec §6: same physical scale, aligned on a landmark):
// films of different pixel spacing, non-square pixels, rotation and canvas sizes brought to one
// state show a length in mm at the same canvas pixels, with the anchor at the same place.
import { describe, expect, it } from 'vitest';
import { sameShared, sharedFromView, standInSpacing, viewForShared, type FilmScale } from '../../../renderer/src/screens/follow-up/compare-sync';
import * as projection from '../../../renderer/src/viewer/projection';
import type { ViewState } from '../../../renderer/src/viewer/projection';

const view = (o: Partial<ViewState> = {}): ViewState => ({
  canvasWidth: 700,
  canvasHeight: 860,
  columns: 3000,
  rows: 7000,
  rowPixelSpacing: null,
  columnPixelSpacing: null,
  scale: 0.11,
  translation: { x: 13, y: -40 },
  rotation: 0,
  hflip: false,
  vflip: false,
  ...o,
});

/** Canvas length of a horizontal and a vertical segment of `mm` millimetres starting at the anchor. */
function canvasLengths(v: ViewState, f: FilmScale, mm: number) {
  const a = projection.pixelToCanvas(v, f.anchorPx);
  const h = projection.pixelToCanvas(v, { x: f.anchorPx.x + mm / f.columnSpacingMm, y: f.anchorPx.y });
  const w = projection.pixelToCanvas(v, { x: f.anchorPx.x, y: f.anchorPx.y + mm / f.rowSpacingMm });
  return { along: Math.hypot(h.x - a.x, h.y - a.y), down: Math.hypot(w.x - a.x, w.y - a.y), anchor: { x: a.x - v.canvasWidth / 2, y: a.y - v.canvasHeight / 2 } };
}

describe('compare view at one physical scale', () => {
  const leader: FilmScale = { rowSpacingMm: 0.139, columnSpacingMm: 0.139, anchorPx: { x: 1500.25, y: 3600.5 } };
  const leaderView = view();
  const shared = sharedFromView(leaderView, leader);

  const followers: [string, FilmScale, ViewState][] = [
    ['coarser pixels, other matrix and canvas', { rowSpacingMm: 0.2, columnSpacingMm: 0.2, anchorPx: { x: 900, y: 2400 } }, view({ columns: 2000, rows: 4800, canvasWidth: 512, scale: 0.3 })],
    ['non-square pixels shown aspect-corrected', { rowSpacingMm: 0.1, columnSpacingMm: 0.15, anchorPx: { x: 1000, y: 5000 } }, view({ rowPixelSpacing: 0.1, columnPixelSpacing: 0.15, scale: 2 })],
    ['a rotated, flipped view', { rowSpacingMm: 0.143, columnSpacingMm: 0.143, anchorPx: { x: 1700, y: 3000 } }, view({ rotation: 90, hflip: true })],
  ];

  for (const [name, film, start] of followers) {
    it(`${name}: 100 mm spans the same canvas pixels as on the leader, anchors coincide`, () => {
      const v = { ...start, ...viewForShared(start, film, shared) };
      const mine = canvasLengths(v, film, 100);
      const theirs = canvasLengths(leaderView, leader, 100);
      expect(mine.along).toBeCloseTo(theirs.along, 9);
      expect(mine.down).toBeCloseTo(theirs.down, 9);
      expect(mine.anchor.x).toBeCloseTo(theirs.anchor.x, 6);
      expect(mine.anchor.y).toBeCloseTo(theirs.anchor.y, 6);
      // Brought there, the film reports the same shared state back: no feedback loop.
      expect(sameShared(sharedFromView(v, film), shared)).toBe(true);
    });
  }

  it('zoom and pan of the leader carry over: the follower scales by the same factor and its anchor moves by the same canvas pixels', () => {
    const [, film, start] = followers[0]!;
    const synced = { ...start, ...viewForShared(start, film, shared) };
    const zoomed = { ...leaderView, ...projection.zoomAt(leaderView, { x: 200, y: 300 }, leaderView.scale * 2.5) };
    const panned = { ...zoomed, translation: projection.pan(zoomed, { x: 37, y: -12 }) };
    const after = sharedFromView(panned, leader);
    expect(sameShared(after, shared)).toBe(false);
    const follower = { ...synced, ...viewForShared(synced, film, after) };
    expect(follower.scale / synced.scale).toBeCloseTo(2.5, 9);
    expect(canvasLengths(follower, film, 50).along).toBeCloseTo(canvasLengths(panned, leader, 50).along, 9);
    expect(canvasLengths(follower, film, 0).anchor.x).toBeCloseTo(canvasLengths(panned, leader, 0).anchor.x, 6);
  });

  it('an uncalibrated film is drawn with the median spacing of the calibrated ones (1 mm/px when none is)', () => {
    expect(standInSpacing([])).toEqual({ rowSpacingMm: 1, columnSpacingMm: 1 });
    expect(standInSpacing([{ rowSpacingMm: 0.1, columnSpacingMm: 0.2 }, { rowSpacingMm: 0.3, columnSpacingMm: 0.4 }, { rowSpacingMm: 0.2, columnSpacingMm: 0.1 }])).toEqual({
      rowSpacingMm: 0.2,
      columnSpacingMm: 0.2,
    });
  });
});
