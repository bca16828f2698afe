import { describe, expect, it } from 'vitest';
import { decideAttempt, DEFAULT_THROTTLE_POLICY, lockSeconds, type ThrottleState } from './login-throttle';

const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** Runs attempts at the given times, as the store would, returning each decision. */
function run(times: readonly number[]) {
  let state: ThrottleState | null = null;
  return times.map((seconds) => {
    const decision = decideAttempt(state, at(seconds));
    if (decision.allowed) state = decision.next;
    return decision;
  });
}

describe('login throttle', () => {
  it('lets the first five attempts through immediately', () => {
    expect(run([0, 0, 0, 0, 0]).every((decision) => decision.allowed)).toBe(true);
  });

  it('refuses the sixth immediate attempt with a retry-after', () => {
    const decisions = run([0, 0, 0, 0, 0, 0]);
    expect(decisions[5]).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('doubles the lockout with each further attempt up to fifteen minutes', () => {
    expect([5, 6, 7, 8, 14, 15, 40].map((attempts) => lockSeconds(attempts))).toEqual([1, 2, 4, 8, 512, 900, 900]);
    expect(lockSeconds(4)).toBe(0);
  });

  it('allows an attempt once the lock has passed and locks again for longer', () => {
    const decisions = run([0, 0, 0, 0, 0, 1, 1, 3]);
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, true, false, true]);
  });

  it('does not extend the lock for attempts refused while locked', () => {
    const decisions = run([0, 0, 0, 0, 0, 0.5, 0.9, 1]);
    expect(decisions.at(-1)?.allowed).toBe(true);
  });

  it('forgets a key that has been idle for an hour', () => {
    const idle = DEFAULT_THROTTLE_POLICY.forgetAfterSeconds + 1;
    const decision = decideAttempt({ attempts: 12, lastAttemptAt: t0, lockedUntil: at(900) }, at(idle));
    expect(decision).toEqual({ allowed: true, next: { attempts: 1, lastAttemptAt: at(idle), lockedUntil: null } });
  });
});
