import { AppError } from '@eticket/errors';

/** The instance's breaker is open: the call was not made. */
export class CircuitOpenError extends AppError {
  constructor(service: string, retryAfterSeconds: number) {
    super('CIRCUIT_OPEN', `The ${service} service is failing; not sending it more requests for now`, { retryAfterSeconds });
  }
}

/** The instance's bulkhead is full (and its queue too): the call was not made. */
export class InstanceBusyError extends AppError {
  constructor(service: string) {
    super('UPSTREAM_UNAVAILABLE', `The ${service} service is at its concurrency limit`, { retryAfterSeconds: 1 });
  }
}

/** True for a refusal by the pool itself: nothing reached the instance, so trying another one is always safe. */
export function isNotSent(error: unknown): boolean {
  return error instanceof CircuitOpenError || error instanceof InstanceBusyError;
}
