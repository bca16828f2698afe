import { orderStatus, type Closure, type ClosureOutcome, type OrderRecord, type PlacementMode } from '../../services/order/src/domain/order';
import { fromDecisionDocument, type DecisionDocument } from '../../services/order/src/store/transaction-log';
import type { Harness } from './support';

// Reconciliation: the same totals computed from the sources (users and events
// on the primary; orders through the order service's own status rule over its
// MongoDB documents) and from the warehouse's star schema. After a successful
// run the two must be equal.

export interface Totals {
  readonly users: number;
  readonly events: number;
  /** status -> orders, seats */
  readonly orders: Record<string, { orders: number; seats: number }>;
  /** currency -> sum of paid orders' totals */
  readonly paidRevenue: Record<string, number>;
  /** `status currency` -> payments, amount */
  readonly payments: Record<string, { payments: number; amount: number }>;
}

interface PlacementDoc {
  _id: string; user_id: string; event_id: string; quantity: number; request_hash: string; mode: PlacementMode; created_at: Date; coordinator: string;
}
interface ClosureDoc { _id: string; outcome: ClosureOutcome; at: Date }
interface PaymentDoc { _id: string; amount_minor: number; currency: string; status: string }

const bump = <T extends Record<string, number>>(map: Record<string, T>, key: string, add: T): void => {
  const current = map[key];
  map[key] = (current === undefined ? { ...add } : Object.fromEntries(Object.entries(current).map(([k, v]) => [k, v + (add[k] ?? 0)]))) as T;
};

/** What reconciling needs: the primary, the order database and the warehouse. */
export type Sources = Pick<Harness, 'primary' | 'db' | 'warehouse'>;

export async function sourceTotals(h: Sources): Promise<Totals> {
  const count = async (table: string) => (await h.primary.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ?? 0;
  const [placements, decisions, closures, payments] = await Promise.all([
    h.db.collection<PlacementDoc>('orders').find().toArray(),
    h.db.collection<DecisionDocument>('transactions').find().toArray(),
    h.db.collection<ClosureDoc>('order_closures').find().toArray(),
    h.db.collection<PaymentDoc>('payments').find().toArray(),
  ]);
  const decisionOf = new Map(decisions.map((doc) => [doc._id, fromDecisionDocument(doc)]));
  const closureOf = new Map(closures.map((doc): [string, Closure] => [doc._id, { orderId: doc._id, outcome: doc.outcome, at: doc.at }]));
  const orders: Totals['orders'] = {};
  const paidRevenue: Record<string, number> = {};
  for (const doc of placements) {
    const record: OrderRecord = {
      placement: {
        id: doc._id, userId: doc.user_id, eventId: doc.event_id, quantity: doc.quantity, requestHash: doc.request_hash, mode: doc.mode,
        createdAt: doc.created_at, coordinator: doc.coordinator,
      },
      decision: decisionOf.get(doc._id) ?? null,
      closure: closureOf.get(doc._id) ?? null,
    };
    const status = orderStatus(record);
    bump(orders, status, { orders: 1, seats: doc.quantity });
    if (status === 'paid' && record.decision?.outcome === 'commit') {
      paidRevenue[record.decision.total.currency] = (paidRevenue[record.decision.total.currency] ?? 0) + record.decision.total.amountMinor;
    }
  }
  const byPayment: Totals['payments'] = {};
  for (const doc of payments) bump(byPayment, `${doc.status} ${doc.currency}`, { payments: 1, amount: doc.amount_minor });
  return { users: await count('users'), events: await count('events'), orders, paidRevenue, payments: byPayment };
}

export async function warehouseTotals(h: Sources): Promise<Totals> {
  const one = async (sql: string) => (await h.warehouse.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
  const orders: Totals['orders'] = {};
  for (const row of (await h.warehouse.query<{ status: string; n: number; seats: number }>('SELECT status, count(*)::int AS n, sum(quantity)::int AS seats FROM dw.fact_order GROUP BY status')).rows) {
    orders[row.status] = { orders: row.n, seats: row.seats };
  }
  const paidRevenue: Record<string, number> = {};
  for (const row of (await h.warehouse.query<{ currency: string; total: string }>('SELECT currency, sum(total_minor) AS total FROM dw.fact_order WHERE status = \'paid\' GROUP BY currency')).rows) {
    paidRevenue[row.currency] = Number(row.total);
  }
  const payments: Totals['payments'] = {};
  for (const row of (await h.warehouse.query<{ status: string; currency: string; n: number; amount: string }>('SELECT status, currency, count(*)::int AS n, sum(amount_minor) AS amount FROM dw.fact_payment GROUP BY status, currency')).rows) {
    payments[`${row.status} ${row.currency}`] = { payments: row.n, amount: Number(row.amount) };
  }
  return { users: await one('SELECT count(*)::int AS n FROM dw.dim_user'), events: await one('SELECT count(*)::int AS n FROM dw.dim_event'), orders, paidRevenue, payments };
}
