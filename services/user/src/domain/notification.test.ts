import { describe, expect, it } from 'vitest';
import { assertValidNotification, type NotificationRequest } from './notification';

/** What `work` throws, for matching its fields. */
function thrown(work: () => void): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

const valid: NotificationRequest = { userId: '00000000-0000-4000-8000-000000000001', kind: 'payment_pending', message: 'Pay within 10 minutes', orderId: 'o-1', dedupeKey: 'o-1:pending' };

describe('notification rules', () => {
  it('accepts a well-formed notification', () => {
    expect(() => assertValidNotification(valid)).not.toThrow();
  });

  it.each<[string, Partial<NotificationRequest>, string]>([
    ['a user id that is not a UUID', { userId: '1\' OR \'1\'=\'1' }, 'user_id'],
    ['an empty kind', { kind: '' }, 'kind'],
    ['a kind with spaces', { kind: 'payment pending' }, 'kind'],
    ['an empty message', { message: ' ' }, 'message'],
    ['a message over 2000 characters', { message: 'x'.repeat(2001) }, 'message'],
    ['a NUL byte in the message', { message: 'a\u0000b' }, 'message'],
    ['an oversized dedupe key', { dedupeKey: 'k'.repeat(201) }, 'dedupe_key'],
  ])('refuses %s with VALIDATION_FAILED on %s', (_case, change, field) => {
    expect(thrown(() => assertValidNotification({ ...valid, ...change }))).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field }] });
  });
});
