import { AppError, PROBLEM_CONTENT_TYPE, toProblem, type FieldError } from '@eticket/errors';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

function fieldOf(issue: ValidationIssue, context: string | undefined): string {
  const base = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const extra = issue.params.missingProperty ?? issue.params.additionalProperty;
  const field = [base, typeof extra === 'string' ? extra : ''].filter((part) => part !== '').join('.');
  return field === '' ? (context ?? 'body') : field;
}

function messageOf(issue: ValidationIssue): string {
  if (typeof issue.params.additionalProperty === 'string') return 'is not an allowed field';
  if (typeof issue.params.missingProperty === 'string') return 'is required';
  return issue.message ?? 'is invalid';
}

/** Translates the errors Fastify itself raises (parsing, validation, limits) into catalog errors. */
export function toAppError(error: FastifyError): AppError {
  if (error instanceof AppError) return error;
  if (error.validation !== undefined) {
    const fields: FieldError[] = (error.validation as ValidationIssue[]).map((issue) => ({
      field: fieldOf(issue, error.validationContext),
      message: messageOf(issue),
    }));
    const summary = fields.map((field) => `${field.field} ${field.message}`).join('; ');
    return new AppError('VALIDATION_FAILED', `Invalid ${error.validationContext ?? 'request'}: ${summary}`, { fields });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('MALFORMED_JSON', error.message);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', error.message);
    default:
      break;
  }
  if (error instanceof SyntaxError) return new AppError('MALFORMED_JSON', error.message);
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError('PAYLOAD_TOO_LARGE');
  if (status === 415) return new AppError('UNSUPPORTED_MEDIA_TYPE', error.message);
  if (status === 429) return new AppError('RATE_LIMITED', error.message);
  if (status >= 400 && status < 500) return new AppError('VALIDATION_FAILED', error.message);
  return new AppError('INTERNAL', 'Something went wrong on our side; it has been logged', { cause: error });
}

/**
 * A 429 or 503 raised without a delay of its own (a database or a peer service
 * that cannot be reached) still tells the client when to come back: a client
 * that retries at once would only add load to whatever is failing.
 */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: AppError): FastifyReply {
  const retryAfter = error.retryAfterSeconds ?? (error.status === 429 || error.status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return reply.status(error.status).type(PROBLEM_CONTENT_TYPE).send(toProblem(error, request.url.split('?')[0]));
}

/** The one place where any error becomes HTTP: catalog errors as problem+json, the unknown as a logged 500. */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: appError.code, detail: appError.message }, 'request rejected');
  return sendProblem(reply, request, appError);
}
