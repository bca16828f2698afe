import type { Db } from 'mongodb';
import type { Leases, Watermarks } from '../domain/ports';
import { COLLECTIONS, guarded, insertIfAbsent } from './mongo';

interface LeaseDocument {
  _id: string;
  owner: string;
  at: Date;
}

interface WatermarkDocument {
  _id: string;
  at: Date;
}

/**
 * Leases as unique inserts of `<key>@<time slot>`: within one slot exactly one
 * instance gets the key, atomically even on FerretDB (where a
 * findOneAndUpdate "lease_until" would let two claim it). Work is idempotent
 * anyway; the lease only keeps two instances from doing it twice.
 */
export class MongoLeases implements Leases {
  private lastSweep = 0;

  constructor(
    private readonly db: Db,
    private readonly owner: string,
  ) {}

  claim(key: string, ttlMs: number): Promise<boolean> {
    return guarded('claim lease', async () => {
      const now = Date.now();
      await this.forgetOld(now);
      return insertIfAbsent<LeaseDocument>(this.db, COLLECTIONS.leases, { _id: `${key}@${Math.floor(now / ttlMs)}`, owner: this.owner, at: new Date(now) });
    });
  }

  /** Expired leases are kept an hour for the logs, then deleted (FerretDB has no TTL indexes). */
  private async forgetOld(now: number): Promise<void> {
    if (now - this.lastSweep < 600_000) return;
    this.lastSweep = now;
    await this.db.collection<LeaseDocument>(COLLECTIONS.leases).deleteMany({ at: { $lt: new Date(now - 3_600_000) } });
  }
}

/** Recovery scan marks. Last writer wins, which is safe: any instance's mark is one it verified. */
export class MongoWatermarks implements Watermarks {
  constructor(private readonly db: Db) {}

  get(name: string): Promise<Date | null> {
    return guarded('read mark', async () => (await this.db.collection<WatermarkDocument>(COLLECTIONS.watermarks).findOne({ _id: name }))?.at ?? null);
  }

  set(name: string, at: Date): Promise<void> {
    return guarded('write mark', async () => {
      await this.db.collection<WatermarkDocument>(COLLECTIONS.watermarks).replaceOne({ _id: name }, { at }, { upsert: true });
    });
  }
}
