import { AppError } from '@eticket/errors';
import { sendProblem } from '@eticket/service-kit';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { upstreamHeaders, type ForwardedContext } from '../auth/identity-assertion';

export interface ProxySettings {
  readonly timeoutMs: number;
  readonly connections: number;
}

/** One undici agent for all upstreams: keep-alive pools per origin, bounded waits. */
export async function registerProxy(app: FastifyInstance, settings: ProxySettings): Promise<void> {
  await app.register(replyFrom, {
    undici: { connections: settings.connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: settings.timeoutMs, bodyTimeout: settings.timeoutMs },
    disableRequestLogging: true,
    // Idempotent requests are retried once on a dead keep-alive socket; nothing else is retried here.
    retryMethods: ['GET', 'HEAD'],
    destroyAgent: true,
  });
}

/** Hop-by-hop headers describe the gateway↔service connection, not the answer; the client gets its own. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

function responseHeaders<H extends Record<string, unknown>>(headers: H): H {
  const out = { ...headers };
  for (const name of HOP_BY_HOP) delete out[name];
  return out;
}

const TIMEOUT_CODES = new Set(['FST_REPLY_FROM_GATEWAY_TIMEOUT', 'FST_REPLY_FROM_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failed upstream call as a catalog error: a timeout is a 504, anything else (refused, reset, DNS) a 503. Never a 500. */
export function upstreamFailure(error: unknown, upstream: string): AppError {
  const failure = error as { code?: unknown; statusCode?: unknown; cause?: { code?: unknown } } | null;
  const codes = [failure?.code, failure?.cause?.code].filter((code): code is string => typeof code === 'string');
  if (failure?.statusCode === 504 || codes.some((code) => TIMEOUT_CODES.has(code))) {
    return new AppError('UPSTREAM_TIMEOUT', `The ${upstream} service did not answer in time`, { cause: error });
  }
  return new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable`, { cause: error });
}

export interface ForwardOptions {
  readonly origin: string;
  readonly upstream: string;
  readonly context: ForwardedContext;
  /** Forward the validated JSON text (true) or no body at all (false: the route takes none). */
  readonly withBody: boolean;
  readonly timeoutMs: number;
}

/**
 * Sends the request on to `origin` at the same path and query and streams the
 * answer back unchanged (an upstream problem+json included).
 */
export function forward(request: FastifyRequest, reply: FastifyReply, options: ForwardOptions): FastifyReply {
  const body = options.withBody && request.rawBody !== undefined ? { body: request.rawBody, contentType: 'application/json' } : {};
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  try {
    return reply.from(`${options.origin}${request.url}`, {
      ...(hasBody && !options.withBody ? { body: null } : body),
      timeout: options.timeoutMs,
      retriesCount: 1,
      rewriteRequestHeaders: (_request, headers) => upstreamHeaders(headers, options.context),
      rewriteHeaders: (headers) => responseHeaders(headers),
      onError: (_reply, { error }) => {
        const appError = upstreamFailure(error, options.upstream);
        request.log.warn({ err: error, upstream: options.upstream, code: appError.code }, 'upstream call failed');
        void sendProblem(reply, request, appError);
      },
    });
  } catch (error) {
    // reply-from refuses some URLs synchronously (e.g. dot segments): the client's fault.
    const message = error instanceof Error ? error.message : 'is not a valid path';
    throw new AppError('VALIDATION_FAILED', `Invalid path: ${message}`, { cause: error, fields: [{ field: 'path', message }] });
  }
}
