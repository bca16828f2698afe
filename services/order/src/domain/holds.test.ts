import { describe, expect, it } from 'vitest';
import { domainHarness } from './harness';

const identity = { userId: 'u-1', email: 'a@example.test', roles: ['buyer' as const] };

async function placed(seats = 10) {
  const d = domainHarness({ seats });
  const record = await d.service.place(identity, 'key-1', { eventId: 'e-1', quantity: 3 });
  return { d, orderId: record.placement.id };
}

describe('holds', () => {
  it('puts a committed order on the timers at its hold expiry', async () => {
    const { d, orderId } = await placed();
    expect(d.scheduled.get(orderId)).toEqual(new Date(d.clock.now().getTime() + 600_000));
  });

  it('expires an order once, however many times expiry is attempted, and gives the seats back once', async () => {
    const { d, orderId } = await placed();
    expect(d.seats.available).toBe(7);
    await d.holds.expire(orderId);
    expect(d.orders.closures.has(orderId)).toBe(false);
    d.clock.advance(600_000);
    await Promise.all([d.holds.expire(orderId), d.holds.expire(orderId), d.holds.scan()]);
    expect(d.orders.closures.get(orderId)?.outcome).toBe('expired');
    expect(d.seats.available).toBe(10);
    expect(d.seats.states.get(orderId)).toBe('released');
  });

  it('never expires a paid order', async () => {
    const { d, orderId } = await placed();
    await d.orders.close({ orderId, outcome: 'paid', at: d.clock.now(), paymentId: 'p-1', paymentMethod: 'card' });
    d.clock.advance(600_000);
    await d.holds.expire(orderId);
    expect(d.orders.closures.get(orderId)?.outcome).toBe('paid');
    expect(d.seats.available).toBe(7);
  });

  it('cancels an unpaid order and releases its seats; a second cancel is refused', async () => {
    const { d, orderId } = await placed();
    const record = (await d.orders.load(orderId))!;
    expect((await d.holds.cancel(record)).outcome).toBe('cancelled');
    expect(d.seats.available).toBe(10);
    await expect(d.service.cancel(identity, orderId)).rejects.toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
  });

  it('retries a release the User Service missed on the next scan', async () => {
    const { d, orderId } = await placed();
    d.seats.down = true;
    d.clock.advance(600_000);
    await d.holds.expire(orderId);
    expect(d.orders.closures.get(orderId)?.outcome).toBe('expired');
    expect(d.orders.released.has(orderId)).toBe(false);
    d.seats.down = false;
    expect((await d.holds.scan()).released).toBe(1);
    expect(d.seats.available).toBe(10);
  });

  it('finds holds another instance left behind and expires the ones that ran out', async () => {
    const { d, orderId } = await placed();
    d.scheduled.clear();
    d.clock.advance(600_001);
    expect((await d.holds.scan()).expired).toBe(1);
    expect(d.orders.closures.get(orderId)?.outcome).toBe('expired');
  });

  it('warns the buyer of an unpaid hold once (one dedupe key), and not once it is paid or over', async () => {
    const { d, orderId } = await placed();
    await Promise.all([d.holds.warn(orderId), d.holds.warn(orderId)]);
    await d.settle();
    const warnings = d.notifier.notices.filter((notice) => notice.kind === 'hold_expiring');
    expect(new Set(warnings.map((notice) => notice.dedupeKey))).toEqual(new Set([`hold_expiring:${orderId}`]));
    expect(warnings[0]).toMatchObject({ userId: 'u-1', orderId, eventId: 'e-1' });
    await d.orders.close({ orderId, outcome: 'paid', at: d.clock.now(), paymentId: 'p-1', paymentMethod: 'card' });
    d.notifier.notices.length = 0;
    await d.holds.warn(orderId);
    await d.settle();
    expect(d.notifier.notices).toEqual([]);
  });

  it('tells the buyer when the hold expired or the order was cancelled', async () => {
    const { d, orderId } = await placed();
    d.clock.advance(600_000);
    await d.holds.expire(orderId);
    const second = await d.service.place(identity, 'key-2', { eventId: 'e-1', quantity: 1 });
    await d.service.cancel(identity, second.placement.id);
    await d.settle();
    expect(d.notifier.notices.map((notice) => [notice.kind, notice.orderId, notice.dedupeKey])).toEqual([
      ['order_expired', orderId, `order_expired:${orderId}`],
      ['order_cancelled', second.placement.id, `order_cancelled:${second.placement.id}`],
    ]);
  });
});
