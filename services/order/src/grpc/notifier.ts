import * as grpc from '@grpc/grpc-js';
import { callUnary, loadUserContracts } from '@eticket/contracts';
import type { NotificationsClient } from '@eticket/contracts/generated/eticket/user/v1/Notifications';
import { formatMoney } from '../domain/money';
import type { CommitDecision, Placement } from '../domain/order';
import type { Notifier, OrderNotice } from '../domain/ports';

/** The buyer's notices ("payment pending" and the rest) through the User Service's Notifications.Send; the dedupe key makes a resend harmless. */
export class GrpcNotifier implements Notifier {
  private readonly client: NotificationsClient;

  constructor(
    address: string,
    private readonly deadlineMs: number,
  ) {
    this.client = new (loadUserContracts().Notifications)(address, grpc.credentials.createInsecure());
  }

  async paymentPending(placement: Placement, decision: CommitDecision): Promise<void> {
    const seats = placement.quantity === 1 ? '1 seat' : `${placement.quantity} seats`;
    await callUnary(this.client.Send.bind(this.client), {
      user_id: placement.userId,
      kind: 'payment_pending',
      message: `Order ${placement.id}: ${seats} held for you; pay ${formatMoney(decision.total)} before ${decision.holdExpiresAt.toISOString()}`,
      dedupe_key: `payment_pending:${placement.id}`,
      order_id: placement.id,
      event_id: placement.eventId,
    }, this.deadlineMs, { waitForReady: true });
  }

  async notify(notice: OrderNotice): Promise<void> {
    await callUnary(this.client.Send.bind(this.client), {
      user_id: notice.userId,
      kind: notice.kind,
      message: notice.message,
      dedupe_key: notice.dedupeKey,
      order_id: notice.orderId,
      event_id: notice.eventId,
    }, this.deadlineMs, { waitForReady: true });
  }

  close(): void {
    this.client.close();
  }
}
