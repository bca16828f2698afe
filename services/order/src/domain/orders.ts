import { assertOwnerOrAdmin, type Identity } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import type { BackgroundWork } from './background';
import type { Coordinator } from './coordinator';
import type { Holds, HoldScheduler } from './holds';
import { deriveResourceId } from './ids';
import type { OrderRecord, Placement } from './order';
import type { Phase2 } from './phase2';
import type { Clock, OrderStore } from './ports';
import type { Recovery } from './recovery';
import { requestHash } from './request-hash';

export interface OrdersDeps {
  readonly coordinator: Coordinator;
  readonly orders: OrderStore;
  /**
   * Where GET /order/:id looks an order up: a cached read model of orders in
   * a final state (store/cached-order-lookups.ts), or `orders` itself.
   * Everything that decides (placing, paying, cancelling, expiring) reads
   * `orders`, the database.
   */
  readonly lookups?: Pick<OrderStore, 'load'>;
  readonly recovery: Recovery;
  readonly holds: Holds;
  readonly phase2: Phase2;
  readonly background: BackgroundWork;
  readonly clock: Clock;
  /** Holds this instance commits go straight onto its timers; other instances' are found by the scan. */
  readonly scheduler: HoldScheduler;
  readonly settings: { readonly replayWaitMs: number };
}

export interface PlaceOrderRequest {
  readonly eventId: string;
  readonly quantity: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The order use cases behind the HTTP routes. */
export class Orders {
  constructor(private readonly deps: OrdersDeps) {}

  /**
   * Places an order, or, for a retried Idempotency-Key, answers what the
   * first attempt got: the same order, or the same refusal.
   */
  async place(identity: Identity, idempotencyKey: string, request: PlaceOrderRequest): Promise<OrderRecord> {
    const orderId = deriveResourceId(identity.userId, 'order', idempotencyKey);
    const hash = requestHash('POST /order', { event_id: request.eventId, quantity: request.quantity });
    const placement = { orderId, userId: identity.userId, eventId: request.eventId, quantity: request.quantity, requestHash: hash };
    const result = await this.deps.coordinator.place(placement);
    const record = result.kind === 'decided' ? result.record : await this.replay(result.placement, hash);
    if (record.decision?.outcome === 'commit' && record.closure === null) {
      this.deps.scheduler.schedule(record.placement.id, record.decision.holdExpiresAt);
    }
    return this.answer(record);
  }

  private async replay(placement: Placement, hash: string): Promise<OrderRecord> {
    if (placement.requestHash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different order request; use a new key');
    }
    // A concurrent duplicate: the first request is still in its two-phase commit.
    const deadline = Date.now() + this.deps.settings.replayWaitMs;
    for (;;) {
      const record = await this.settled(placement.id);
      if (record !== null && record.decision !== null) return record;
      if (Date.now() >= deadline) {
        throw new AppError('CONFLICT', 'An order with this Idempotency-Key is still being placed; retry shortly', { retryAfterSeconds: 1 });
      }
      await sleep(50);
    }
  }

  /** A placed order is returned; a refused one is the refusal its decision recorded. */
  private answer(record: OrderRecord): OrderRecord {
    if (record.decision?.outcome === 'abort') throw new AppError(record.decision.reasonCode, record.decision.reason);
    return record;
  }

  /** An order as its owner (or an admin) sees it; may come from the cache of final orders. */
  async get(identity: Identity, orderId: string): Promise<OrderRecord> {
    return this.owned(identity, orderId, this.deps.lookups ?? this.deps.orders);
  }

  async list(identity: Identity, limit: number, offset: number): Promise<{ items: OrderRecord[]; total: number }> {
    const page = await this.deps.orders.listForUser(identity.userId, limit, offset);
    return { total: page.total, items: await Promise.all(page.items.map((record) => this.settleIfStuck(record))) };
  }

  async cancel(identity: Identity, orderId: string): Promise<OrderRecord> {
    // From the database: a cancellation is a decision.
    const record = await this.owned(identity, orderId, this.deps.orders);
    if (record.placement.userId !== identity.userId) throw new AppError('FORBIDDEN', 'You may only cancel your own orders');
    const closure = await this.deps.holds.cancel(record);
    if (closure.outcome !== 'cancelled') {
      throw new AppError('ORDER_NOT_CANCELLABLE', `Order ${orderId} cannot be cancelled: it was ${closure.outcome} meanwhile`);
    }
    return { ...record, closure };
  }

  private async owned(identity: Identity, orderId: string, from: Pick<OrderStore, 'load'>): Promise<OrderRecord> {
    const record = await this.settled(orderId, from);
    if (record === null) throw new AppError('NOT_FOUND', `Order ${orderId} does not exist`);
    assertOwnerOrAdmin(identity, record.placement.userId);
    return record;
  }

  /** Loads an order; one left undecided past the bound (its coordinator died) is presumed aborted on the spot. */
  private async settled(orderId: string, from: Pick<OrderStore, 'load'> = this.deps.orders): Promise<OrderRecord | null> {
    const record = await from.load(orderId);
    return record === null ? null : this.settleIfStuck(record);
  }

  private async settleIfStuck(record: OrderRecord): Promise<OrderRecord> {
    if (record.decision !== null || !this.deps.recovery.isOverdue(record.placement)) return record;
    const decision = await this.deps.recovery.presumeAbort(record.placement.id, record.placement.mode, 'reader');
    if (decision.outcome === 'abort' && record.placement.mode === 'two_phase_commit') {
      this.deps.background.run(`abort ${decision.txId}`, async () => {
        await this.deps.phase2.abort(decision);
      });
    }
    return { ...record, decision };
  }
}
