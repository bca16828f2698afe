// Every API error is problem+json with a stable `code` (docs/errors.md). The
// UI turns the codes a person can act on into plain words, and says whether
// trying again may help.

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** A failed API call: the problem the gateway or a service answered, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly fields: readonly FieldProblem[] = [],
    /** Seconds, from Retry-After. */
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

export type ProblemKind = 'sold_out' | 'hold_expired' | 'payment_declined' | 'unavailable' | 'signed_out' | 'forbidden' | 'invalid' | 'not_found' | 'other';

export interface ProblemView {
  readonly kind: ProblemKind;
  readonly title: string;
  readonly message: string;
  /** The same request may succeed later: offer a retry button. */
  readonly retryable: boolean;
}

const UNAVAILABLE = new Set(['UPSTREAM_UNAVAILABLE', 'CIRCUIT_OPEN', 'UPSTREAM_TIMEOUT', 'RATE_LIMITED', 'NETWORK']);

/** What to tell the person about a failed call. */
export function describeProblem(error: unknown): ProblemView {
  if (!(error instanceof ApiError)) {
    return { kind: 'other', title: 'Something went wrong', message: error instanceof Error ? error.message : String(error), retryable: true };
  }
  if (error.code === 'NOT_ENOUGH_SEATS') {
    return { kind: 'sold_out', title: 'Not enough seats left', message: soldOutMessage(error.detail), retryable: false };
  }
  if (error.code === 'ORDER_NOT_PAYABLE' && /expired/i.test(error.detail)) {
    return { kind: 'hold_expired', title: 'Your hold has expired', message: 'The seats were released because the payment did not arrive in time. You can order them again if any are left.', retryable: false };
  }
  if (error.code === 'PAYMENT_DECLINED') {
    return { kind: 'payment_declined', title: 'Payment declined', message: `${error.detail}. Your seats stay held until the countdown ends: try again or use another method.`, retryable: true };
  }
  if (UNAVAILABLE.has(error.code) || error.status >= 500) {
    const wait = error.retryAfter === undefined ? '' : ` Try again in ${error.retryAfter} s.`;
    const message = error.code === 'RATE_LIMITED' ? 'Too many requests in a short time.' : 'A part of E-Ticket is temporarily unavailable; nothing was lost.';
    return { kind: 'unavailable', title: 'Service temporarily unavailable', message: `${message}${wait}`, retryable: true };
  }
  if (error.code === 'UNAUTHENTICATED') return { kind: 'signed_out', title: 'Please sign in', message: 'Your session has ended. Sign in again to continue.', retryable: false };
  if (error.code === 'INVALID_CREDENTIALS') return { kind: 'invalid', title: 'Wrong email or password', message: 'Check both and try again.', retryable: false };
  if (error.code === 'FORBIDDEN') return { kind: 'forbidden', title: 'Not allowed', message: error.detail, retryable: false };
  if (error.status === 404) return { kind: 'not_found', title: 'Not found', message: error.detail, retryable: false };
  if (error.fields.length > 0) {
    return { kind: 'invalid', title: 'Please check the form', message: error.fields.map((field) => `${field.field} ${field.message}`).join('; '), retryable: false };
  }
  return { kind: error.status < 500 ? 'invalid' : 'other', title: titleOf(error.code), message: error.detail, retryable: false };
}

/** "Only 3 seats are left; 5 requested" stays as the service says it; a sold-out event gets the plain sentence. */
function soldOutMessage(detail: string): string {
  return /\b0 seats|no seats|sold out/i.test(detail) ? 'This event is sold out.' : `${detail}. Choose fewer tickets.`;
}

function titleOf(code: string): string {
  const words = code.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
