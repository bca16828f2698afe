/**
 * Slows down password guessing per (email, client address). Every attempt is
 * counted *before* the password is checked and forgotten on success, so a
 * burst of parallel guesses is counted in full. After FREE_ATTEMPTS the key is
 * locked for a delay that doubles with each further attempt, up to a cap;
 * attempts while locked are refused without checking the password (and
 * without extending the lock). A key idle for FORGET_AFTER starts over.
 * The state lives in PostgreSQL, so every instance shares it.
 */
export interface ThrottlePolicy {
  readonly freeAttempts: number;
  readonly baseLockSeconds: number;
  readonly maxLockSeconds: number;
  readonly forgetAfterSeconds: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freeAttempts: 5,
  baseLockSeconds: 1,
  maxLockSeconds: 15 * 60,
  forgetAfterSeconds: 60 * 60,
};

export interface ThrottleKey {
  readonly email: string;
  readonly clientIp: string;
}

export interface ThrottleState {
  /** Attempts since the last success (or since the state was forgotten). */
  readonly attempts: number;
  readonly lastAttemptAt: Date;
  readonly lockedUntil: Date | null;
}

export type ThrottleDecision =
  | { readonly allowed: true; readonly next: ThrottleState }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/** How long a key stays locked after its `attempts`-th attempt; 0 while attempts are still free. */
export function lockSeconds(attempts: number, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): number {
  if (attempts < policy.freeAttempts) return 0;
  const doublings = Math.min(attempts - policy.freeAttempts, 30);
  return Math.min(policy.maxLockSeconds, policy.baseLockSeconds * 2 ** doublings);
}

/** Decides whether an attempt may go ahead and, if so, the state that counts it. */
export function decideAttempt(current: ThrottleState | null, now: Date, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): ThrottleDecision {
  const stale = current !== null && now.getTime() - current.lastAttemptAt.getTime() > policy.forgetAfterSeconds * 1000;
  const state = current === null || stale ? null : current;
  if (state?.lockedUntil != null && state.lockedUntil.getTime() > now.getTime()) {
    return { allowed: false, retryAfterSeconds: Math.ceil((state.lockedUntil.getTime() - now.getTime()) / 1000) };
  }
  const attempts = (state?.attempts ?? 0) + 1;
  const lock = lockSeconds(attempts, policy);
  return { allowed: true, next: { attempts, lastAttemptAt: now, lockedUntil: lock === 0 ? null : new Date(now.getTime() + lock * 1000) } };
}
