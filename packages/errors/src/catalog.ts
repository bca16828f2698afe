import { GrpcCode } from './grpc-codes';

export interface ErrorDefinition {
  /** HTTP status used in the problem+json response. */
  readonly status: number;
  /** gRPC status code used when the error crosses a gRPC boundary. */
  readonly grpc: GrpcCode;
  /** Short, stable, human-readable summary (RFC 9457 `title`). */
  readonly title: string;
}

/**
 * The one catalog of every error E-Ticket returns. Codes are stable: clients
 * and the web UI switch on them, so a code is never renamed or reused.
 * docs/errors.md documents each entry; a unit test keeps the two in step.
 */
export const errorCatalog = {
  VALIDATION_FAILED: { status: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The request is invalid' },
  MALFORMED_JSON: { status: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The request body is not valid JSON' },
  UNAUTHENTICATED: { status: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'Email or password is wrong' },
  FORBIDDEN: { status: 403, grpc: GrpcCode.PERMISSION_DENIED, title: 'You may not do this' },
  NOT_FOUND: { status: 404, grpc: GrpcCode.NOT_FOUND, title: 'The resource does not exist' },
  ROUTE_NOT_FOUND: { status: 404, grpc: GrpcCode.UNIMPLEMENTED, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, grpc: GrpcCode.UNIMPLEMENTED, title: 'Method not allowed' },
  EMAIL_TAKEN: { status: 409, grpc: GrpcCode.ALREADY_EXISTS, title: 'An account with this email already exists' },
  NOT_ENOUGH_SEATS: { status: 409, grpc: GrpcCode.FAILED_PRECONDITION, title: 'Not enough seats are left' },
  ORDER_NOT_PAYABLE: { status: 409, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The order cannot be paid' },
  ORDER_NOT_CANCELLABLE: { status: 409, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The order cannot be cancelled' },
  CONFLICT: { status: 409, grpc: GrpcCode.ABORTED, title: 'The request conflicts with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, grpc: GrpcCode.RESOURCE_EXHAUSTED, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, grpc: GrpcCode.INVALID_ARGUMENT, title: 'Unsupported content type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The idempotency key was used with a different request' },
  PAYMENT_DECLINED: { status: 402, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The payment was declined' },
  QUEUE_TICKET_INVALID: { status: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The queue ticket is not valid' },
  QUEUE_TICKET_NOT_YOURS: { status: 403, grpc: GrpcCode.PERMISSION_DENIED, title: 'The queue ticket belongs to another account' },
  UPGRADE_REQUIRED: { status: 426, grpc: GrpcCode.FAILED_PRECONDITION, title: 'This path needs a WebSocket upgrade' },
  RATE_LIMITED: { status: 429, grpc: GrpcCode.RESOURCE_EXHAUSTED, title: 'Too many requests' },
  TOO_MANY_CONNECTIONS: { status: 429, grpc: GrpcCode.RESOURCE_EXHAUSTED, title: 'Too many open connections for this user' },
  INTERNAL: { status: 500, grpc: GrpcCode.INTERNAL, title: 'Internal error' },
  UPSTREAM_UNAVAILABLE: { status: 503, grpc: GrpcCode.UNAVAILABLE, title: 'A service is temporarily unavailable' },
  CIRCUIT_OPEN: { status: 503, grpc: GrpcCode.UNAVAILABLE, title: 'A service is temporarily unavailable' },
  WAITING_ROOM_UNAVAILABLE: { status: 503, grpc: GrpcCode.UNAVAILABLE, title: 'The waiting room is temporarily unavailable' },
  UPSTREAM_TIMEOUT: { status: 504, grpc: GrpcCode.DEADLINE_EXCEEDED, title: 'A service did not answer in time' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCatalog, value);
}

/** A stable URI per code, used as the problem `type`. */
export function problemType(code: ErrorCode): string {
  return `https://e-ticket.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}
