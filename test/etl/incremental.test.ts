// Incremental runs pick up what changed since the last one (new rows, and
// changed rows: status changes, settlements, cancellations, role changes)
// and read little else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertOrders, orderDocuments, paymentDocument, type Document } from './fixtures';
import { sourceTotals, warehouseTotals } from './reconcile';
import { seedMarketplace, type Seeded } from './seed';
import { replicatedWhere, seedEvents, startHarness, succeeded, type Harness } from './support';

let h: Harness;
let seeded: Seeded;

const ago = (ms: number) => new Date(Date.now() - ms);

async function factOrder(orderId: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await h.warehouse.query('SELECT status, closed_at IS NOT NULL AS closed, payment_id FROM dw.fact_order WHERE order_id = $1', [orderId]);
  return rows[0] as Record<string, unknown> | undefined;
}

beforeAll(async () => {
  h = await startHarness();
  seeded = await seedMarketplace(h, { orders: 300, seed: 33 });
  succeeded(await h.run());
});

afterAll(async () => {
  await h?.close();
});

describe('incremental extraction', () => {
  it('updates the facts of orders whose status changed, adds new rows, and re-reads only the overlap', async () => {
    const pending = seeded.orders.filter((o) => o.decision?.outcome === 'commit' && o.closure === null);
    expect(pending.length).toBeGreaterThanOrEqual(3);
    const [toPay, toCancel, toExpire] = pending;
    const when = ago(1_000);
    // Paid: an attempt that was processing and is then settled in place (as the order service's settle does), and the closure.
    const attempt = paymentDocument({ orderId: toPay!.placement._id, userId: String(toPay!.placement.user_id), totalMinor: Number(toPay!.decision!.total_minor), currency: String(toPay!.decision!.currency) }, 'processing', ago(3_000));
    await h.db.collection<Document>('payments').insertOne(attempt);
    await h.db.collection<Document>('payments').updateOne({ _id: attempt._id }, { $set: { status: 'succeeded', updated_at: when } });
    await h.db.collection<Document>('order_closures').insertMany([
      { _id: toPay!.placement._id, outcome: 'paid', at: when, payment_id: attempt._id, payment_method: 'card' },
      { _id: toCancel!.placement._id, outcome: 'cancelled', at: when },
      { _id: toExpire!.placement._id, outcome: 'expired', at: when },
    ]);
    // New orders, one of them still being placed.
    const fresh = [
      orderDocuments({ userId: seeded.users[1]!, eventId: seeded.events[0]!.id, quantity: 2, unitPriceMinor: 2_500, currency: 'EUR', status: 'pending_payment', createdAt: ago(2_000) }),
      orderDocuments({ userId: seeded.users[2]!, eventId: seeded.events[0]!.id, quantity: 1, unitPriceMinor: 2_500, currency: 'EUR', status: 'preparing', createdAt: ago(2_000) }),
    ];
    await insertOrders(h.db, fresh);
    // A user becomes an organizer (an UPDATE on the primary), and a new event.
    await h.primary.query('UPDATE users SET roles = ARRAY[\'buyer\', \'organizer\'], updated_at = now() WHERE id = $1', [seeded.users[3]]);
    const [event] = await seedEvents(h, seeded.users[3]!, [{ priceMinor: 100, currency: 'EUR', totalSeats: 10 }]);
    await replicatedWhere(h, 'SELECT 1 FROM events WHERE id = $1', [event!.id]);
    await replicatedWhere(h, 'SELECT 1 FROM users WHERE id = $1 AND \'organizer\' = ANY(roles)', [seeded.users[3]]);

    const run = succeeded(await h.run());

    expect(await factOrder(toPay!.placement._id)).toEqual({ status: 'paid', closed: true, payment_id: attempt._id });
    expect(await factOrder(toCancel!.placement._id)).toMatchObject({ status: 'cancelled', closed: true });
    expect(await factOrder(toExpire!.placement._id)).toMatchObject({ status: 'expired', closed: true });
    expect(await factOrder(fresh[0]!.placement._id)).toMatchObject({ status: 'pending_payment' });
    expect(await factOrder(fresh[1]!.placement._id)).toMatchObject({ status: 'preparing' });
    const payment = await h.warehouse.query('SELECT status, event_id FROM dw.fact_payment WHERE payment_id = $1', [attempt._id]);
    expect(payment.rows).toEqual([{ status: 'succeeded', event_id: toPay!.placement.event_id }]);
    const user = await h.warehouse.query('SELECT roles FROM dw.dim_user WHERE user_id = $1', [seeded.users[3]]);
    expect(user.rows).toEqual([{ roles: ['buyer', 'organizer'] }]);
    expect((await h.warehouse.query('SELECT 1 FROM dw.dim_event WHERE event_id = $1', [event!.id])).rowCount).toBe(1);

    // Each window started at its mark (less the overlap), not at the beginning: the old orders were not read again.
    expect(run.sources.every((s) => s.window.from !== null)).toBe(true);
    const placements = run.sources.find((s) => s.source === 'order_placements')!;
    // Only the new ones and what the 2 s overlap reaches back to (documents other files wrote just before this one's first run).
    expect(placements.extracted).toBeLessThan((await h.db.collection('orders').countDocuments()) / 5);
    expect(placements.loaded).toBe(2);
    expect(run.sources.find((s) => s.source === 'order_closures')!.loaded).toBe(3);
    expect(run.sources.find((s) => s.source === 'payments')!.loaded).toBe(1);
    expect(run.merged.fact_order).toBe(5);
    expect(await warehouseTotals(h)).toEqual(await sourceTotals(h));
  });

  it('moves each watermark to the newest row it extracted, and the overlap catches rows that become visible late', async () => {
    const { rows } = await h.warehouse.query<{ source: string; last_ts: Date }>('SELECT source, last_ts FROM etl.watermarks ORDER BY source');
    expect(rows.map((row) => row.source)).toEqual(['events', 'order_closures', 'order_decisions', 'order_placements', 'payments', 'users']);
    const mark = rows.find((row) => row.source === 'payments')!.last_ts.getTime();
    const order = seeded.orders.find((o) => o.decision?.outcome === 'commit')!;
    const owner = { orderId: order.placement._id, userId: String(order.placement.user_id), totalMinor: 100, currency: 'EUR' };
    // Stamped before the mark by less than the overlap (2 s here): a write that committed after the last run read past it.
    const late = { ...paymentDocument(owner, 'failed', new Date(mark - 1_500)), updated_at: new Date(mark - 1_000) };
    // Stamped before the mark by more than the overlap: an incremental run does not see it; a full run repairs that.
    const tooLate = { ...paymentDocument(owner, 'failed', new Date(mark - 60_000)), updated_at: new Date(mark - 60_000) };
    await h.db.collection<Document>('payments').insertMany([late, tooLate]);

    succeeded(await h.run());
    const loaded = async (id: string) => (await h.warehouse.query('SELECT 1 FROM dw.fact_payment WHERE payment_id = $1', [id])).rowCount;
    expect(await loaded(late._id)).toBe(1);
    expect(await loaded(tooLate._id)).toBe(0);
    const after = await h.warehouse.query<{ source: string; last_ts: Date }>('SELECT source, last_ts FROM etl.watermarks');
    for (const row of after.rows) expect(row.last_ts.getTime()).toBeGreaterThanOrEqual(rows.find((r) => r.source === row.source)!.last_ts.getTime());

    succeeded(await h.run({}, { full: true }));
    expect(await loaded(tooLate._id)).toBe(1);
    expect(await warehouseTotals(h)).toEqual(await sourceTotals(h));
  });
});
