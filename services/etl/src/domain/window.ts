// Incremental windows. Each source has a high-water mark: the greatest
// (timestamp, id) extracted so far. A run reads [mark - overlap, now): the
// overlap re-reads rows whose writer stamped them a little before they became
// visible (commit after stamp, a clock behind ours, a standby replaying), and
// the idempotent merges make reading a row twice harmless. The upper bound is
// the run's start, so a row stamped in the future (a clock ahead) waits for a
// later run instead of pushing the mark past rows not written yet.

export interface Watermark {
  readonly ts: Date;
  readonly id: string;
}

export interface ExtractWindow {
  /** Inclusive; null = from the beginning (first run, or a full run). */
  readonly from: Date | null;
  /** Exclusive: the run's start. */
  readonly to: Date;
}

export function windowFor(mark: Watermark | null, overlapMs: number, runStart: Date, full: boolean): ExtractWindow {
  if (full || mark === null) return { from: null, to: runStart };
  const from = new Date(Math.min(mark.ts.getTime() - overlapMs, runStart.getTime()));
  return { from, to: runStart };
}

/** Orders marks by timestamp, then id (ties are common: many rows share a millisecond). */
export function compareMarks(a: Watermark, b: Watermark): number {
  const byTime = a.ts.getTime() - b.ts.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The later of two marks; a mark never moves backwards. */
export function laterMark(current: Watermark | null, candidate: Watermark | null): Watermark | null {
  if (candidate === null) return current;
  if (current === null) return candidate;
  return compareMarks(candidate, current) > 0 ? candidate : current;
}

/** True when `next` is strictly beyond `stored`, i.e. worth writing. */
export function advances(stored: Watermark | null, next: Watermark | null): next is Watermark {
  return next !== null && (stored === null || compareMarks(next, stored) > 0);
}
