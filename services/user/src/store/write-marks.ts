import type { CacheBackend } from '@eticket/cache';
import type { Logger } from '@eticket/logging';
import { isLsn, laterLsn } from './lsn';

// "This user wrote; their reads must see WAL position X" marks, for
// read-your-writes. A mark lives for a short window; after it, the user's
// reads go to any standby again. With more than one User Service instance a
// mark must be visible to all of them (the next request may land anywhere),
// so marks live in the shared Redis cache, with a copy in this instance.

/** The shared store could not answer: the caller's reads should use the primary. */
export const UNKNOWN_MARK = Symbol('unknown write mark');

export type MarkLookup = string | undefined | typeof UNKNOWN_MARK;

export interface WriteMarks {
  /** The position this user's reads must see; undefined if they have not written lately; UNKNOWN_MARK if that cannot be known now. */
  get(userId: string): Promise<MarkLookup>;
  /** Records a write by this user at `lsn` (keeping the later of two marks). */
  set(userId: string, lsn: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_LOCAL_MARKS = 100_000;

/** Marks in this process only: exact for one instance, and the fallback copy of the shared store. */
export class LocalWriteMarks implements WriteMarks {
  private readonly marks = new Map<string, { lsn: string; expiresAt: number }>();

  constructor(private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  get(userId: string): Promise<MarkLookup> {
    return Promise.resolve(this.peek(userId));
  }

  peek(userId: string): string | undefined {
    const mark = this.marks.get(userId);
    if (mark === undefined) return undefined;
    if (mark.expiresAt <= this.now()) {
      this.marks.delete(userId);
      return undefined;
    }
    return mark.lsn;
  }

  set(userId: string, lsn: string): Promise<void> {
    const current = this.peek(userId);
    // Deleting first keeps the Map in insertion order = expiry order, so pruning drops the oldest.
    this.marks.delete(userId);
    this.marks.set(userId, { lsn: current === undefined ? lsn : laterLsn(current, lsn), expiresAt: this.now() + this.windowMs });
    if (this.marks.size > MAX_LOCAL_MARKS) this.prune();
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.marks.clear();
    return Promise.resolve();
  }

  private prune(): void {
    for (const [userId, mark] of this.marks) {
      if (this.marks.size <= MAX_LOCAL_MARKS && mark.expiresAt > this.now()) break;
      this.marks.delete(userId);
    }
  }
}

const keyOf = (userId: string) => `ryw:${userId}`;

/**
 * Marks in the shared Redis (cluster or ring, whichever the platform runs),
 * TTL = the window, plus the local copy. If Redis cannot answer a look-up,
 * the answer is UNKNOWN_MARK and the read goes to the primary: slower, never
 * stale. If Redis cannot take a mark, this instance still honours it; another
 * instance may then serve that user a standby read that lacks the write, for
 * at most the replication lag (logged as a warning). Two instances marking
 * the same user at once may leave the earlier position (last SET wins); the
 * user's own requests are sequential in practice, so this is accepted.
 */
export class SharedWriteMarks implements WriteMarks {
  private readonly local: LocalWriteMarks;

  constructor(private readonly backend: CacheBackend, private readonly windowMs: number, private readonly logger: Logger) {
    this.local = new LocalWriteMarks(windowMs);
  }

  async get(userId: string): Promise<MarkLookup> {
    const mine = this.local.peek(userId);
    let shared: string | null;
    try {
      shared = await this.backend.get(keyOf(userId));
    } catch (error) {
      this.logger.debug({ err: error }, 'write mark look-up failed; reading from the primary');
      return UNKNOWN_MARK;
    }
    const theirs = shared !== null && isLsn(shared) ? shared : undefined;
    if (mine === undefined) return theirs;
    return theirs === undefined ? mine : laterLsn(mine, theirs);
  }

  async set(userId: string, lsn: string): Promise<void> {
    await this.local.set(userId, lsn);
    const marked = this.local.peek(userId) ?? lsn;
    try {
      await this.backend.set(keyOf(userId), marked, Math.max(1, Math.ceil(this.windowMs / 1000)));
    } catch (error) {
      this.logger.warn({ err: error, userId }, 'could not share a write mark; other instances may serve this user stale reads briefly');
    }
  }

  /** The backend is the service's shared cache connection: its owner closes it. */
  async close(): Promise<void> {
    await this.local.close();
  }
}

/** Shared marks when the service has the platform's cache (`backend`), else this instance's own. */
export function createWriteMarks(backend: CacheBackend | undefined, windowMs: number, logger: Logger): WriteMarks {
  if (backend === undefined) {
    logger.info('read-your-writes marks are kept per instance (no cache configured)');
    return new LocalWriteMarks(windowMs);
  }
  return new SharedWriteMarks(backend, windowMs, logger);
}
