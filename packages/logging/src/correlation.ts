import { randomUUID } from 'node:crypto';
import { continueTrace, currentTrace, enterTrace, runWithTrace } from './trace-context';

/**
 * The request id (`x-request-id`): the gateway accepts a client's when it is
 * short and harmless, otherwise mints one, echoes it and sends it on. Logs
 * are correlated by the W3C trace id (trace-context.ts); these helpers remain
 * for code that only has a request id (they start a trace for it).
 */
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller-supplied id only when it is short and harmless; otherwise mints one. */
export function correlationIdFrom(candidate: unknown): string {
  return typeof candidate === 'string' && SAFE_ID.test(candidate) ? candidate : randomUUID();
}

/** Runs work under a new trace that carries this request id. */
export function runWithCorrelationId<T>(correlationId: string, work: () => T): T {
  return runWithTrace(continueTrace(undefined, correlationId), work);
}

export function enterCorrelationId(correlationId: string): void {
  enterTrace(continueTrace(undefined, correlationId));
}

/** The current request id, or else the current trace id. */
export function currentCorrelationId(): string | undefined {
  const trace = currentTrace();
  return trace?.requestId ?? trace?.traceId;
}
