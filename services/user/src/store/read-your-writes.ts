import type { Logger } from '@eticket/logging';
import type { ReadConsistency, ReadSource } from '../app/ports';
import type { Database } from './db';
import { query } from './db';
import { UNREACHABLE_LSN } from './lsn';
import { UNKNOWN_MARK, type WriteMarks } from './write-marks';

/**
 * Read-your-writes by WAL position. After a user's write commits, the
 * primary's current position (which is past that commit) is recorded as the
 * user's mark for a short window; their reads in that window go to a standby
 * only if it has replayed that far (ReadRouter checks), else to the primary.
 * Everyone else, and everyone after the window, reads a standby.
 */
export class ReadYourWrites implements ReadConsistency {
  constructor(private readonly deps: { readonly db: Database; readonly marks: WriteMarks; readonly logger: Logger }) {}

  async sourceFor(userId: string | null): Promise<ReadSource> {
    if (userId === null) return 'replica';
    const mark = await this.deps.marks.get(userId);
    if (mark === UNKNOWN_MARK) return 'primary';
    return mark === undefined ? 'replica' : { atLeastLsn: mark };
  }

  async wrote(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    let lsn: string;
    try {
      // Asked after the commit returned, so the position is at or past the commit record.
      const [row] = await query<{ lsn: string }>(this.deps.db.write, 'SELECT pg_current_wal_lsn()::text AS lsn');
      lsn = row?.lsn ?? UNREACHABLE_LSN;
    } catch (error) {
      // The primary went away right after the write: read from whichever primary comes next, for the whole window.
      this.deps.logger.warn({ err: error }, 'could not read the WAL position after a write; the writer reads from the primary for a while');
      lsn = UNREACHABLE_LSN;
    }
    await Promise.all([...new Set(userIds)].map((userId) => this.deps.marks.set(userId, lsn)));
  }
}
