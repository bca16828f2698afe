import { Cache, MemoryCacheBackend } from '@eticket/cache';
import { describe, expect, it } from 'vitest';
import type { AbortDecision, CommitDecision, OrderRecord } from '../domain/order';
import { CachedOrderLookups } from './cached-order-lookups';

const placedAt = new Date('2030-01-01T10:00:00Z');
const placement = { id: 'o-1', userId: 'u-1', eventId: 'e-1', quantity: 2, requestHash: 'h', mode: 'two_phase_commit' as const, createdAt: placedAt, coordinator: 'c' };
const commit: CommitDecision = {
  txId: 'o-1', orderId: 'o-1', mode: 'two_phase_commit', decidedBy: 'coordinator', decidedAt: placedAt, outcome: 'commit',
  unitPrice: { amountMinor: 100, currency: 'EUR' }, total: { amountMinor: 200, currency: 'EUR' }, holdExpiresAt: new Date(placedAt.getTime() + 600_000),
};
const abort: AbortDecision = {
  txId: 'o-1', orderId: 'o-1', mode: 'two_phase_commit', decidedBy: 'coordinator', decidedAt: placedAt, outcome: 'abort',
  reasonCode: 'NOT_ENOUGH_SEATS', reason: 'not enough seats', participantsClean: true,
};
const paid: OrderRecord = { placement, decision: commit, closure: { orderId: 'o-1', outcome: 'paid', at: placedAt, paymentId: 'p-1', paymentMethod: 'card' } };

/** The database as a mutable record and a count of loads. */
function setup(initial: OrderRecord | null) {
  const db = { record: initial, loads: 0 };
  const backend = new MemoryCacheBackend();
  const lookups = new CachedOrderLookups({
    load: () => {
      db.loads += 1;
      return Promise.resolve(db.record);
    },
  }, new Cache(backend, 'order'));
  return { db, backend, lookups };
}

describe('CachedOrderLookups', () => {
  it('keeps a paid order in the cache and gives it back with its dates intact', async () => {
    const { db, backend, lookups } = setup(paid);
    expect(await lookups.load('o-1')).toEqual(paid);
    expect(await lookups.load('o-1')).toEqual(paid);
    expect(db.loads).toBe(1);
    expect(backend.data.has('order:o-1')).toBe(true);
  });

  it('keeps a rejected order too: a final state never changes', async () => {
    const { db, lookups } = setup({ placement, decision: abort, closure: null });
    await lookups.load('o-1');
    expect(await lookups.load('o-1')).toEqual({ placement, decision: abort, closure: null });
    expect(db.loads).toBe(1);
  });

  it('never stores an order still being placed or awaiting payment: the next read sees it paid', async () => {
    const { db, backend, lookups } = setup({ placement, decision: null, closure: null });
    expect(await lookups.load('o-1')).toEqual({ placement, decision: null, closure: null });
    db.record = { placement, decision: commit, closure: null };
    expect(await lookups.load('o-1')).toEqual({ placement, decision: commit, closure: null });
    db.record = paid;
    expect(await lookups.load('o-1')).toEqual(paid);
    expect(db.loads).toBe(3);
    expect(backend.data.has('order:o-1')).toBe(true);
  });

  it('answers null for an unknown order without remembering it', async () => {
    const { db, lookups } = setup(null);
    expect(await lookups.load('o-1')).toBeNull();
    db.record = paid;
    expect(await lookups.load('o-1')).toEqual(paid);
  });
});
