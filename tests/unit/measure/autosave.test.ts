// Autosave: saves ~300 ms after the last change with the latest set, one key at a time; a failed
// save keeps the set and retries; flush saves at once. Fake timers, a fake backend.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_VARIANTS } from '../../../shared/landmarks/ids';
import type { LandmarkSet } from '../../../shared/schemas/landmark-set';
import { AUTOSAVE_DELAY_MS, AUTOSAVE_MAX_WAIT_MS, Autosaver, type SaveStatus } from '../../../renderer/src/screens/measure/autosave';
import { emptySet } from '../../../renderer/src/screens/measure/landmark-store';

const withKnee = (x: number, side: 'L' | 'R' = 'R'): LandmarkSet => ({ ...emptySet('1.2', 0, side, false, DEFAULT_VARIANTS), landmarks: { kneeCentre: { x, y: 1, placedBy: 'user' } } });

describe('autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const make = (save: (s: LandmarkSet) => Promise<{ revision: number }>) => {
    const statuses: SaveStatus[] = [];
    const saver = new Autosaver({ save, onStatus: (s) => statuses.push(s), now: () => Date.now() });
    return { saver, statuses };
  };

  it('debounces: one save of the latest set, well within 0.5 s of the last change', async () => {
    const saved: number[] = [];
    const { saver, statuses } = make(async (s) => (saved.push(s.landmarks.kneeCentre!.x), { revision: saved.length }));
    saver.schedule(withKnee(1));
    await vi.advanceTimersByTimeAsync(100);
    saver.schedule(withKnee(2));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS - 1);
    expect(saved).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(saved).toEqual([2]);
    expect(AUTOSAVE_DELAY_MS).toBeLessThan(500);
    expect(statuses.at(-1)).toMatchObject({ kind: 'saved', revision: 1 });
  });

  it('steady changes every 200 ms are still saved within 0.5 s of the first unsaved one', async () => {
    const savedAt: number[] = [];
    const t0 = Date.now();
    const { saver } = make(async () => (savedAt.push(Date.now() - t0), { revision: 1 }));
    for (let i = 0; i < 6; i++) {
      saver.schedule(withKnee(i));
      await vi.advanceTimersByTimeAsync(200);
    }
    // Changes at 0, 200, 400 → saved at 450; changes at 600, 800, 1000 → saved at 1050.
    expect(savedAt).toEqual([AUTOSAVE_MAX_WAIT_MS, 600 + AUTOSAVE_MAX_WAIT_MS]);
    expect(AUTOSAVE_MAX_WAIT_MS).toBeLessThan(500);
  });

  it('keeps both legs: sets of different sides are saved separately', async () => {
    const saved: string[] = [];
    const { saver } = make(async (s) => (saved.push(s.side), { revision: 1 }));
    saver.schedule(withKnee(1, 'R'));
    saver.schedule(withKnee(1, 'L'));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(saved.sort()).toEqual(['L', 'R']);
  });

  it('a failed save keeps the set, reports the reason and retries until it succeeds', async () => {
    let fail = 2;
    const saved: number[] = [];
    const { saver, statuses } = make(async (s) => {
      if (fail-- > 0) throw new Error('The disk is full.');
      saved.push(s.landmarks.kneeCentre!.x);
      return { revision: 7 };
    });
    saver.schedule(withKnee(5));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(statuses.at(-1)).toEqual({ kind: 'error', reason: 'The disk is full.', retryInMs: 1000 });
    expect(saver.hasUnsaved).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(statuses.at(-1)).toMatchObject({ kind: 'error', retryInMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(saved).toEqual([5]);
    expect(saver.hasUnsaved).toBe(false);
    expect(statuses.at(-1)).toMatchObject({ kind: 'saved', revision: 7 });
  });

  it('a change made while a save is failing replaces the retried set, never an older one', async () => {
    let fail = true;
    const saved: number[] = [];
    const { saver } = make(async (s) => {
      if (fail) throw new Error('busy');
      saved.push(s.landmarks.kneeCentre!.x);
      return { revision: 1 };
    });
    saver.schedule(withKnee(1));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    fail = false;
    saver.schedule(withKnee(2));
    await vi.advanceTimersByTimeAsync(AUTOSAVE_DELAY_MS);
    expect(saved).toEqual([2]);
  });

  it('flush saves at once without waiting for the debounce', async () => {
    const saved: number[] = [];
    const { saver } = make(async (s) => (saved.push(s.landmarks.kneeCentre!.x), { revision: 1 }));
    saver.schedule(withKnee(9));
    await saver.flush();
    expect(saved).toEqual([9]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(saved).toEqual([9]);
  });
});
