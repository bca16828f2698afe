import { isAppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import type { BackgroundWork } from './background';
import { formatMoney } from './money';
import type { CommitDecision, Placement } from './order';
import type { Payment } from './payments';
import type { Notifier, OrderNotice } from './ports';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const seats = (quantity: number) => (quantity === 1 ? '1 seat' : `${quantity} seats`);

/**
 * The buyer's notices other than "payment pending" (which phase 2 sends and
 * recovery re-sends): sent in the background, a few attempts, never failing
 * the request that caused them. Each carries a dedupe key, so a retry or two
 * instances sending the same notice store it once. A notice that still
 * cannot be delivered is logged and dropped — the order itself (GET /order)
 * stays the authority on its state.
 */
export class OrderNotices {
  constructor(
    private readonly notifier: Notifier,
    private readonly background: BackgroundWork,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly attempts = 3,
  ) {}

  send(notice: OrderNotice): void {
    this.background.run(`notify ${notice.dedupeKey}`, async () => {
      for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
        try {
          await this.notifier.notify(notice);
          return;
        } catch (error) {
          const refused = isAppError(error) && !['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'CIRCUIT_OPEN', 'INTERNAL'].includes(error.code);
          if (refused || attempt === this.attempts) {
            this.logger.warn({ err: error, kind: notice.kind, orderId: notice.orderId }, 'notification not delivered to the User Service; dropped');
            return;
          }
          await sleep(100 * 4 ** (attempt - 1));
        }
      }
    });
  }

  paymentSucceeded(placement: Placement, payment: Payment): void {
    this.send({
      kind: 'payment_succeeded',
      userId: placement.userId,
      orderId: placement.id,
      eventId: placement.eventId,
      message: `Order ${placement.id}: payment of ${formatMoney(payment.amount)} received; your ${seats(placement.quantity)} are confirmed`,
      dedupeKey: `payment_succeeded:${payment.id}`,
    });
  }

  paymentFailed(placement: Placement, payment: Payment, holdExpiresAt: Date | null): void {
    const until = holdExpiresAt === null ? '' : `; your seats stay held until ${holdExpiresAt.toISOString()}`;
    this.send({
      kind: 'payment_failed',
      userId: placement.userId,
      orderId: placement.id,
      eventId: placement.eventId,
      message: `Order ${placement.id}: payment of ${formatMoney(payment.amount)} failed (${payment.failureReason ?? 'declined'})${until}`,
      dedupeKey: `payment_failed:${payment.id}`,
    });
  }

  holdExpiring(placement: Placement, decision: CommitDecision): void {
    this.send({
      kind: 'hold_expiring',
      userId: placement.userId,
      orderId: placement.id,
      eventId: placement.eventId,
      message: `Order ${placement.id}: your ${seats(placement.quantity)} are held only until ${decision.holdExpiresAt.toISOString()}; pay ${formatMoney(decision.total)} before then`,
      dedupeKey: `hold_expiring:${placement.id}`,
    });
  }

  orderEnded(placement: Placement, outcome: 'expired' | 'cancelled'): void {
    this.send({
      kind: outcome === 'expired' ? 'order_expired' : 'order_cancelled',
      userId: placement.userId,
      orderId: placement.id,
      eventId: placement.eventId,
      message: outcome === 'expired'
        ? `Order ${placement.id} expired unpaid; its ${seats(placement.quantity)} were released`
        : `Order ${placement.id} was cancelled; its ${seats(placement.quantity)} were released`,
      dedupeKey: `order_${outcome}:${placement.id}`,
    });
  }
}
