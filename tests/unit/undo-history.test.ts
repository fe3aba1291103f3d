// The generic undo history shared by the measuring and plan screens: steps, coalesced drags,
// the redo list, the step limit, the autosave counter and the keyboard shortcuts.
import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, record, redo, startHistory, undo, undoRedoKey, type UndoHistory } from '../../renderer/src/undo-history';

type Doc = { target: number; hinge: { x: number; y: number } | null };
const doc = (target: number, hinge: Doc['hinge'] = null): Doc => ({ target, hinge });

describe('undo history', () => {
  it('records steps, undoes and redoes them to the exact earlier objects, and counts every change for autosave', () => {
    const a = doc(62.5);
    const b = doc(55);
    const c = doc(50);
    let h = record(record(startHistory(a), b), c);
    expect(h.present).toBe(c);
    expect(h.past).toEqual([a, b]);
    expect(h.edits).toBe(2);
    h = undo(h);
    expect(h.present).toBe(b);
    expect(h.future).toEqual([c]);
    h = undo(h);
    expect(h.present).toBe(a);
    expect(canUndo(h)).toBe(false);
    expect(canRedo(h)).toBe(true);
    expect(h.edits).toBe(4);
    h = redo(h);
    expect(h.present).toBe(b);
    expect(h.edits).toBe(5);
  });

  it('undo at the start and redo at the end change nothing (same object, no autosave)', () => {
    const h = startHistory(doc(1));
    expect(undo(h)).toBe(h);
    expect(redo(h)).toBe(h);
    const once = record(h, doc(2));
    expect(redo(once)).toBe(once);
  });

  it('recording the present itself is no step', () => {
    const h = record(startHistory(doc(1)), doc(2));
    expect(record(h, h.present)).toBe(h);
    expect(record(h, h.present, 'drag-1')).toBe(h);
  });

  it('merges every move of one drag into ONE step; undo returns to before the drag; the next drag is its own step', () => {
    const start = doc(62.5);
    let h = startHistory(start);
    for (let i = 1; i <= 40; i++) h = record(h, doc(62.5, { x: 100 + i, y: 200 - i / 3 }), 'hinge-1');
    expect(h.past).toEqual([start]);
    expect(h.present.hinge).toEqual({ x: 140, y: 200 - 40 / 3 });
    expect(h.edits).toBe(40);
    const afterFirst = h.present;
    h = record(h, doc(62.5, { x: 1, y: 2 }), 'hinge-2');
    h = record(h, doc(62.5, { x: 3, y: 4 }), 'hinge-2');
    expect(h.past).toEqual([start, afterFirst]);
    h = undo(h);
    expect(h.present).toBe(afterFirst);
    h = undo(h);
    expect(h.present).toBe(start);
  });

  it('a drag right after an undo does not merge into the step before it', () => {
    let h = record(startHistory(doc(1)), doc(2, { x: 0, y: 0 }), 'd');
    h = undo(h);
    h = record(h, doc(1, { x: 5, y: 5 }), 'd');
    expect(h.past).toHaveLength(1);
    expect(h.past[0]!.target).toBe(1);
    expect(h.past[0]!.hinge).toBeNull();
  });

  it('a new change clears the redo list', () => {
    let h = record(record(startHistory(doc(1)), doc(2)), doc(3));
    h = undo(h);
    expect(canRedo(h)).toBe(true);
    h = record(h, doc(4));
    expect(h.future).toEqual([]);
    expect(h.past.map((d) => d.target)).toEqual([1, 2]);
  });

  it('keeps at most `limit` steps, dropping the oldest', () => {
    let h: UndoHistory<Doc> = startHistory(doc(0));
    for (let i = 1; i <= 10; i++) h = record(h, doc(i), null, 4);
    expect(h.past.map((d) => d.target)).toEqual([6, 7, 8, 9]);
    for (let i = 0; i < 10; i++) h = undo(h);
    expect(h.present.target).toBe(6);
  });

  it('keeps 200 steps by default', () => {
    let h: UndoHistory<Doc> = startHistory(doc(0));
    for (let i = 1; i <= 250; i++) h = record(h, doc(i));
    expect(h.past).toHaveLength(200);
    expect(h.past[0]!.target).toBe(50);
  });

  it('maps Ctrl+Z to undo, Ctrl+Shift+Z and Ctrl+Y to redo, Cmd likewise, and nothing else', () => {
    const key = (key: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey', boolean>> = {}) =>
      undoRedoKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
    expect(key('z', { ctrlKey: true })).toBe('undo');
    expect(key('Z', { ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(key('y', { ctrlKey: true })).toBe('redo');
    expect(key('z', { metaKey: true })).toBe('undo');
    expect(key('z')).toBeNull();
    expect(key('z', { ctrlKey: true, altKey: true })).toBeNull();
    expect(key('c', { ctrlKey: true })).toBeNull();
  });
});
