import { AppError, type FieldError } from './app-error';
import { errorCatalog, isErrorCode, problemType, type ErrorCode } from './catalog';

/** RFC 9457 problem details, with E-Ticket's stable `code` extension. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ErrorCode;
  readonly instance?: string;
  readonly errors?: readonly FieldError[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function toProblem(error: AppError, instance?: string): Problem {
  const definition = errorCatalog[error.code];
  return {
    type: problemType(error.code),
    title: definition.title,
    status: definition.status,
    detail: error.message,
    code: error.code,
    ...(instance === undefined ? {} : { instance }),
    ...(error.fields.length > 0 ? { errors: error.fields } : {}),
  };
}

/**
 * Rebuilds an AppError from a problem body received from another service, so
 * an upstream's 409 NOT_ENOUGH_SEATS stays that error end to end. Anything
 * that is not a well-formed problem becomes UPSTREAM_UNAVAILABLE.
 */
export function fromProblem(body: unknown): AppError {
  if (typeof body === 'object' && body !== null) {
    const candidate = body as Partial<Record<keyof Problem, unknown>>;
    if (typeof candidate.code === 'string' && isErrorCode(candidate.code)) {
      const detail = typeof candidate.detail === 'string' ? candidate.detail : undefined;
      const fields = Array.isArray(candidate.errors) ? (candidate.errors as FieldError[]) : undefined;
      return new AppError(candidate.code, detail, fields === undefined ? {} : { fields });
    }
  }
  return new AppError('UPSTREAM_UNAVAILABLE', 'An upstream service answered with an unexpected error');
}
