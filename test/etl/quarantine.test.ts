// A document with a missing or malformed field is quarantined with the
// reason and the document itself, reported in the run history, and neither
// dropped silently nor allowed to fail the run; a corrected version resolves it.
import { randomBytes, randomUUID } from 'node:crypto';
import { signInternalIdentity } from '@eticket/auth';
import type { RunsView } from '@eticket/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEtlService } from '../../services/etl/src/app';
import { loadConfig } from '../../services/etl/src/config';
import { platformEnv } from '../setup/platform-env';
import { insertOrders, orderDocuments, type Document } from './fixtures';
import { seedMarketplace, type Seeded } from './seed';
import { startHarness, succeeded, warehouseChecksums, type Harness } from './support';

let h: Harness;
let seeded: Seeded;
const ago = (ms: number) => new Date(Date.now() - ms);
const inserted: Array<[string, string]> = [];

async function insert(collection: string, doc: Document): Promise<void> {
  await h.db.collection<Document>(collection).insertOne(doc);
  inserted.push([collection, doc._id]);
}

beforeAll(async () => {
  h = await startHarness();
  seeded = await seedMarketplace(h, { orders: 100, seed: 66 });
  succeeded(await h.run());
});

afterAll(async () => {
  // The sources are shared with the other files: take the bad documents away again.
  for (const [collection, id] of inserted) await h?.db.collection<Document>(collection).deleteOne({ _id: id });
  await h?.close();
});

