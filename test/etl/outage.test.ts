// A source that is down fails the run cleanly: nothing of it is kept (not
// even what the healthy source gave), the watermarks stay, the failure is in
// the run history, and the next run catches up with nothing lost or doubled.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEnv } from '../setup/platform-env';
import { insertOrders, orderDocuments } from './fixtures';
import { sourceTotals, warehouseTotals } from './reconcile';
import { seedMarketplace, type Seeded } from './seed';
import { closedPort, replicated, seedUsers, startHarness, succeeded, warehouseChecksums, type Harness } from './support';

let h: Harness;
let seeded: Seeded;

beforeAll(async () => {
  h = await startHarness();
  seeded = await seedMarketplace(h, { orders: 200, seed: 44 });
  succeeded(await h.run());
});

afterAll(async () => {
  await h?.close();
});

async function watermarks(): Promise<unknown[]> {
  return (await h.warehouse.query<Record<string, unknown>>('SELECT source, last_ts, last_id, run_id FROM etl.watermarks ORDER BY source')).rows;
}

describe('source outage', () => {
  const newOrders = () => Array.from({ length: 40 }, (_, i) => orderDocuments({
    userId: seeded.users[i % seeded.users.length]!, eventId: seeded.events[i % seeded.events.length]!.id, quantity: 1 + (i % 3),
    unitPriceMinor: seeded.events[i % seeded.events.length]!.priceMinor, currency: seeded.events[i % seeded.events.length]!.currency,
    status: i % 2 === 0 ? 'paid' : 'cancelled', createdAt: new Date(Date.now() - 5_000 + i * 10), timing: 'instant',
  }));

  it('MongoDB down: the run fails naming it, keeps nothing (not even the users it had loaded) and leaves the marks', async () => {
    await insertOrders(h.db, newOrders());
    const users = await seedUsers(h, 3);
    await replicated(h, 'users', users);
    const [before, marks] = [await warehouseChecksums(h), await watermarks()];

    const started = Date.now();
    const result = await h.run({ orderDbUrl: `mongodb://127.0.0.1:${await closedPort()}/eticket_orders`, sourceTimeoutMs: 1_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/^order-db: /) });
    if (result.status === 'skipped') throw new Error('skipped');
    // Users were extracted fine (the 3 new ones among them) before MongoDB failed; all rolled back.
    expect(result.sources.find((s) => s.source === 'users')).toMatchObject({ loaded: 0, error: null });
    expect(result.sources.find((s) => s.source === 'users')!.extracted).toBeGreaterThanOrEqual(3);
    expect(result.sources.find((s) => s.source === 'order_placements')!.error).toMatch(/order-db/);

    expect(await warehouseChecksums(h)).toEqual(before);
    expect(await watermarks()).toEqual(marks);
    const { rows } = await h.warehouse.query('SELECT status, error, rows_loaded FROM etl.runs ORDER BY id DESC LIMIT 1');
    expect(rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^order-db: /), rows_loaded: 0 }]);
    const sources = await h.warehouse.query('SELECT source, loaded, error FROM etl.run_sources WHERE run_id = $1 ORDER BY source', [result.runId]);
    expect(sources.rows).toEqual(expect.arrayContaining([expect.objectContaining({ source: 'order_placements', error: expect.stringMatching(/order-db/) })]));
  });

  it('the User Service\'s database down: the run fails naming it', async () => {
    const result = await h.run({ userDbUrl: `postgres://eticket:eticket@127.0.0.1:${await closedPort()}/eticket_users`, sourceTimeoutMs: 1_000 });
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/^user-db: /) });
  });

  it('refuses to extract from a primary: the standby port reaching a primary fails the run instead of loading it', async () => {
    const result = await h.run({ userDbUrl: platformEnv().USER_DB_WRITE_URL });
    expect(result).toMatchObject({ status: 'failed', error: expect.stringMatching(/reaches a primary/) });
  });

  it('the next run with the sources back catches up: every order once, totals equal', async () => {
    const result = succeeded(await h.run());
    expect(result.sources.find((s) => s.source === 'order_placements')!.loaded).toBe(40);
    expect(result.sources.find((s) => s.source === 'users')!.loaded).toBe(3);
    expect(await warehouseTotals(h)).toEqual(await sourceTotals(h));
    const statuses = await h.warehouse.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM etl.runs GROUP BY status ORDER BY status');
    expect(statuses.rows).toEqual([{ status: 'failed', n: 3 }, { status: 'succeeded', n: 2 }]);
  });
});
