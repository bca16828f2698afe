import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, OrderStack, settledInvariants } from './support';

// The seed's order and payment endpoints with real processes: the Ticket
// Order Service, the User Service (seat inventory, notifications) and the
// platform's PostgreSQL (Patroni) and FerretDB.

let stack: OrderStack;

beforeAll(async () => {
  stack = await OrderStack.start({ name: 'orders', orderEnv: { HOLD_TTL_SECONDS: '600' } });
});

afterAll(async () => {
  await stack?.stop();
});

describe('placing an order (two-phase commit)', () => {
  it('holds the seats, prices the order in the event currency and says until when', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(10, 2_550);
    const before = Date.now();
    const response = await stack.placeOrder(buyer, eventId, 3);
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      user_id: buyer.userId,
      event_id: eventId,
      quantity: 3,
      unit_price: 2_550,
      total_price: 7_650,
      currency: 'EUR',
      order_status: 'pending_payment',
      payment_details: null,
      status_reason: null,
    });
    const holdEnds = Date.parse(response.body.hold_expires_at as string);
    expect(holdEnds - before).toBeGreaterThan(590_000);
    expect(holdEnds - before).toBeLessThan(610_000);
    expect(await stack.availableSeats(eventId)).toBe(7);
    const event = await call(`${stack.userUrl}/event/${eventId}`);
    expect(event.body.available_seats).toBe(7);
    expect(await stack.reservation(response.body.id as string)).toEqual({ state: 'committed', quantity: 3 });
    const report = await settledInvariants(stack, eventId);
    expect(report.held).toBe(3);
  });

  it('tells the buyer "payment pending" through the User Service', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(5);
    const order = await stack.placeOrder(buyer, eventId, 1);
    const notification = await eventually('the notification', async () => {
      const { rows } = await stack.db.query<{ kind: string; message: string }>('SELECT kind, message FROM notifications WHERE user_id = $1 AND order_id = $2', [buyer.userId, order.body.id]);
      return rows[0];
    });
    expect(notification.kind).toBe('payment_pending');
    expect(notification.message).toMatch(/pay 25\.00 EUR before/);
  });

  it('returns the same order for a retried Idempotency-Key, even when the retries race', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(10);
    const key = randomUUID();
    const responses = await Promise.all(Array.from({ length: 5 }, () => stack.placeOrder(buyer, eventId, 2, key)));
    expect(responses.map((response) => response.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
    const again = await stack.placeOrder(buyer, eventId, 2, key);
    expect(again.body.id).toBe(responses[0]?.body.id);
    expect(await stack.availableSeats(eventId)).toBe(8);
    const list = await call(`${stack.orderUrl()}/order`, { headers: await stack.as(buyer) });
    expect(list.body).toMatchObject({ total: 1, limit: 20, offset: 0 });
  });

  it('refuses the same Idempotency-Key with a different body (422) and does not touch the seats', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(10);
    const key = randomUUID();
    expect((await stack.placeOrder(buyer, eventId, 1, key)).status).toBe(201);
    const reused = await stack.placeOrder(buyer, eventId, 2, key);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await stack.availableSeats(eventId)).toBe(9);
  });

  it('answers 409 NOT_ENOUGH_SEATS with how many are left, and a retry of it gets the same answer', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(3);
    const key = randomUUID();
    const refused = await stack.placeOrder(buyer, eventId, 4, key);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NOT_ENOUGH_SEATS', detail: 'Only 3 seats are left; 4 requested' });
    const replay = await stack.placeOrder(buyer, eventId, 4, key);
    expect(replay.status).toBe(409);
    expect(replay.body).toMatchObject({ code: 'NOT_ENOUGH_SEATS' });
    expect(await stack.availableSeats(eventId)).toBe(3);
    await settledInvariants(stack, eventId);
  });

  it('answers 404 for an event that does not exist', async () => {
    const buyer = await stack.buyer();
    const response = await stack.placeOrder(buyer, randomUUID(), 1);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('reading orders', () => {
  it('shows an order to its buyer and to an admin, not to another buyer', async () => {
    const [buyer, other] = [await stack.buyer(), await stack.buyer()];
    const eventId = await stack.event(5);
    const order = await stack.placeOrder(buyer, eventId, 1);
    const id = order.body.id as string;
    expect((await stack.getOrder(buyer, id)).body).toMatchObject({ id, order_status: 'pending_payment' });
    const admin = { userId: randomUUID(), email: 'root@example.test', roles: ['buyer', 'admin'] as const };
    expect((await stack.getOrder({ ...admin, roles: [...admin.roles] }, id)).status).toBe(200);
    const foreign = await stack.getOrder(other, id);
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await stack.getOrder(buyer, randomUUID())).status).toBe(404);
  });

  it('lists only the caller\'s own orders, newest first, in pages', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await stack.placeOrder(buyer, eventId, 1)).body.id as string);
    const page = await call(`${stack.orderUrl()}/order?limit=2&offset=0`, { headers: await stack.as(buyer) });
    expect(page.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect((page.body.items as { id: string }[]).map((item) => item.id)).toEqual([ids[2], ids[1]]);
    const next = await call(`${stack.orderUrl()}/order?limit=2&offset=2`, { headers: await stack.as(buyer) });
    expect((next.body.items as { id: string }[]).map((item) => item.id)).toEqual([ids[0]]);
  });
});

