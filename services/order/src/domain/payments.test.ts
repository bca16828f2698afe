import { describe, expect, it } from 'vitest';
import { SimulatedPaymentProvider } from '../payments/simulated-provider';
import { silentLogger } from './fakes';
import { domainHarness } from './harness';
import { OrderNotices } from './notices';
import { Payments, type Payment, type PaymentStore } from './payments';

class MemoryPayments implements PaymentStore {
  readonly rows = new Map<string, Payment>();

  insert(payment: Payment) {
    const existing = this.rows.get(payment.id);
    if (existing !== undefined) return Promise.resolve({ created: false as const, existing });
    this.rows.set(payment.id, payment);
    return Promise.resolve({ created: true as const });
  }

  find(id: string) {
    return Promise.resolve(this.rows.get(id) ?? null);
  }

  settle(id: string, patch: Pick<Payment, 'status' | 'failureReason' | 'providerReference' | 'updatedAt'>) {
    const next = { ...this.rows.get(id)!, ...patch };
    this.rows.set(id, next);
    return Promise.resolve(next);
  }

  processingSince(before: Date) {
    return Promise.resolve([...this.rows.values()].filter((p) => p.status === 'processing' && p.createdAt < before));
  }
}

const alice = { userId: 'u-alice', email: 'alice@example.test', roles: ['buyer' as const] };

async function setup(failureRate = 0, onCharge?: () => void) {
  const d = domainHarness({ seats: 10 });
  const order = await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 });
  const provider = new SimulatedPaymentProvider({ latencyMs: 0, failureRate, random: () => 0.5 });
  const charge = provider.charge.bind(provider);
  provider.charge = async (request) => {
    onCharge?.();
    return charge(request);
  };
  const store = new MemoryPayments();
  const settings = { replayWaitMs: 100, stuckAfterMs: 60_000 };
  const notices = new OrderNotices(d.notifier, d.background, silentLogger);
  const payments = new Payments({ payments: store, orders: d.orders, provider, clock: d.clock, logger: silentLogger, settings, notices });
  return { d, orderId: order.placement.id, provider, store, payments };
}

describe('payments', () => {
  it('charges the order total and marks the order paid', async () => {
    const { d, orderId, payments } = await setup();
    const payment = await payments.pay(alice, 'pay-1', { orderId, method: 'card', amountMinor: 5_000 });
    expect(payment).toMatchObject({ status: 'succeeded', amount: { amountMinor: 5_000, currency: 'EUR' } });
    expect(d.orders.closures.get(orderId)).toMatchObject({ outcome: 'paid', paymentId: payment.id, paymentMethod: 'card' });
  });

  it('returns the first result for a retried key and refuses the key with another body', async () => {
    const { orderId, payments } = await setup();
    const first = await payments.pay(alice, 'pay-1', { orderId, method: 'card' });
    await expect(payments.pay(alice, 'pay-1', { orderId, method: 'card' })).resolves.toEqual(first);
    await expect(payments.pay(alice, 'pay-1', { orderId, method: 'paypal' })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('refuses a wrong amount, a stranger and a paid order before charging', async () => {
    const { orderId, payments, store } = await setup();
    await expect(payments.pay(alice, 'a', { orderId, method: 'card', amountMinor: 1 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'amount' }] });
    await expect(payments.pay({ ...alice, userId: 'u-bob' }, 'b', { orderId, method: 'card' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(store.rows.size).toBe(0);
    await payments.pay(alice, 'c', { orderId, method: 'card' });
    await expect(payments.pay(alice, 'd', { orderId, method: 'card' })).rejects.toMatchObject({ code: 'ORDER_NOT_PAYABLE' });
  });

  it('leaves the order payable after a decline', async () => {
    const { d, orderId, payments } = await setup(1);
    await expect(payments.pay(alice, 'a', { orderId, method: 'card' })).rejects.toMatchObject({ code: 'PAYMENT_DECLINED', message: expect.stringMatching(/payable until/) });
    expect(d.orders.closures.has(orderId)).toBe(false);
  });

  it('refunds a charge that lands after the hold expired and the order was closed as expired', async () => {
    // The hold runs out while the provider is charging, and expiry wins the order.
    const during: { expire?: () => void } = {};
    const { payments, provider, store, d, orderId } = await setup(0, () => during.expire?.());
    during.expire = () => {
      d.clock.advance(600_000);
      void d.holds.expire(orderId);
    };
    await expect(payments.pay(alice, 'a', { orderId, method: 'card' })).rejects.toMatchObject({ code: 'ORDER_NOT_PAYABLE', message: expect.stringMatching(/refunded/) });
    const payment = [...store.rows.values()][0]!;
    expect(payment.status).toBe('refunded');
    expect(provider.wasRefunded(payment.id)).toBe(true);
    expect(d.orders.closures.get(orderId)?.outcome).toBe('expired');
  });

  it('resolves a payment left processing by a crash', async () => {
    const { d, orderId, payments, store } = await setup();
    const now = d.clock.now();
    await store.insert({
      id: 'p-stuck',
      orderId,
      userId: alice.userId,
      amount: { amountMinor: 5_000, currency: 'EUR' },
      method: 'card',
      status: 'processing',
      requestHash: 'h',
      failureReason: null,
      providerReference: null,
      createdAt: now,
      updatedAt: now,
    });
    d.clock.advance(61_000);
    expect(await payments.resolveStuck(10)).toBe(1);
    expect(store.rows.get('p-stuck')).toMatchObject({ status: 'failed', failureReason: expect.stringMatching(/no record/) });
  });

  it('tells the buyer the payment succeeded, or failed with the hold still running, once per payment', async () => {
    const declined = await setup(1);
    await expect(declined.payments.pay(alice, 'a', { orderId: declined.orderId, method: 'card' })).rejects.toMatchObject({ code: 'PAYMENT_DECLINED' });
    await declined.d.settle();
    expect(declined.d.notifier.notices).toEqual([expect.objectContaining({ kind: 'payment_failed', orderId: declined.orderId, eventId: 'e-1', message: expect.stringMatching(/held until/) })]);

    const paid = await setup();
    const payment = await paid.payments.pay(alice, 'b', { orderId: paid.orderId, method: 'card' });
    await paid.payments.pay(alice, 'b', { orderId: paid.orderId, method: 'card' });
    await paid.d.settle();
    expect(paid.d.notifier.notices).toEqual([expect.objectContaining({ kind: 'payment_succeeded', orderId: paid.orderId, dedupeKey: `payment_succeeded:${payment.id}` })]);
  });
});
