import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work in progress. The gateway assigns one per
 * request (or accepts the caller's `x-request-id`), every hop forwards it
 * (HTTP header, gRPC metadata) and every log line carries it, so one buyer's
 * request can be followed across all services.
 */
export const CORRELATION_HEADER = 'x-request-id';

const storage = new AsyncLocalStorage<{ correlationId: string }>();

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller-supplied id only when it is short and harmless; otherwise mints one. */
export function correlationIdFrom(candidate: unknown): string {
  return typeof candidate === 'string' && SAFE_ID.test(candidate) ? candidate : randomUUID();
}

export function runWithCorrelationId<T>(correlationId: string, work: () => T): T {
  return storage.run({ correlationId }, work);
}

/** Binds the id to the rest of the current asynchronous execution (used by request hooks). */
export function enterCorrelationId(correlationId: string): void {
  storage.enterWith({ correlationId });
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
