import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderStatus } from '../../services/order/src/domain/order';
import { call, eventually, exited, OrderStack, settledInvariants } from './support';

// Holds end exactly once: with two Ticket Order Service instances racing to
// expire the same orders, across a crash of both, and against a payment
// that completes after the hold ran out.

let stack: OrderStack;
let buyer: Identity;

const HOLD_SECONDS = 2;

beforeAll(async () => {
  stack = await OrderStack.start({
    name: 'holds',
    orders: 2,
    // Both instances scan every half second with a lookahead, so each puts every hold on its own timers: they really race.
    orderEnv: { HOLD_TTL_SECONDS: String(HOLD_SECONDS), RECOVERY_SCAN_INTERVAL_MS: '500' },
  });
  buyer = await stack.buyer();
});

afterAll(async () => {
  await stack?.stop();
});

async function statusOf(orderId: string): Promise<string | undefined> {
  const record = await stack.order(orderId);
  return record === null ? undefined : orderStatus(record);
}

describe('hold expiry', () => {
  it('expires every unpaid order once and returns its seats once, with two instances racing', async () => {
    const eventId = await stack.event(30);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const placed = await stack.placeOrder(buyer, eventId, 1 + (i % 2), randomUUID(), i % 2);
      expect(placed.status).toBe(201);
      ids.push(placed.body.id as string);
    }
    // (Not asserted here: on a loaded machine the first holds may already have run out.)
    for (const id of ids) await eventually(`order ${id} to expire`, async () => ((await statusOf(id)) === 'expired' ? true : undefined), 60_000);
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 30, held: 0, statuses: { expired: 12 } });
    const { rows } = await stack.db.query<{ state: string; n: string }>('SELECT state, count(*) AS n FROM reservations WHERE event_id = $1 GROUP BY state', [eventId]);
    expect(rows).toEqual([{ state: 'released', n: '12' }]);
    // Paying an expired order is refused.
    const late = await stack.pay(buyer, ids[0]!);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'ORDER_NOT_PAYABLE', detail: expect.stringMatching(/expired/) });
  });

  it('does not expire an order paid in time', async () => {
    const eventId = await stack.event(5);
    const placed = await stack.placeOrder(buyer, eventId, 2);
    expect((await stack.pay(buyer, placed.body.id as string, {}, randomUUID(), 1)).status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, (HOLD_SECONDS + 1) * 1000));
    expect(await statusOf(placed.body.id as string)).toBe('paid');
    expect(await settledInvariants(stack, eventId)).toMatchObject({ available: 3, held: 2 });
  });

  it('expires holds that ran out while every instance was down, once one starts again', async () => {
    const eventId = await stack.event(10);
    const ids = [
      (await stack.placeOrder(buyer, eventId, 2, randomUUID(), 0)).body.id as string,
      (await stack.placeOrder(buyer, eventId, 3, randomUUID(), 1)).body.id as string,
    ];
    const [first, second] = [stack.orderProcess(0)!, stack.orderProcess(1)!];
    await Promise.all([first.stop('SIGKILL'), second.stop('SIGKILL')]);
    await Promise.all([exited(first), exited(second)]);
    await new Promise((resolve) => setTimeout(resolve, (HOLD_SECONDS + 1) * 1000));
    // Nobody expired them: the seats are still held.
    expect(await stack.availableSeats(eventId)).toBe(5);
    await stack.startOrder(0);
    for (const id of ids) await eventually(`order ${id} to expire`, async () => ((await statusOf(id)) === 'expired' ? true : undefined), 60_000);
    expect(await settledInvariants(stack, eventId)).toMatchObject({ available: 10, held: 0, statuses: { expired: 2 } });
    await stack.startOrder(1);
  });

  it('refunds a charge that completes after the hold expired, and never marks that order paid', async () => {
    const eventId = await stack.event(5);
    await stack.orderProcess(1)?.stop();
    // This instance's provider takes longer than the hold lasts.
    await stack.startOrder(1, { PAYMENT_SIM_LATENCY_MS: String((HOLD_SECONDS + 2) * 1000) });
    const placed = await stack.placeOrder(buyer, eventId, 2, randomUUID(), 0);
    const orderId = placed.body.id as string;
    const payment = await stack.pay(buyer, orderId, {}, randomUUID(), 1);
    expect(payment.status).toBe(409);
    expect(payment.body).toMatchObject({ code: 'ORDER_NOT_PAYABLE', detail: expect.stringMatching(/refunded/) });
    const paymentId = /Payment ([0-9a-f-]{36})/.exec(payment.body.detail as string)?.[1];
    const stored = await call(`${stack.orderUrl(0)}/payment/${paymentId}`, { headers: await stack.as(buyer) });
    expect(stored.body).toMatchObject({ payment_status: 'refunded', failure_reason: expect.stringMatching(/Refunded/) });
    expect(await statusOf(orderId)).toBe('expired');
    expect(await settledInvariants(stack, eventId)).toMatchObject({ available: 5, held: 0, statuses: { expired: 1 } });
    await stack.orderProcess(1)?.stop();
    await stack.startOrder(1);
  });

  it('leaves a declined order payable until its hold ends', async () => {
    const eventId = await stack.event(5);
    await stack.orderProcess(1)?.stop();
    await stack.startOrder(1, { PAYMENT_SIM_FAILURE_RATE: '1', HOLD_TTL_SECONDS: '600' });
    const placed = await stack.placeOrder(buyer, eventId, 1, randomUUID(), 1);
    const declined = await stack.pay(buyer, placed.body.id as string, {}, randomUUID(), 1);
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ code: 'PAYMENT_DECLINED', detail: expect.stringMatching(/stays payable until/) });
    expect(await statusOf(placed.body.id as string)).toBe('pending_payment');
    // The other instance's provider accepts: the same order is paid.
    expect((await stack.pay(buyer, placed.body.id as string, {}, randomUUID(), 0)).status).toBe(201);
    expect(await statusOf(placed.body.id as string)).toBe('paid');
    await stack.orderProcess(1)?.stop();
    await stack.startOrder(1);
  });
});
