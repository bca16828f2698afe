import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';

// Source data for the ETL tests and bench/etl.ts: users and events as the
// User Service stores them (SQL on the primary), orders and payments as the
// Ticket Order Service writes them into MongoDB (services/order/src/store/*.ts:
// placement in `orders`, decision in `transactions`, closure in
// `order_closures`, attempts in `payments`).

export type FinalStatus = 'preparing' | 'rejected' | 'pending_payment' | 'paid' | 'expired' | 'cancelled';
export type PaymentOutcome = 'processing' | 'succeeded' | 'failed' | 'refunded';

export interface OrderSpec {
  readonly orderId?: string;
  readonly userId: string;
  readonly eventId: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
  readonly currency: string;
  readonly status: FinalStatus;
  readonly createdAt: Date;
  /** Attempts before the one that paid (if paid): declined ones by default, or what is listed. */
  readonly extraPayments?: readonly PaymentOutcome[];
  /**
   * realistic (default): the decision 100 ms after the placement, a 10 min
   * hold, payment after 30 s. instant: everything within 100 ms, for orders
   * that must be wholly in the past right after they are written.
   */
  readonly timing?: 'realistic' | 'instant';
}

export type Document = Record<string, unknown> & { _id: string };

export interface OrderDocuments {
  readonly placement: Document;
  readonly decision: Document | null;
  readonly closure: Document | null;
  readonly payments: Document[];
}

const TIMINGS = {
  realistic: {
    decide: 100, hold: 600_000, attempt: 5_000, attemptGap: 2_000, pay: 30_000, settle: 1_000, paidAfter: 31_500, cancel: 60_000, expireAfter: 1_000,
  },
  instant: { decide: 5, hold: 40, attempt: 10, attemptGap: 5, pay: 20, settle: 1, paidAfter: 25, cancel: 30, expireAfter: 5 },
} as const;
type Timing = (typeof TIMINGS)[keyof typeof TIMINGS];
const plus = (date: Date, ms: number) => new Date(date.getTime() + ms);

export interface PaymentOwner {
  readonly orderId: string;
  readonly userId: string;
  readonly totalMinor: number;
  readonly currency: string;
}

export function paymentDocument(order: PaymentOwner, status: PaymentOutcome, createdAt: Date, settleMs = 1_000): Document {
  return {
    _id: randomUUID(),
    order_id: order.orderId,
    user_id: order.userId,
    amount_minor: order.totalMinor,
    currency: order.currency,
    method: 'card',
    status,
    request_hash: 'fixture',
    failure_reason: status === 'failed' ? 'card declined' : status === 'refunded' ? 'the order was expired while the payment was processed' : null,
    provider_reference: status === 'failed' ? null : `sim-${randomUUID().slice(0, 8)}`,
    created_at: createdAt,
    updated_at: status === 'processing' ? createdAt : plus(createdAt, settleMs),
  };
}

/** The documents an order in `status` consists of, timestamped from `createdAt` on. */
export function orderDocuments(spec: OrderSpec): OrderDocuments {
  const orderId = spec.orderId ?? randomUUID();
  const t: Timing = TIMINGS[spec.timing ?? 'realistic'];
  const placement: Document = {
    _id: orderId, user_id: spec.userId, event_id: spec.eventId, quantity: spec.quantity, request_hash: 'fixture', mode: 'two_phase_commit',
    created_at: spec.createdAt, coordinator: 'fixture', nonce: randomUUID(),
  };
  if (spec.status === 'preparing') return { placement, decision: null, closure: null, payments: [] };
  const decidedAt = plus(spec.createdAt, t.decide);
  if (spec.status === 'rejected') {
    return {
      placement,
      decision: { _id: orderId, order_id: orderId, mode: 'two_phase_commit', outcome: 'abort', decided_by: 'coordinator', decided_at: decidedAt, reason_code: 'NOT_ENOUGH_SEATS', reason: 'sold out', participants_clean: true },
      closure: null,
      payments: [],
    };
  }
  const totalMinor = spec.unitPriceMinor * spec.quantity;
  const holdExpiresAt = plus(decidedAt, t.hold);
  const decision: Document = {
    _id: orderId, order_id: orderId, mode: 'two_phase_commit', outcome: 'commit', decided_by: 'coordinator', decided_at: decidedAt,
    unit_price_minor: spec.unitPriceMinor, total_minor: totalMinor, currency: spec.currency, hold_expires_at: holdExpiresAt,
  };
  const order = { orderId, userId: spec.userId, totalMinor, currency: spec.currency };
  const payments = (spec.extraPayments ?? []).map((status, i) => paymentDocument(order, status, plus(decidedAt, t.attempt + i * t.attemptGap), t.settle));
  if (spec.status === 'pending_payment') return { placement, decision, closure: null, payments };
  if (spec.status === 'paid') {
    const paying = paymentDocument(order, 'succeeded', plus(decidedAt, t.pay), t.settle);
    return { placement, decision, closure: { _id: orderId, outcome: 'paid', at: plus(decidedAt, t.paidAfter), payment_id: paying._id, payment_method: 'card' }, payments: [...payments, paying] };
  }
  const closedAt = spec.status === 'expired' ? plus(holdExpiresAt, t.expireAfter) : plus(decidedAt, t.cancel);
  return { placement, decision, closure: { _id: orderId, outcome: spec.status, at: closedAt }, payments };
}

/** Inserts many orders' documents, collection by collection, in chunks. */
export async function insertOrders(db: Db, orders: readonly OrderDocuments[], chunk = 5_000): Promise<void> {
  const groups: Array<[string, Document[]]> = [
    ['orders', orders.map((o) => o.placement)],
    ['transactions', orders.flatMap((o) => (o.decision === null ? [] : [o.decision]))],
    ['order_closures', orders.flatMap((o) => (o.closure === null ? [] : [o.closure]))],
    ['payments', orders.flatMap((o) => o.payments)],
  ];
  for (const [collection, docs] of groups) {
    for (let i = 0; i < docs.length; i += chunk) await db.collection<Document>(collection).insertMany(docs.slice(i, i + chunk), { ordered: false });
  }
}

/** A deterministic pseudo-random source (mulberry32), so a data set is the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A status mix close to a real marketplace: most holds are paid, some expire or are cancelled, a few are rejected. */
export function pickStatus(random: () => number): FinalStatus {
  const r = random();
  if (r < 0.62) return 'paid';
  if (r < 0.77) return 'expired';
  if (r < 0.87) return 'cancelled';
  if (r < 0.95) return 'pending_payment';
  if (r < 0.99) return 'rejected';
  return 'preparing';
}
