// Autosave (issue: "every landmark change is saved within 0.5 s ... impossible to lose"): the
// latest set per key (frame + side) is saved ~300 ms after the last change, but never later than
// 450 ms after the first unsaved one (so steady clicking still saves in time), one save at a time.
// A failed save keeps the set in memory and retries with a growing delay; the status tells the
// user. Timers are injected so the logic is tested without a browser. Generic over what is saved:
// landmark sets keyed by frame + side (the default), plans keyed by plan id (screens/plan).
import { useEffect } from 'react';
import type { LandmarkSet } from '../../../../shared/schemas/landmark-set';

export type SaveStatus =
  | { kind: 'idle' }
  | { kind: 'pending' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number; revision: number; latencyMs: number }
  | { kind: 'error'; reason: string; retryInMs: number };

export interface AutosaveOptions<T = LandmarkSet> {
  save(item: T): Promise<{ revision: number }>;
  /** Items with the same key replace each other while unsaved; default: frame + side of a landmark set. */
  keyOf?(item: T): string;
  onStatus(status: SaveStatus): void;
  delayMs?: number;
  /** Longest wait after the first unsaved change, however the changes keep coming. */
  maxWaitMs?: number;
  retryMs?: readonly number[];
  now?(): number;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

export const AUTOSAVE_DELAY_MS = 300;
export const AUTOSAVE_MAX_WAIT_MS = 450;
const RETRY_MS = [1000, 2000, 5000, 10_000];

export const keyOf = (set: Pick<LandmarkSet, 'frame' | 'side'>) => `${set.frame}:${set.side}`;

export class Autosaver<T = LandmarkSet> {
  private readonly opts: Required<AutosaveOptions<T>>;
  /** Unsaved items by key, with the time of the change that made each dirty. */
  private readonly dirty = new Map<string, { set: T; since: number }>();
  private timer: unknown = null;
  private saving: Promise<void> | null = null;
  private failures = 0;
  private disposed = false;

  constructor(options: AutosaveOptions<T>) {
    this.opts = {
      keyOf: (item: T) => keyOf(item as unknown as LandmarkSet),
      delayMs: AUTOSAVE_DELAY_MS,
      maxWaitMs: AUTOSAVE_MAX_WAIT_MS,
      retryMs: RETRY_MS,
      now: () => performance.now(),
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  /** Records a change; the save starts `delayMs` after the last one. */
  schedule(set: T): void {
    if (this.disposed) return;
    const key = this.opts.keyOf(set);
    const now = this.opts.now();
    const since = this.dirty.get(key)?.since ?? now;
    this.dirty.set(key, { set, since });
    this.failures = 0;
    this.opts.onStatus({ kind: 'pending' });
    let oldest = since;
    for (const entry of this.dirty.values()) oldest = Math.min(oldest, entry.since);
    this.arm(Math.max(0, Math.min(this.opts.delayMs, oldest + this.opts.maxWaitMs - now)));
  }

  get hasUnsaved(): boolean {
    return this.dirty.size > 0 || this.saving !== null;
  }

  /** Saves everything now (leaving the screen, before unload); resolves when done or failed. */
  async flush(): Promise<void> {
    this.disarm();
    if (this.saving) await this.saving;
    if (this.dirty.size) await this.run();
  }

  dispose(): void {
    this.disposed = true;
    this.disarm();
  }

  private arm(ms: number) {
    this.disarm();
    this.timer = this.opts.setTimer(() => {
      this.timer = null;
      void this.run();
    }, ms);
  }

  private disarm() {
    if (this.timer !== null) this.opts.clearTimer(this.timer);
    this.timer = null;
  }

  private run(): Promise<void> {
    if (this.saving) return this.saving;
    this.saving = (async () => {
      while (this.dirty.size) {
        const [key, entry] = this.dirty.entries().next().value as [string, { set: T; since: number }];
        this.dirty.delete(key);
        this.opts.onStatus({ kind: 'saving' });
        try {
          const { revision } = await this.opts.save(entry.set);
          this.failures = 0;
          if (!this.dirty.size) this.opts.onStatus({ kind: 'saved', at: this.opts.now(), revision, latencyMs: this.opts.now() - entry.since });
        } catch (err) {
          // Keep it unless a newer change of the same key arrived meanwhile; never drop a landmark.
          if (!this.dirty.has(key)) this.dirty.set(key, entry);
          const retryInMs = this.opts.retryMs[Math.min(this.failures, this.opts.retryMs.length - 1)]!;
          this.failures++;
          this.opts.onStatus({ kind: 'error', reason: (err as Error)?.message ?? String(err), retryInMs });
          if (!this.disposed) this.arm(retryInMs);
          break;
        }
      }
    })().finally(() => {
      this.saving = null;
    });
    return this.saving;
  }
}

/** The status line beside a screen's toolbar; `idle` is what to say before anything changed. */
export function saveStatusText(status: SaveStatus, idle: string): string {
  switch (status.kind) {
    case 'saving':
    case 'pending':
      return 'Saving…';
    case 'saved':
      return 'Saved';
    case 'error':
      return `Not saved: ${status.reason} Kept here; retrying in ${Math.round(status.retryInMs / 1000)} s.`;
    default:
      return idle;
  }
}

/** Saves still running for screens that have closed; the screen opened next may read what they write. */
const closingSaves = new Set<Promise<void>>();

/**
 * Resolves once every save a closed screen started has finished (or failed). A screen that reads
 * what the previous one edited (the theatre report after the plan) waits for this first: over the
 * browser bridge two requests are not guaranteed to be handled in the order they were sent.
 */
export async function closingSavesSettled(): Promise<void> {
  await Promise.allSettled([...closingSaves]);
}

/** A screen's autosaver saves what is pending when the page unloads and when the screen closes. */
export function useAutosaverLifecycle(saver: Pick<Autosaver<unknown>, 'flush' | 'dispose'>): void {
  useEffect(() => {
    const flush = () => void saver.flush();
    window.addEventListener('beforeunload', flush);
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('beforeunload', flush);
      window.removeEventListener('pagehide', flush);
      const closing = saver.flush().finally(() => {
        saver.dispose();
        closingSaves.delete(closing);
      });
      closingSaves.add(closing);
    };
  }, [saver]);
}
