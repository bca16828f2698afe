import { describe, expect, it } from 'vitest';
import { ALLOWED_TRANSITIONS, assertClosureAllowed, canTransition, orderStatus, seatsHeld, type CommitDecision, type OrderRecord } from './order';

const placedAt = new Date('2030-01-01T10:00:00Z');
const placement = { id: 'o-1', userId: 'u-1', eventId: 'e-1', quantity: 2, requestHash: 'h', mode: 'two_phase_commit' as const, createdAt: placedAt, coordinator: 'c' };
const commit: CommitDecision = {
  txId: 'o-1',
  orderId: 'o-1',
  mode: 'two_phase_commit',
  decidedBy: 'coordinator',
  decidedAt: placedAt,
  outcome: 'commit',
  unitPrice: { amountMinor: 100, currency: 'EUR' },
  total: { amountMinor: 200, currency: 'EUR' },
  holdExpiresAt: new Date(placedAt.getTime() + 600_000),
};
const pending: OrderRecord = { placement, decision: commit, closure: null };
const before = new Date(placedAt.getTime() + 1_000);

/** What `work` throws (the test fails if it does not). */
function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
const after = new Date(placedAt.getTime() + 600_000);

describe('order state machine', () => {
  it('derives the status from which records exist', () => {
    expect(orderStatus({ placement, decision: null, closure: null })).toBe('preparing');
    expect(orderStatus({ placement, decision: { ...commit, outcome: 'abort', reasonCode: 'NOT_ENOUGH_SEATS', reason: 'x', participantsClean: true }, closure: null })).toBe('rejected');
    expect(orderStatus(pending)).toBe('pending_payment');
    expect(orderStatus({ ...pending, closure: { orderId: 'o-1', outcome: 'paid', at: before } })).toBe('paid');
  });

  it('allows only the transitions of the model, and none out of a final state', () => {
    expect(canTransition('preparing', 'pending_payment')).toBe(true);
    expect(canTransition('pending_payment', 'paid')).toBe(true);
    expect(canTransition('preparing', 'paid')).toBe(false);
    expect(canTransition('paid', 'cancelled')).toBe(false);
    for (const status of ['rejected', 'paid', 'expired', 'cancelled'] as const) expect(ALLOWED_TRANSITIONS[status]).toEqual([]);
  });

  it('counts seats as held only while pending payment or paid', () => {
    expect(seatsHeld(pending)).toBe(2);
    expect(seatsHeld({ ...pending, closure: { orderId: 'o-1', outcome: 'expired', at: after } })).toBe(0);
  });

  it('lets an order be paid while its hold runs, and not after', () => {
    expect(assertClosureAllowed(pending, 'paid', before)).toBe(commit);
    expect(thrown(() => assertClosureAllowed(pending, 'paid', after))).toMatchObject({ code: 'ORDER_NOT_PAYABLE', message: expect.stringMatching(/hold expired/) });
  });

  it('expires an order only once its hold is over', () => {
    expect(thrown(() => assertClosureAllowed(pending, 'expired', before))).toMatchObject({ code: 'CONFLICT' });
    expect(assertClosureAllowed(pending, 'expired', after)).toBe(commit);
  });

  it('explains why a paid, cancelled or still-preparing order cannot be paid or cancelled', () => {
    const paid = { ...pending, closure: { orderId: 'o-1', outcome: 'paid' as const, at: before } };
    expect(thrown(() => assertClosureAllowed(paid, 'paid', before))).toMatchObject({ code: 'ORDER_NOT_PAYABLE', message: expect.stringMatching(/already paid/) });
    expect(thrown(() => assertClosureAllowed(paid, 'cancelled', before))).toMatchObject({ code: 'ORDER_NOT_CANCELLABLE' });
    expect(thrown(() => assertClosureAllowed({ placement, decision: null, closure: null }, 'paid', before))).toMatchObject({ message: expect.stringMatching(/still being placed/) });
  });
});
