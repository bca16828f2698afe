import { createLogger } from '@eticket/logging';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Database, Queryable } from './db';
import { ReadRouter } from './read-router';

const logger = createLogger({ service: 'user', instance: 'test', level: 'silent' });

/** Just enough of a pg.Pool: `connect` hands out a client whose replay check answers `replayed`. */
class FakePool {
  replayed = true;
  connectError: Error | undefined;
  checkError: Error | undefined;
  readonly released: Array<boolean | Error | undefined> = [];

  connect(): Promise<pg.PoolClient> {
    if (this.connectError !== undefined) return Promise.reject(this.connectError);
    const client = {
      pool: this,
      query: (text: string) => {
        if (!text.includes('pg_last_wal_replay_lsn')) throw new Error(`unexpected ${text}`);
        return this.checkError === undefined ? Promise.resolve({ rows: [{ replayed: this.replayed }] }) : Promise.reject(this.checkError);
      },
      release: (destroy?: boolean | Error) => {
        this.released.push(destroy);
      },
    };
    return Promise.resolve(client as unknown as pg.PoolClient);
  }
}

function setup() {
  const write = new FakePool();
  const read = new FakePool();
  const db = { write, read, close: () => Promise.resolve() } as unknown as Database;
  const router = new ReadRouter(db, logger);
  /** Which server a read ran on: the write pool, the read pool or a client of the read pool. */
  const where = (target: Queryable): string => (target === db.write ? 'primary' : target === db.read ? 'standby pool' : 'standby client');
  return { write, read, router, where };
}

const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

describe('ReadRouter', () => {
  it('sends primary reads to the primary and replica reads to the standby pool', async () => {
    const { router, where } = setup();
    expect(await router.run('primary', (db) => Promise.resolve(where(db)))).toBe('primary');
    expect(await router.run('replica', (db) => Promise.resolve(where(db)))).toBe('standby pool');
    expect(router.counts).toMatchObject({ primary: 1, standby: 1 });
  });

  it('retries a standby read that failed for want of a standby on the primary, and only such a failure', async () => {
    const { router, where } = setup();
    const seen: string[] = [];
    const result = await router.run('replica', (db) => {
      seen.push(where(db));
      return seen.length === 1 ? Promise.reject(refused()) : Promise.resolve('ok');
    });
    expect(result).toBe('ok');
    expect(seen).toEqual(['standby pool', 'primary']);
    expect(router.counts.primaryAfterStandbyError).toBe(1);
    const bug = new Error('syntax error');
    await expect(router.run('replica', () => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('reads a writer\'s data on a standby connection that has replayed their write, on the same connection as the check', async () => {
    const { router, read, where } = setup();
    expect(await router.run({ atLeastLsn: '0/10' }, (db) => Promise.resolve(where(db)))).toBe('standby client');
    expect(read.released).toEqual([undefined]);
    expect(router.counts.standby).toBe(1);
  });

  it('reads from the primary while the standby has not replayed the writer\'s position', async () => {
    const { router, read, where } = setup();
    read.replayed = false;
    expect(await router.run({ atLeastLsn: '0/10' }, (db) => Promise.resolve(where(db)))).toBe('primary');
    expect(read.released).toEqual([undefined]);
    expect(router.counts.primaryAwaitingReplay).toBe(1);
  });

  it('falls back to the primary when no standby connection can be had or the check fails, discarding that connection', async () => {
    const { router, read, where } = setup();
    read.connectError = refused();
    expect(await router.run({ atLeastLsn: '0/10' }, (db) => Promise.resolve(where(db)))).toBe('primary');
    read.connectError = undefined;
    read.checkError = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(await router.run({ atLeastLsn: '0/10' }, (db) => Promise.resolve(where(db)))).toBe('primary');
    expect(read.released).toEqual([true]);
    expect(router.counts.primaryAfterStandbyError).toBe(2);
  });

  it('uses the primary for everything when there is no separate read pool', async () => {
    const write = new FakePool();
    const db = { write, read: write, close: () => Promise.resolve() } as unknown as Database;
    const router = new ReadRouter(db, logger);
    await router.run({ atLeastLsn: '0/10' }, (target) => Promise.resolve(expect(target).toBe(db.write)));
    await router.run('replica', (target) => Promise.resolve(expect(target).toBe(db.write)));
    expect(router.counts.primary).toBe(2);
  });
});
