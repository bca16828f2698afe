import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, OrderStack } from './support';

// Bad input to every order and payment endpoint, as one table, sent both
// straight to the Ticket Order Service and through the gateway: each gets a
// clear 4xx problem+json naming the offending field where there is one.

let stack: OrderStack;
let buyer: Identity;
let other: Identity;
let eventId: string;
let orderId: string;
let othersOrderId: string;
let paymentId: string;

beforeAll(async () => {
  stack = await OrderStack.start({ name: 'bad-input', gateway: true });
  [buyer, other] = [await stack.buyer(), await stack.buyer()];
  eventId = await stack.event(50, 1_500);
  orderId = (await stack.placeOrder(buyer, eventId, 2)).body.id as string;
  othersOrderId = (await stack.placeOrder(other, eventId, 1)).body.id as string;
  const paidOrder = (await stack.placeOrder(buyer, eventId, 1)).body.id as string;
  paymentId = (await stack.pay(buyer, paidOrder)).body.id as string;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Case {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly url: () => string;
  /** Raw JSON text, or an object to serialise. */
  readonly body?: unknown;
  readonly key?: string | null;
  readonly who?: 'buyer' | 'anonymous';
  readonly status: number;
  readonly code: string;
  readonly field?: string;
}

const order = (body: unknown, extra: Partial<Case> = {}): Omit<Case, 'name' | 'status' | 'code'> => ({ method: 'POST', url: () => '/order', body, ...extra });
const pay = (body: unknown, extra: Partial<Case> = {}): Omit<Case, 'name' | 'status' | 'code'> => ({ method: 'POST', url: () => '/payment', body, ...extra });

const CASES: readonly Case[] = [
  { name: 'quantity 0', ...order(() => ({ event_id: eventId, quantity: 0 })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'a negative quantity', ...order(() => ({ event_id: eventId, quantity: -3 })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'a huge quantity', ...order(() => ({ event_id: eventId, quantity: 1_000_000_000 })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'one more than the per-order maximum', ...order(() => ({ event_id: eventId, quantity: 11 })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'a non-integer quantity', ...order(() => ({ event_id: eventId, quantity: 1.5 })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'a quantity as a string', ...order(() => ({ event_id: eventId, quantity: '2' })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'a missing quantity', ...order(() => ({ event_id: eventId })), status: 400, code: 'VALIDATION_FAILED', field: 'quantity' },
  { name: 'an event id that is not a UUID', ...order({ event_id: 'concert-1', quantity: 1 }), status: 400, code: 'VALIDATION_FAILED', field: 'event_id' },
  { name: 'an unknown event', ...order(() => ({ event_id: randomUUID(), quantity: 1 })), status: 404, code: 'NOT_FOUND' },
  { name: 'an unknown field', ...order(() => ({ event_id: eventId, quantity: 1, price: 0 })), status: 400, code: 'VALIDATION_FAILED', field: 'price' },
  { name: 'malformed JSON', ...order('{"event_id": "x", "quantity": 1'), status: 400, code: 'MALFORMED_JSON' },
  { name: 'no Idempotency-Key', ...order(() => ({ event_id: eventId, quantity: 1 }), { key: null }), status: 400, code: 'VALIDATION_FAILED', field: 'idempotency-key' },
  { name: 'an Idempotency-Key with spaces', ...order(() => ({ event_id: eventId, quantity: 1 }), { key: 'not a key' }), status: 400, code: 'VALIDATION_FAILED', field: 'idempotency-key' },
  { name: 'an over-long Idempotency-Key', ...order(() => ({ event_id: eventId, quantity: 1 }), { key: 'k'.repeat(201) }), status: 400, code: 'VALIDATION_FAILED', field: 'idempotency-key' },
  { name: 'no identity', ...order(() => ({ event_id: eventId, quantity: 1 }), { who: 'anonymous' }), status: 401, code: 'UNAUTHENTICATED' },
  { name: 'an order id that is not a UUID', method: 'GET', url: () => '/order/42', status: 400, code: 'VALIDATION_FAILED', field: 'id' },
  { name: 'an unknown order', method: 'GET', url: () => `/order/${randomUUID()}`, status: 404, code: 'NOT_FOUND' },
  { name: 'someone else\'s order', method: 'GET', url: () => `/order/${othersOrderId}`, status: 403, code: 'FORBIDDEN' },
  { name: 'a page size of 0', method: 'GET', url: () => '/order?limit=0', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { name: 'a page size over 100', method: 'GET', url: () => '/order?limit=101', status: 400, code: 'VALIDATION_FAILED', field: 'limit' },
  { name: 'a negative offset', method: 'GET', url: () => '/order?offset=-1', status: 400, code: 'VALIDATION_FAILED', field: 'offset' },
  { name: 'cancelling someone else\'s order', method: 'POST', url: () => `/order/${othersOrderId}/cancel`, status: 403, code: 'FORBIDDEN' },
  { name: 'cancelling an unknown order', method: 'POST', url: () => `/order/${randomUUID()}/cancel`, status: 404, code: 'NOT_FOUND' },
  { name: 'a wrong amount', ...pay(() => ({ order_id: orderId, payment_method: 'card', amount: 2_999 })), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'a negative amount', ...pay(() => ({ order_id: orderId, payment_method: 'card', amount: -3_000 })), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'a fractional amount', ...pay(() => ({ order_id: orderId, payment_method: 'card', amount: 3_000.5 })), status: 400, code: 'VALIDATION_FAILED', field: 'amount' },
  { name: 'an unknown payment method', ...pay(() => ({ order_id: orderId, payment_method: 'bitcoin' })), status: 400, code: 'VALIDATION_FAILED', field: 'payment_method' },
  { name: 'a payment without an order id', ...pay({ payment_method: 'card' }), status: 400, code: 'VALIDATION_FAILED', field: 'order_id' },
  { name: 'a payment with no Idempotency-Key', ...pay(() => ({ order_id: orderId, payment_method: 'card' }), { key: null }), status: 400, code: 'VALIDATION_FAILED', field: 'idempotency-key' },
  { name: 'paying someone else\'s order', ...pay(() => ({ order_id: othersOrderId, payment_method: 'card' })), status: 403, code: 'FORBIDDEN' },
  { name: 'paying an unknown order', ...pay(() => ({ order_id: randomUUID(), payment_method: 'card' })), status: 404, code: 'NOT_FOUND' },
  { name: 'a payment id that is not a UUID', method: 'GET', url: () => '/payment/abc', status: 400, code: 'VALIDATION_FAILED', field: 'id' },
  { name: 'an unknown payment', method: 'GET', url: () => `/payment/${randomUUID()}`, status: 404, code: 'NOT_FOUND' },
];

async function send(base: string, via: 'service' | 'gateway', testCase: Case) {
  const headers: Record<string, string> = {};
  if (testCase.who !== 'anonymous') {
    if (via === 'service') Object.assign(headers, await stack.as(buyer));
    else headers.authorization = `Bearer ${await stack.token(buyer)}`;
  }
  if (testCase.key !== null && testCase.method === 'POST' && testCase.url().match(/^\/(order|payment)$/) !== null) headers['idempotency-key'] = testCase.key ?? randomUUID();
  const body = typeof testCase.body === 'function' ? (testCase.body as () => unknown)() : testCase.body;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${testCase.url()}`, { method: testCase.method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as { code: string; errors?: { field: string }[] } };
}

describe.each(['service', 'gateway'] as const)('bad input straight to the %s', (via) => {
  it.each(CASES)('$name -> $status $code', async (testCase) => {
    const base = via === 'service' ? stack.orderUrl() : stack.gatewayUrl;
    const response = await send(base, via, testCase);
    expect(response.status).toBe(testCase.status);
    expect(response.type).toContain('application/problem+json');
    expect(response.body.code).toBe(testCase.code);
    if (testCase.field !== undefined) expect(response.body.errors?.map((error) => error.field)).toContain(testCase.field);
  });
});

describe('a replayed Idempotency-Key with a different body', () => {
  it('is refused with 422 for orders and for payments', async () => {
    const key = randomUUID();
    expect((await stack.placeOrder(buyer, eventId, 1, key)).status).toBe(201);
    expect((await stack.placeOrder(buyer, eventId, 3, key)).body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const payKey = randomUUID();
    const fresh = (await stack.placeOrder(buyer, eventId, 1)).body.id as string;
    expect((await stack.pay(buyer, fresh, {}, payKey)).status).toBe(201);
    const reused = await stack.pay(buyer, fresh, { payment_method: 'paypal' }, payKey);
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // A payment the caller does not own is not shown either.
    const foreign = await call(`${stack.orderUrl()}/payment/${paymentId}`, { headers: await stack.as(other) });
    expect(foreign.status).toBe(403);
  });
});
