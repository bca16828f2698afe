import { describe, expect, it } from 'vitest';
import { isRepeatable, nextStep, type FailureFacts } from './retry-policy';

describe('isRepeatable', () => {
  it.each([
    ['GET', {}, true],
    ['POST', { 'idempotency-key': 'k-1' }, true],
    ['POST', {}, false],
    ['POST', { 'idempotency-key': '' }, false],
    ['PUT', { 'idempotency-key': 'k-1' }, false],
    ['DELETE', {}, false],
  ] as const)('%s with %o → %s', (method, headers, expected) => {
    expect(isRepeatable(method, headers)).toBe(expected);
  });
});

describe('nextStep', () => {
  const base: FailureFacts = { kind: 'lost', repeatable: true, sentAttempts: 1, maxAttempts: 3 };
  it.each<[string, Partial<FailureFacts>, string]>([
    ['moves a request that never reached an instance to another one, repeatable or not', { kind: 'not_sent', repeatable: false }, 'failover'],
    ['retries a lost connection of a repeatable request', {}, 'retry'],
    ['retries a timed-out attempt of a repeatable request', { kind: 'timeout' }, 'retry'],
    ['retries 502, 503 and 504 answers', { kind: 'status', statusCode: 503 }, 'retry'],
    ['passes a 500 on (a bug repeats)', { kind: 'status', statusCode: 500 }, 'stop'],
    ['never repeats a request that is not repeatable once it may have arrived', { repeatable: false }, 'stop'],
    ['stops at the attempt limit', { sentAttempts: 3 }, 'stop'],
    ['stops when the client has gone', { kind: 'client_gone' }, 'stop'],
  ])('%s', (_name, facts, expected) => {
    expect(nextStep({ ...base, ...facts })).toBe(expected);
  });
});