describe('quarantine', () => {
  const broken = { placement: randomUUID(), undated: randomUUID(), decision: randomUUID(), payment: randomUUID(), closure: randomUUID() };

  it('quarantines bad documents with their reasons while the good ones load and the run succeeds', async () => {
    const user = seeded.users[0]!;
    const event = seeded.events[0]!.id;
    const good = orderDocuments({ userId: user, eventId: event, quantity: 1, unitPriceMinor: 2_500, currency: 'EUR', status: 'paid', createdAt: ago(3_000), timing: 'instant' });
    await insertOrders(h.db, [good]);
    for (const [collection, id] of [['orders', good.placement._id], ['transactions', good.placement._id], ['order_closures', good.placement._id], ['payments', good.payments[0]!._id]] as const) inserted.push([collection, id]);
    await insert('orders', { _id: broken.placement, user_id: user, quantity: 2, mode: 'two_phase_commit', created_at: ago(2_000) });
    // Its time field is a string: no window contains it, so only the "not a date" arm of the query finds it.
    await insert('orders', { _id: broken.undated, user_id: user, event_id: event, quantity: 1, mode: 'two_phase_commit', created_at: '2030-01-01T00:00:00Z' });
    await insert('transactions', { _id: broken.decision, order_id: broken.decision, mode: 'two_phase_commit', outcome: 'commit', decided_by: 'coordinator', decided_at: ago(2_000), currency: 'EUR', hold_expires_at: ago(1_000) });
    await insert('payments', { _id: broken.payment, order_id: good.placement._id, user_id: user, amount_minor: '12.50', currency: 'eur', method: 'card', status: 'succeeded', created_at: ago(2_000), updated_at: ago(2_000) });
    await insert('order_closures', { _id: broken.closure, outcome: 'refunded', at: ago(2_000), note: 'nul\u0000inside' });

    const run = succeeded(await h.run());
    const quarantined = Object.fromEntries(run.sources.map((s) => [s.source, s.quarantined]));
    expect(quarantined).toEqual({ users: 0, events: 0, order_placements: 2, order_decisions: 1, order_closures: 1, payments: 1 });
    expect((await h.warehouse.query('SELECT status FROM dw.fact_order WHERE order_id = $1', [good.placement._id])).rows).toEqual([{ status: 'paid' }]);

    const { rows } = await h.warehouse.query<{ source: string; source_key: string; reason: string; raw: Record<string, unknown> }>(
      'SELECT source, source_key, reason, raw FROM etl.quarantine WHERE resolved_at IS NULL ORDER BY source, source_key');
    const reasons = Object.fromEntries(rows.map((row) => [row.source_key, row.reason]));
    expect(reasons[broken.placement]).toMatch(/event_id: expected a UUID, got missing/);
    expect(reasons[broken.undated]).toMatch(/created_at: expected a date, got "2030-01-01T00:00:00Z"/);
    expect(reasons[broken.decision]).toMatch(/unit_price_minor: .*missing; total_minor: .*missing/);
    expect(reasons[broken.payment]).toMatch(/amount_minor: .*"12.50"; currency: .*"eur"/);
    expect(reasons[broken.closure]).toMatch(/outcome: expected one of paid, expired, cancelled, got "refunded"/);
    // The document itself is kept, readable (dates as ISO strings, the NUL replaced so jsonb can hold it).
    expect(rows.find((row) => row.source_key === broken.closure)!.raw).toMatchObject({ _id: broken.closure, outcome: 'refunded', note: 'nul\uFFFDinside' });
    expect(rows.find((row) => row.source_key === broken.payment)!.raw).toMatchObject({ amount_minor: '12.50', created_at: expect.stringMatching(/Z$/) });
  });

  it('a later run changes nothing: the undated document is seen again but its entry stays as it was', async () => {
    const before = await warehouseChecksums(h);
    const run = succeeded(await h.run());
    // The undated one always; others again when the overlap reaches back to them.
    expect(run.sources.find((s) => s.source === 'order_placements')!.quarantined).toBeGreaterThanOrEqual(1);
    expect(await warehouseChecksums(h)).toEqual(before);
  });

  it('a corrected document resolves its entry and loads', async () => {
    await h.db.collection<Document>('orders').replaceOne({ _id: broken.placement }, {
      user_id: seeded.users[0]!, event_id: seeded.events[0]!.id, quantity: 2, request_hash: 'fixed', mode: 'two_phase_commit', created_at: ago(1_000), coordinator: 'fixture', nonce: 'n',
    });
    const run = succeeded(await h.run());
    expect(run.sources.find((s) => s.source === 'order_placements')!.loaded).toBe(1);
    const { rows } = await h.warehouse.query('SELECT resolved_run_id::text AS resolved FROM etl.quarantine WHERE source_key = $1', [broken.placement]);
    expect(rows).toEqual([{ resolved: run.runId }]);
    expect((await h.warehouse.query('SELECT status FROM dw.fact_order WHERE order_id = $1', [broken.placement])).rows).toEqual([{ status: 'preparing' }]);
  });

  it('GET /reports/runs reports the quarantine and each run\'s quarantined counts', async () => {
    const secret = randomBytes(32).toString('hex');
    const env = platformEnv();
    const service = buildEtlService(loadConfig({ WAREHOUSE_DB_URL: env.WAREHOUSE_DB_URL, USER_DB_READ_URL: env.USER_DB_READ_URL, ORDER_MONGO_URL: env.ORDER_MONGO_URL, INTERNAL_AUTH_SECRET: secret, LOG_LEVEL: 'silent' }), h.logger);
    try {
      const identity = await signInternalIdentity({ userId: randomUUID(), email: 'a@example.test', roles: ['admin'] }, secret);
      const response = await service.http.inject({ method: 'GET', url: '/reports/runs?limit=10', headers: { 'x-eticket-identity': identity } });
      expect(response.statusCode).toBe(200);
      const body = response.json<RunsView>();
      expect(body.quarantine.open).toBe(4);
      expect(body.quarantine.latest.map((entry) => entry.source_key).sort()).toEqual([broken.closure, broken.decision, broken.payment, broken.undated].sort());
      const first = body.items.find((run) => run.rows_quarantined === 5)!;
      expect(first.sources.find((s) => s.source === 'payments')!.quarantined).toBe(1);
    } finally {
      await service.close();
    }
  });
});
