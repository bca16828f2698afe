import type { IncomingHttpHeaders } from 'node:http';
import type { FailureKind } from './attempt';

/**
 * Whether repeating the request cannot do harm: reads, and writes that carry
 * an Idempotency-Key (the order service answers a replay with the first
 * outcome). Everything else is sent once; only a request that certainly never
 * reached an instance is moved to another one.
 */
export function isRepeatable(method: string, headers: IncomingHttpHeaders): boolean {
  if (method === 'GET' || method === 'HEAD') return true;
  const key = headers['idempotency-key'];
  return method === 'POST' && typeof key === 'string' && key.length > 0;
}

/** 5xx answers worth another instance: the instance could not serve (502, 503, 504); a 500 is a bug and repeats. */
const RETRYABLE_STATUS = new Set([502, 503, 504]);

/**
 * failover: try another instance now, free (nothing reached an instance, so no load was added);
 * retry: another attempt, after a jittered backoff, if the retry budget has a token;
 * stop: answer with what we have.
 */
export type NextStep = 'failover' | 'retry' | 'stop';

export interface FailureFacts {
  readonly kind: FailureKind;
  readonly statusCode?: number;
  readonly repeatable: boolean;
  /** Attempts that reached (or may have reached) an instance so far. */
  readonly sentAttempts: number;
  readonly maxAttempts: number;
}

export function nextStep(facts: FailureFacts): NextStep {
  if (facts.kind === 'client_gone') return 'stop';
  if (facts.kind === 'not_sent') return 'failover';
  if (!facts.repeatable || facts.sentAttempts >= facts.maxAttempts) return 'stop';
  if (facts.kind === 'status') return RETRYABLE_STATUS.has(facts.statusCode ?? 0) ? 'retry' : 'stop';
  return 'retry';
}
