// Undo/redo for any document a screen edits (landmark sets on the measuring screen, plans on the
// plan screen): the present value, what came before and what an undo put aside. A drag is ONE
// step however many moves it takes: moves that carry the same coalesce key replace the present
// without adding to the past. `edits` counts every change of the present made by the user (not a
// reset), so a screen autosaves on it; an undo or redo is such a change and is saved too.

export interface UndoHistory<T> {
  present: T;
  past: T[];
  future: T[];
  /** The gesture (a drag) whose changes are merged into the current undo step. */
  coalesceKey: string | null;
  edits: number;
}

/** How many steps back a screen keeps. */
export const MAX_UNDO_STEPS = 200;

export function startHistory<T>(present: T): UndoHistory<T> {
  return { present, past: [], future: [], coalesceKey: null, edits: 0 };
}

/**
 * A user's change to `next`. The same object as the present is no change (no step, no save);
 * a change with the coalesce key of the previous one is merged into that step.
 */
export function record<T>(h: UndoHistory<T>, next: T, coalesceKey: string | null = null, limit = MAX_UNDO_STEPS): UndoHistory<T> {
  if (next === h.present) return h;
  const merge = coalesceKey !== null && coalesceKey === h.coalesceKey;
  const past = merge ? h.past : [...h.past, h.present].slice(-limit);
  return { present: next, past, future: [], coalesceKey, edits: h.edits + 1 };
}

export function undo<T>(h: UndoHistory<T>): UndoHistory<T> {
  if (h.past.length === 0) return h;
  return { present: h.past[h.past.length - 1] as T, past: h.past.slice(0, -1), future: [h.present, ...h.future], coalesceKey: null, edits: h.edits + 1 };
}

export function redo<T>(h: UndoHistory<T>): UndoHistory<T> {
  if (h.future.length === 0) return h;
  return { present: h.future[0] as T, past: [...h.past, h.present], future: h.future.slice(1), coalesceKey: null, edits: h.edits + 1 };
}

export const canUndo = (h: UndoHistory<unknown>) => h.past.length > 0;
export const canRedo = (h: UndoHistory<unknown>) => h.future.length > 0;

/** Ctrl+Z undoes; Ctrl+Shift+Z and Ctrl+Y redo (Cmd on a Mac); anything else is not ours. */
export function undoRedoKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (k === 'y') return 'redo';
  return null;
}
