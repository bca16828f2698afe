import * as grpc from '@grpc/grpc-js';
import { AppError, isAppError, isErrorCode } from '@eticket/errors';

/** Trailing metadata entry that carries the E-Ticket error code across gRPC. */
export const ERROR_CODE_METADATA = 'x-error-code';

/** An AppError as a gRPC status, keeping the catalog code in metadata. */
export function toGrpcError(error: unknown): Partial<grpc.StatusObject> {
  const appError = isAppError(error) ? error : new AppError('INTERNAL', 'Internal error', { cause: error });
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_METADATA, appError.code);
  return { code: appError.grpcCode, details: appError.message, metadata };
}

/** A failed gRPC call as an AppError: the peer's catalog code when it sent one, else from the status. */
export function fromGrpcError(error: unknown): AppError {
  const status = error as Partial<grpc.ServiceError>;
  const code = status.metadata?.get(ERROR_CODE_METADATA)[0];
  if (typeof code === 'string' && isErrorCode(code)) return new AppError(code, status.details ?? code);
  switch (status.code) {
    case grpc.status.DEADLINE_EXCEEDED:
      return new AppError('UPSTREAM_TIMEOUT', 'The service did not answer before the deadline', { cause: error });
    case grpc.status.NOT_FOUND:
      return new AppError('NOT_FOUND', status.details ?? 'Not found');
    case grpc.status.INVALID_ARGUMENT:
      return new AppError('VALIDATION_FAILED', status.details ?? 'Invalid argument');
    default:
      return new AppError('UPSTREAM_UNAVAILABLE', status.details ?? 'The service is unavailable', { cause: error });
  }
}
