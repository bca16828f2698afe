import { describe, expect, it } from 'vitest';
import { domainHarness } from './harness';

const alice = { userId: 'u-alice', email: 'alice@example.test', roles: ['buyer' as const] };
const bob = { userId: 'u-bob', email: 'bob@example.test', roles: ['buyer' as const] };
const admin = { userId: 'u-admin', email: 'admin@example.test', roles: ['buyer' as const, 'admin' as const] };

describe('order use cases', () => {
  it('returns the same order for the same Idempotency-Key and body', async () => {
    const d = domainHarness();
    const first = await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 });
    const second = await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 });
    expect(second.placement.id).toBe(first.placement.id);
    expect(d.seats.available).toBe(98);
  });

  it('gives two buyers using the same key two different orders', async () => {
    const d = domainHarness();
    const a = await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 1 });
    const b = await d.service.place(bob, 'k', { eventId: 'e-1', quantity: 1 });
    expect(a.placement.id).not.toBe(b.placement.id);
  });

  it('refuses the same key with another body', async () => {
    const d = domainHarness();
    await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 });
    await expect(d.service.place(alice, 'k', { eventId: 'e-1', quantity: 3 })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers a refused order with its reason, also on a retry', async () => {
    const d = domainHarness({ seats: 1 });
    await expect(d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 })).rejects.toMatchObject({ code: 'NOT_ENOUGH_SEATS' });
    await expect(d.service.place(alice, 'k', { eventId: 'e-1', quantity: 2 })).rejects.toMatchObject({ code: 'NOT_ENOUGH_SEATS' });
  });

  it('shows an order to its buyer and an admin only', async () => {
    const d = domainHarness();
    const order = await d.service.place(alice, 'k', { eventId: 'e-1', quantity: 1 });
    await expect(d.service.get(alice, order.placement.id)).resolves.toMatchObject({ placement: { id: order.placement.id } });
    await expect(d.service.get(admin, order.placement.id)).resolves.toBeDefined();
    await expect(d.service.get(bob, order.placement.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(d.service.get(alice, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads an order whose coordinator died as rejected once the bound has passed, and lets nobody commit it afterwards', async () => {
    const d = domainHarness({ crashAt: 'crash-after-prepare' });
    await expect(d.service.place(alice, 'k', { eventId: 'e-1', quantity: 1 })).rejects.toThrow();
    const orderId = [...d.orders.placements.keys()][0]!;
    expect((await d.service.get(alice, orderId)).decision).toBeNull();
    d.clock.advance(10_000);
    expect((await d.service.get(alice, orderId)).decision).toMatchObject({ outcome: 'abort', decidedBy: 'reader' });
    await d.settle();
    expect(d.seats.states.get(orderId)).toBe('aborted');
  });

  it('lists the caller\'s orders, newest first', async () => {
    const d = domainHarness();
    const first = await d.service.place(alice, 'a', { eventId: 'e-1', quantity: 1 });
    d.clock.advance(1_000);
    const second = await d.service.place(alice, 'b', { eventId: 'e-1', quantity: 1 });
    await d.service.place(bob, 'c', { eventId: 'e-1', quantity: 1 });
    const page = await d.service.list(alice, 10, 0);
    expect(page.total).toBe(2);
    expect(page.items.map((item) => item.placement.id)).toEqual([second.placement.id, first.placement.id]);
  });
});
