import { AppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import { hasRole, type Identity } from '@eticket/auth';
import { deriveResourceId } from './ids';
import { formatMoney, type Money } from './money';
import { assertClosureAllowed } from './order';
import type { OrderNotices } from './notices';
import type { Clock, OrderStore } from './ports';
import { requestHash } from './request-hash';

export const PAYMENT_METHODS = ['card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentStatus = 'processing' | 'succeeded' | 'failed' | 'refunded';

export interface Payment {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly amount: Money;
  readonly method: PaymentMethod;
  readonly status: PaymentStatus;
  readonly requestHash: string;
  readonly failureReason: string | null;
  readonly providerReference: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export type ChargeResult = { readonly ok: true; readonly reference: string } | { readonly ok: false; readonly reason: string };

/** A payment provider. Charges are keyed by our payment id, so a retried charge is not a second charge. */
export interface PaymentProvider {
  charge(request: { readonly paymentId: string; readonly amount: Money; readonly method: PaymentMethod }): Promise<ChargeResult>;
  refund(paymentId: string, amount: Money): Promise<void>;
  /** What became of a charge whose answer was lost (crash, timeout). */
  lookup(paymentId: string): Promise<'charged' | 'declined' | 'unknown'>;
}

export interface PaymentStore {
  insert(payment: Payment): Promise<{ created: true } | { created: false; existing: Payment }>;
  find(paymentId: string): Promise<Payment | null>;
  /** Only the attempt's own request (or, much later, the stuck-payment resolver) writes a payment. */
  settle(paymentId: string, patch: { status: Exclude<PaymentStatus, 'processing'>; failureReason: string | null; providerReference: string | null; updatedAt: Date }): Promise<Payment>;
  processingSince(before: Date, limit: number): Promise<Payment[]>;
}

export interface PayRequest {
  readonly orderId: string;
  readonly method: PaymentMethod;
  /** When given, must equal the order's total (guards against paying a stale figure). */
  readonly amountMinor?: number;
}

export interface PaymentDeps {
  readonly payments: PaymentStore;
  readonly orders: OrderStore;
  readonly provider: PaymentProvider;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  readonly settings: { readonly replayWaitMs: number; readonly stuckAfterMs: number };
  /** payment_succeeded / payment_failed for the buyer; none in some unit tests. */
  readonly notices?: OrderNotices;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Paying for an order. The attempt is recorded (processing) before the
 * provider is called; a successful charge then competes for the order's
 * closure. If it loses (the hold expired or the order was cancelled while the
 * provider was charging), the charge is refunded: a paid order is never lost,
 * and an order whose seats were released is never marked paid.
 */
export class Payments {
  constructor(private readonly deps: PaymentDeps) {}

  async pay(identity: Identity, idempotencyKey: string, request: PayRequest): Promise<Payment> {
    const id = deriveResourceId(identity.userId, 'payment', idempotencyKey);
    const hash = requestHash('POST /payment', { order_id: request.orderId, payment_method: request.method, amount: request.amountMinor ?? null });
    const previous = await this.deps.payments.find(id);
    if (previous !== null) return this.replay(previous, hash);

    const record = await this.deps.orders.load(request.orderId);
    if (record === null) throw new AppError('NOT_FOUND', `Order ${request.orderId} does not exist`);
    if (record.placement.userId !== identity.userId) throw new AppError('FORBIDDEN', 'You may only pay for your own orders');
    const decision = assertClosureAllowed(record, 'paid', this.deps.clock.now());
    if (request.amountMinor !== undefined && request.amountMinor !== decision.total.amountMinor) {
      throw new AppError('VALIDATION_FAILED', `The amount ${request.amountMinor} does not match the order total ${decision.total.amountMinor} (${formatMoney(decision.total)})`, {
        fields: [{ field: 'amount', message: `must equal the order total, ${decision.total.amountMinor} minor units of ${decision.total.currency}` }],
      });
    }

    const now = this.deps.clock.now();
    const payment: Payment = {
      id,
      orderId: request.orderId,
      userId: identity.userId,
      amount: decision.total,
      method: request.method,
      status: 'processing',
      requestHash: hash,
      failureReason: null,
      providerReference: null,
      createdAt: now,
      updatedAt: now,
    };
    const inserted = await this.deps.payments.insert(payment);
    if (!inserted.created) return this.replay(inserted.existing, hash);

    const result = await this.deps.provider.charge({ paymentId: id, amount: payment.amount, method: payment.method });
    if (!result.ok) {
      const failed = await this.deps.payments.settle(id, { status: 'failed', failureReason: result.reason, providerReference: null, updatedAt: this.deps.clock.now() });
      this.deps.notices?.paymentFailed(record.placement, failed, decision.holdExpiresAt);
      return this.outcome(failed, decision.holdExpiresAt);
    }
    const settled = await this.settleCharged(payment, result.reference);
    if (settled.status === 'succeeded') this.deps.notices?.paymentSucceeded(record.placement, settled);
    return this.outcome(settled, decision.holdExpiresAt);
  }

  /** A charged payment takes the order's closure, or is refunded because the order ended otherwise. */
  private async settleCharged(payment: Payment, reference: string): Promise<Payment> {
    const record = await this.deps.orders.load(payment.orderId);
    let refundReason: string | null = null;
    if (record === null) {
      refundReason = 'the order no longer exists';
    } else {
      try {
        assertClosureAllowed(record, 'paid', this.deps.clock.now());
      } catch (error) {
        // Allowed only if this payment already won (a replayed settlement).
        if (record.closure?.paymentId !== payment.id) refundReason = error instanceof Error ? error.message : String(error);
      }
    }
    if (refundReason === null) {
      const closure = await this.deps.orders.close({ orderId: payment.orderId, outcome: 'paid', at: this.deps.clock.now(), paymentId: payment.id, paymentMethod: payment.method });
      if (closure.paymentId !== payment.id) refundReason = `the order was ${closure.outcome} while the payment was processed`;
    }
    if (refundReason === null) {
      return this.deps.payments.settle(payment.id, { status: 'succeeded', failureReason: null, providerReference: reference, updatedAt: this.deps.clock.now() });
    }
    await this.deps.provider.refund(payment.id, payment.amount);
    this.deps.logger.warn({ paymentId: payment.id, orderId: payment.orderId, refundReason }, 'charge refunded: the order could not be paid any more');
    return this.deps.payments.settle(payment.id, { status: 'refunded', failureReason: `Refunded: ${refundReason}`, providerReference: reference, updatedAt: this.deps.clock.now() });
  }

  /** A retried request gets what the first one got. */
  private async replay(previous: Payment, hash: string): Promise<Payment> {
    if (previous.requestHash !== hash) {
      throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different payment request; use a new key');
    }
    let current: Payment | null = previous;
    const deadline = Date.now() + this.deps.settings.replayWaitMs;
    while (current !== null && current.status === 'processing' && Date.now() < deadline) {
      await sleep(50);
      current = await this.deps.payments.find(previous.id);
    }
    if (current === null || current.status === 'processing') {
      throw new AppError('CONFLICT', 'A payment with this Idempotency-Key is still being processed; retry shortly', { retryAfterSeconds: 1 });
    }
    const record = await this.deps.orders.load(current.orderId);
    return this.outcome(current, record?.decision?.outcome === 'commit' ? record.decision.holdExpiresAt : null);
  }

  /** Success returns the payment; a decline or a refund is an error that names the payment. */
  private outcome(payment: Payment, holdExpiresAt: Date | null): Payment {
    if (payment.status === 'failed') {
      const until = holdExpiresAt === null ? '' : `; the order stays payable until ${holdExpiresAt.toISOString()}`;
      throw new AppError('PAYMENT_DECLINED', `Payment ${payment.id} was declined: ${payment.failureReason ?? 'no reason given'}${until}`);
    }
    if (payment.status === 'refunded') {
      throw new AppError('ORDER_NOT_PAYABLE', `Payment ${payment.id} could not be applied and was refunded: ${payment.failureReason ?? ''}`);
    }
    return payment;
  }

  async get(identity: Identity, paymentId: string): Promise<Payment> {
    const payment = await this.deps.payments.find(paymentId);
    if (payment === null) throw new AppError('NOT_FOUND', `Payment ${paymentId} does not exist`);
    if (payment.userId !== identity.userId && !hasRole(identity, 'admin')) throw new AppError('FORBIDDEN', 'You may only see your own payments');
    return payment;
  }

  /** Payments left `processing` by a crash: ask the provider what happened and finish them. */
  async resolveStuck(limit: number): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - this.deps.settings.stuckAfterMs);
    const stuck = await this.deps.payments.processingSince(before, limit);
    for (const payment of stuck) {
      const state = await this.deps.provider.lookup(payment.id);
      if (state === 'charged') {
        await this.settleCharged(payment, `recovered:${payment.id}`);
      } else {
        const reason = state === 'declined' ? 'declined by the provider' : 'the provider has no record of the charge; nothing was taken';
        await this.deps.payments.settle(payment.id, { status: 'failed', failureReason: reason, providerReference: null, updatedAt: this.deps.clock.now() });
      }
      this.deps.logger.warn({ paymentId: payment.id, state }, 'resolved a payment left processing');
    }
    return stuck.length;
  }
}
