import { describe, expect, it } from 'vitest';
import { ApiError, describeProblem } from './problem';

describe('describeProblem', () => {
  it('says a sold-out event is sold out, and how many are left otherwise', () => {
    expect(describeProblem(new ApiError(409, 'NOT_ENOUGH_SEATS', 'The event is sold out; 1 requested'))).toMatchObject({ kind: 'sold_out', message: 'This event is sold out.', retryable: false });
    expect(describeProblem(new ApiError(409, 'NOT_ENOUGH_SEATS', 'Only 2 seats are left; 5 requested')).message).toBe('Only 2 seats are left; 5 requested. Choose fewer tickets.');
  });

  it('tells an expired hold from other orders that cannot be paid', () => {
    expect(describeProblem(new ApiError(409, 'ORDER_NOT_PAYABLE', 'Order x cannot be paid: its hold expired at 2030-01-01T00:00:00.000Z')).kind).toBe('hold_expired');
    expect(describeProblem(new ApiError(409, 'ORDER_NOT_PAYABLE', 'Order x cannot be paid: the order is already paid')).kind).toBe('invalid');
  });

  it('lets a declined payment be tried again', () => {
    expect(describeProblem(new ApiError(402, 'PAYMENT_DECLINED', 'insufficient funds'))).toMatchObject({ kind: 'payment_declined', retryable: true });
  });

  it('offers a retry when a service is unavailable, with the wait the gateway asked for', () => {
    const view = describeProblem(new ApiError(503, 'CIRCUIT_OPEN', 'open', [], 4));
    expect(view).toMatchObject({ kind: 'unavailable', title: 'Service temporarily unavailable', retryable: true });
    expect(view.message).toContain('Try again in 4 s.');
    expect(describeProblem(new ApiError(0, 'NETWORK', 'Failed to fetch')).kind).toBe('unavailable');
    expect(describeProblem(new ApiError(504, 'UPSTREAM_TIMEOUT', 'slow')).retryable).toBe(true);
  });

  it('names the fields of a refused form', () => {
    expect(describeProblem(new ApiError(400, 'VALIDATION_FAILED', 'Invalid body', [{ field: 'password', message: 'is too short' }]))).toMatchObject({ kind: 'invalid', message: 'password is too short' });
  });

  it('falls back to the problem\'s own words', () => {
    expect(describeProblem(new ApiError(409, 'EMAIL_TAKEN', 'An account with this email already exists'))).toMatchObject({ title: 'Email taken', message: 'An account with this email already exists' });
    expect(describeProblem(new Error('boom'))).toMatchObject({ kind: 'other', message: 'boom' });
  });
});
