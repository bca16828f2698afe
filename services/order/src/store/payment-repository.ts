import type { Db } from 'mongodb';
import type { Payment, PaymentMethod, PaymentStatus, PaymentStore } from '../domain/payments';
import { COLLECTIONS, guarded, insertIfAbsent } from './mongo';

interface PaymentDocument {
  _id: string;
  order_id: string;
  user_id: string;
  amount_minor: number;
  currency: string;
  method: PaymentMethod;
  status: PaymentStatus;
  request_hash: string;
  failure_reason: string | null;
  provider_reference: string | null;
  created_at: Date;
  updated_at: Date;
}

const toPayment = (doc: PaymentDocument): Payment => ({
  id: doc._id,
  orderId: doc.order_id,
  userId: doc.user_id,
  amount: { amountMinor: doc.amount_minor, currency: doc.currency },
  method: doc.method,
  status: doc.status,
  requestHash: doc.request_hash,
  failureReason: doc.failure_reason,
  providerReference: doc.provider_reference,
  createdAt: doc.created_at,
  updatedAt: doc.updated_at,
});

/**
 * Payment attempts. The `_id` is derived from the buyer's Idempotency-Key, so
 * the insert is the idempotency check. A payment has one writer at a time
 * (its own request; the stuck-payment resolver only long after), which is
 * what makes a plain update safe on FerretDB.
 */
export class MongoPaymentRepository implements PaymentStore {
  constructor(private readonly db: Db) {}

  private get payments() {
    return this.db.collection<PaymentDocument>(COLLECTIONS.payments);
  }

  insert(payment: Payment): Promise<{ created: true } | { created: false; existing: Payment }> {
    return guarded('insert payment', async () => {
      const doc: PaymentDocument = {
        _id: payment.id,
        order_id: payment.orderId,
        user_id: payment.userId,
        amount_minor: payment.amount.amountMinor,
        currency: payment.amount.currency,
        method: payment.method,
        status: payment.status,
        request_hash: payment.requestHash,
        failure_reason: payment.failureReason,
        provider_reference: payment.providerReference,
        created_at: payment.createdAt,
        updated_at: payment.updatedAt,
      };
      if (await insertIfAbsent(this.db, COLLECTIONS.payments, doc)) return { created: true };
      const existing = await this.payments.findOne({ _id: payment.id });
      if (existing === null) throw new Error(`payment ${payment.id} vanished`);
      return { created: false, existing: toPayment(existing) };
    });
  }

  find(paymentId: string): Promise<Payment | null> {
    return guarded('find payment', async () => {
      const doc = await this.payments.findOne({ _id: paymentId });
      return doc === null ? null : toPayment(doc);
    });
  }

  settle(paymentId: string, patch: { status: Exclude<PaymentStatus, 'processing'>; failureReason: string | null; providerReference: string | null; updatedAt: Date }): Promise<Payment> {
    return guarded('settle payment', async () => {
      await this.payments.updateOne(
        { _id: paymentId },
        { $set: { status: patch.status, failure_reason: patch.failureReason, provider_reference: patch.providerReference, updated_at: patch.updatedAt } },
      );
      const doc = await this.payments.findOne({ _id: paymentId });
      if (doc === null) throw new Error(`payment ${paymentId} vanished`);
      return toPayment(doc);
    });
  }

  processingSince(before: Date, limit: number): Promise<Payment[]> {
    return guarded('stuck payments', async () => {
      const docs = await this.payments.find({ status: 'processing', created_at: { $lt: before } }).sort({ created_at: 1 }).limit(limit).toArray();
      return docs.map(toPayment);
    });
  }
}
