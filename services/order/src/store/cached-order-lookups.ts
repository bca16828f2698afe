import type { Cache, CachePolicy } from '@eticket/cache';
import { orderStatus, type Closure, type Decision, type OrderRecord, type Placement } from '../domain/order';
import type { OrderStore } from '../domain/ports';

// Order look-ups by id through the shared cache (docs/architecture.md, "What the services cache").

type Dated<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]: string };
type CachedDecision = Dated<Extract<Decision, { outcome: 'commit' }>, 'decidedAt' | 'holdExpiresAt'> | Dated<Extract<Decision, { outcome: 'abort' }>, 'decidedAt'>;

/** An order as stored in the cache: JSON, so its dates travel as ISO strings. */
interface CachedOrder {
  readonly placement: Dated<Placement, 'createdAt'>;
  readonly decision: CachedDecision | null;
  readonly closure: Dated<Closure, 'at'> | null;
}

const FINAL = new Set(['rejected', 'paid', 'expired', 'cancelled']);

/**
 * 60 s, and only orders in a final state (rejected, paid, expired,
 * cancelled). An order is a set of write-once records (placement, decision,
 * closure), so a final order never changes again: its entry can never be
 * stale and needs no invalidation; the TTL only bounds memory. An order that
 * is still being placed or waits for payment changes at the next step
 * (possibly in another instance) and is never stored: it is always read from
 * the database, so a buyer who just paid never sees "pending_payment" again.
 * No single flight either: a buyer who reads their order right after paying
 * must not get the answer of a load that another request started before the
 * payment. Not-found is not remembered: the id of an order is known before
 * its placement is written (it derives from the Idempotency-Key).
 */
export const ORDER_POLICY: CachePolicy<CachedOrder> = {
  ttlSeconds: 60,
  notFoundTtlSeconds: 0,
  schemaVersion: 1,
  singleFlight: false,
  storeIf: (order) => FINAL.has(orderStatus(fromCached(order))),
};

function toCached(record: OrderRecord): CachedOrder {
  const { placement, decision, closure } = record;
  return {
    placement: { ...placement, createdAt: placement.createdAt.toISOString() },
    decision: decision === null ? null : decision.outcome === 'commit'
      ? { ...decision, decidedAt: decision.decidedAt.toISOString(), holdExpiresAt: decision.holdExpiresAt.toISOString() }
      : { ...decision, decidedAt: decision.decidedAt.toISOString() },
    closure: closure === null ? null : { ...closure, at: closure.at.toISOString() },
  };
}

function fromCached(order: CachedOrder): OrderRecord {
  const { placement, decision, closure } = order;
  return {
    placement: { ...placement, createdAt: new Date(placement.createdAt) },
    decision: decision === null ? null : decision.outcome === 'commit'
      ? { ...decision, decidedAt: new Date(decision.decidedAt), holdExpiresAt: new Date(decision.holdExpiresAt) }
      : { ...decision, decidedAt: new Date(decision.decidedAt) },
    closure: closure === null ? null : { ...closure, at: new Date(closure.at) },
  };
}

/**
 * GET /order/:id's look-up: final orders from the cache, everything else
 * from the database. Only that route uses it; placing, paying, cancelling
 * and expiring read the database (no decision is ever made from the cache).
 */
export class CachedOrderLookups implements Pick<OrderStore, 'load'> {
  constructor(private readonly orders: Pick<OrderStore, 'load'>, private readonly cache: Cache) {}

  async load(orderId: string): Promise<OrderRecord | null> {
    // Every loaded order answers (every reader sharing the load gets it); ORDER_POLICY stores only final ones.
    const cached = await this.cache.getOrLoad(orderId, ORDER_POLICY, async () => {
      const record = await this.orders.load(orderId);
      return record === null ? undefined : toCached(record);
    });
    return cached === undefined ? null : fromCached(cached);
  }
}
