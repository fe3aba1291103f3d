// The measuring screen's landmark state (architecture.md §4): the persisted truth is the
// LandmarkSet in image pixel coordinates; this pure reducer edits it with undo/redo. Hover and
// drag state never enter it. A drag is one undo step however many moves it takes.
import type { LandmarkId, LandmarkVariants } from '../../../../shared/landmarks/ids';
import type { UserCalibration } from '../../../../shared/schemas/calibration';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';
import { record, redo, startHistory, undo, type UndoHistory } from '../../undo-history';

export interface PixelPoint {
  x: number;
  y: number;
}

/** What a handle on screen stands for. */
export type HandleRef =
  | { kind: 'landmark'; id: LandmarkId }
  | { kind: 'contour'; index: number }
  | { kind: 'calibration'; index: number };

export type StoreAction =
  | { type: 'load'; set: LandmarkSet }
  | { type: 'place'; id: LandmarkId; point: PixelPoint }
  | { type: 'addContour'; point: PixelPoint }
  | { type: 'move'; target: HandleRef; point: PixelPoint; dragId: string }
  | { type: 'remove'; target: HandleRef }
  | { type: 'setVariants'; variants: Partial<LandmarkVariants> }
  | { type: 'setFlipped'; imageFlipped: boolean }
  | { type: 'setUserCalibration'; calibration: UserCalibration | null }
  | { type: 'undo' }
  | { type: 'redo' };

/** `edits` is the autosave trigger; a drag's moves share one undo step (renderer/src/undo-history.ts). */
export type StoreState = UndoHistory<LandmarkSet>;

/** The contour schema holds at most 64 points (shared/schemas/landmark-set.ts). */
export const MAX_CONTOUR_POINTS = 64;

export const initialState = (set: LandmarkSet): StoreState => startHistory(set);

const user = (p: PixelPoint) => ({ x: p.x, y: p.y, placedBy: 'user' as const });

/** Image pixel position of a handle in a set, or null when it does not exist. */
export function handlePosition(set: LandmarkSet, ref: HandleRef): PixelPoint | null {
  if (ref.kind === 'landmark') return set.landmarks[ref.id] ?? null;
  if (ref.kind === 'contour') return set.femoralHeadContour[ref.index] ?? null;
  const cal = set.userCalibration;
  if (!cal) return null;
  if (cal.kind === 'line') return ref.index === 0 ? cal.from : ref.index === 1 ? cal.to : null;
  return cal.points[ref.index] ?? null;
}

function withHandle(set: LandmarkSet, ref: HandleRef, point: PixelPoint | null): LandmarkSet {
  if (ref.kind === 'landmark') {
    const landmarks = { ...set.landmarks };
    if (point) landmarks[ref.id] = user(point);
    else delete landmarks[ref.id];
    return { ...set, landmarks };
  }
  if (ref.kind === 'contour') {
    if (ref.index < 0 || ref.index >= set.femoralHeadContour.length) return set;
    const contour = point
      ? set.femoralHeadContour.map((p, i) => (i === ref.index ? user(point) : p))
      : set.femoralHeadContour.filter((_, i) => i !== ref.index);
    return { ...set, femoralHeadContour: contour };
  }
  const cal = set.userCalibration;
  if (!cal) return set;
  const xy = point ? { x: point.x, y: point.y } : null;
  if (cal.kind === 'line') {
    if (ref.index !== 0 && ref.index !== 1) return set;
    // A line without one of its ends is no calibration: removing an end removes the marker.
    if (!xy) return { ...set, userCalibration: null };
    return { ...set, userCalibration: ref.index === 0 ? { ...cal, from: xy } : { ...cal, to: xy } };
  }
  if (ref.index < 0 || ref.index >= cal.points.length) return set;
  if (!xy) {
    const points = cal.points.filter((_, i) => i !== ref.index);
    return { ...set, userCalibration: points.length >= 3 ? { ...cal, points } : null };
  }
  return { ...set, userCalibration: { ...cal, points: cal.points.map((p, i) => (i === ref.index ? xy : p)) } };
}

const finite = (p: PixelPoint) => Number.isFinite(p.x) && Number.isFinite(p.y);

export function landmarkReducer(state: StoreState, action: StoreAction): StoreState {
  const set = state.present;
  switch (action.type) {
    case 'load':
      return initialState(action.set);
    case 'place':
      if (!finite(action.point)) return state;
      return record(state, withHandle(set, { kind: 'landmark', id: action.id }, action.point));
    case 'addContour':
      if (!finite(action.point) || set.femoralHeadContour.length >= MAX_CONTOUR_POINTS) return state;
      return record(state, { ...set, femoralHeadContour: [...set.femoralHeadContour, user(action.point)] });
    case 'move': {
      if (!finite(action.point) || !handlePosition(set, action.target)) return state;
      return record(state, withHandle(set, action.target, action.point), action.dragId);
    }
    case 'remove':
      if (!handlePosition(set, action.target)) return state;
      return record(state, withHandle(set, action.target, null));
    case 'setVariants': {
      const variants = { ...set.variants, ...action.variants };
      if (variants.kneeCentre === set.variants.kneeCentre && variants.ankleCentre === set.variants.ankleCentre && variants.plateau === set.variants.plateau) return state;
      return record(state, { ...set, variants });
    }
    case 'setFlipped':
      if (action.imageFlipped === set.imageFlipped) return state;
      return record(state, { ...set, imageFlipped: action.imageFlipped });
    case 'setUserCalibration':
      return record(state, { ...set, userCalibration: action.calibration });
    case 'undo':
      return undo(state);
    case 'redo':
      return redo(state);
  }
}

/** A fresh, empty set for one leg of one frame (clinical-spec §1–2 defaults). */
export function emptySet(sopInstanceUid: string, frame: number, side: 'L' | 'R', imageFlipped: boolean, variants: LandmarkVariants): LandmarkSet {
  return {
    schemaVersion: 1,
    sopInstanceUid,
    frame,
    side,
    imageFlipped,
    variants: { ...variants },
    landmarks: {},
    femoralHeadContour: [],
    userCalibration: null,
  };
}

/** Number of placed points (named landmarks and contour points), for the status line. */
export function placedCount(set: LandmarkSet): number {
  return Object.keys(set.landmarks).length + set.femoralHeadContour.length;
}
