import { errorCatalog, type ErrorCode } from './catalog';

export interface FieldError {
  /** JSON pointer-ish path of the offending field, e.g. `/venue/capacity` or `quantity`. */
  readonly field: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly fields?: readonly FieldError[];
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

/**
 * The transport-free error type every layer throws. It carries a catalog code
 * and a detail written for the person reading it; HTTP and gRPC adapters map it
 * once (see problem.ts) and nowhere else.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: readonly FieldError[];
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, detail?: string, options: AppErrorOptions = {}) {
    super(detail ?? errorCatalog[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.fields = options.fields ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get grpcCode(): number {
    return errorCatalog[this.code].grpc;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
