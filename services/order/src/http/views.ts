import type { OrderView, PaymentView } from '@eticket/contracts';
import { commitDecisionOf, orderStatus, type OrderRecord } from '../domain/order';
import type { Payment, PaymentMethod } from '../domain/payments';

/** An order as the public API shows it (snake_case, money in minor units). */
export function toOrderView(record: OrderRecord): OrderView {
  const { placement, decision, closure } = record;
  const status = orderStatus(record);
  const commit = commitDecisionOf(record);
  const paid = closure?.outcome === 'paid' && closure.paymentId !== undefined && closure.paymentMethod !== undefined;
  return {
    id: placement.id,
    user_id: placement.userId,
    event_id: placement.eventId,
    quantity: placement.quantity,
    unit_price: commit?.unitPrice.amountMinor ?? null,
    total_price: commit?.total.amountMinor ?? null,
    currency: commit?.total.currency ?? null,
    order_status: status,
    hold_expires_at: status === 'pending_payment' && commit !== null ? commit.holdExpiresAt.toISOString() : null,
    payment_details: paid ? { method: closure.paymentMethod as PaymentMethod, status: 'succeeded', payment_id: closure.paymentId } : null,
    status_reason: decision?.outcome === 'abort' ? decision.reason : null,
    created_at: placement.createdAt.toISOString(),
  };
}

export function toPaymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    order_id: payment.orderId,
    amount: payment.amount.amountMinor,
    currency: payment.amount.currency,
    payment_method: payment.method,
    payment_status: payment.status,
    failure_reason: payment.failureReason,
    created_at: payment.createdAt.toISOString(),
  };
}