describe('payments', () => {
  it('confirms the order on success and records the payment', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(5, 4_000);
    const order = await stack.placeOrder(buyer, eventId, 2);
    const payment = await stack.pay(buyer, order.body.id as string, { amount: 8_000, payment_method: 'paypal' });
    expect(payment.status).toBe(201);
    expect(payment.body).toMatchObject({ order_id: order.body.id, amount: 8_000, currency: 'EUR', payment_method: 'paypal', payment_status: 'succeeded', failure_reason: null });
    const paid = await stack.getOrder(buyer, order.body.id as string);
    expect(paid.body).toMatchObject({ order_status: 'paid', hold_expires_at: null, payment_details: { method: 'paypal', status: 'succeeded', payment_id: payment.body.id } });
    const fetched = await call(`${stack.orderUrl()}/payment/${payment.body.id as string}`, { headers: await stack.as(buyer) });
    expect(fetched.body).toEqual(payment.body);
    const stranger = await call(`${stack.orderUrl()}/payment/${payment.body.id as string}`, { headers: await stack.as(await stack.buyer()) });
    expect(stranger.status).toBe(403);
    const report = await settledInvariants(stack, eventId);
    expect(report.statuses).toEqual({ paid: 1 });
    expect(report.held).toBe(2);
  });

  it('returns the same payment for a retried Idempotency-Key and refuses a second payment of a paid order', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(5);
    const order = await stack.placeOrder(buyer, eventId, 1);
    const key = randomUUID();
    const first = await stack.pay(buyer, order.body.id as string, {}, key);
    const retry = await stack.pay(buyer, order.body.id as string, {}, key);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    const reused = await stack.pay(buyer, order.body.id as string, { payment_method: 'paypal' }, key);
    expect(reused.status).toBe(422);
    const second = await stack.pay(buyer, order.body.id as string);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'ORDER_NOT_PAYABLE', detail: expect.stringMatching(/already paid/) });
  });

  it('refuses a wrong amount and someone else\'s order without charging', async () => {
    const [buyer, other] = [await stack.buyer(), await stack.buyer()];
    const eventId = await stack.event(5, 1_000);
    const order = await stack.placeOrder(buyer, eventId, 1);
    const wrong = await stack.pay(buyer, order.body.id as string, { amount: 999 });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'amount' }] });
    const foreign = await stack.pay(other, order.body.id as string);
    expect(foreign.status).toBe(403);
    expect((await stack.pay(buyer, randomUUID())).status).toBe(404);
    expect((await stack.getOrder(buyer, order.body.id as string)).body.order_status).toBe('pending_payment');
  });
});

describe('cancellation', () => {
  it('lets the buyer cancel an unpaid order, releases its seats once, and refuses to pay or cancel it again', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(4);
    const order = await stack.placeOrder(buyer, eventId, 3);
    const id = order.body.id as string;
    expect(await stack.availableSeats(eventId)).toBe(1);
    const other = await call(`${stack.orderUrl()}/order/${id}/cancel`, { method: 'POST', headers: await stack.as(await stack.buyer()) });
    expect(other.status).toBe(403);
    const cancelled = await call(`${stack.orderUrl()}/order/${id}/cancel`, { method: 'POST', headers: await stack.as(buyer) });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, order_status: 'cancelled' });
    expect(await stack.availableSeats(eventId)).toBe(4);
    const again = await call(`${stack.orderUrl()}/order/${id}/cancel`, { method: 'POST', headers: await stack.as(buyer) });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
    const pay = await stack.pay(buyer, id);
    expect(pay.status).toBe(409);
    expect(pay.body).toMatchObject({ code: 'ORDER_NOT_PAYABLE', detail: expect.stringMatching(/cancelled/) });
    expect(await stack.availableSeats(eventId)).toBe(4);
    expect(await stack.reservation(id)).toEqual({ state: 'released', quantity: 3 });
    await settledInvariants(stack, eventId);
  });

  it('refuses to cancel a paid order', async () => {
    const buyer = await stack.buyer();
    const eventId = await stack.event(4);
    const order = await stack.placeOrder(buyer, eventId, 1);
    await stack.pay(buyer, order.body.id as string);
    const cancel = await call(`${stack.orderUrl()}/order/${order.body.id as string}/cancel`, { method: 'POST', headers: await stack.as(buyer) });
    expect(cancel.status).toBe(409);
    expect(cancel.body).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE', detail: expect.stringMatching(/already paid/) });
  });
});
