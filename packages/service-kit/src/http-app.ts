import { AppError } from '@eticket/errors';
import { CORRELATION_HEADER, correlationIdFrom, type Logger } from '@eticket/logging';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { Registry } from 'prom-client';
import { errorHandler, sendProblem } from './error-handler';
import { logAccess, logUpgrade } from './access-log';
import { lazyChildLogger } from './lazy-request-logger';
import { registerHttpMetrics } from './metrics';
import { bindTrace } from './request-trace';
import { validatorCompiler } from './validators';

export type HttpApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface HttpAppOptions {
  readonly logger: Logger;
  /** Largest accepted request body in bytes; the seed's bodies are small. */
  readonly bodyLimit?: number;
  /** Per-request socket timeout in ms. */
  readonly requestTimeoutMs?: number;
  /**
   * The service's Prometheus registry (createMetricsRegistry): GET /metrics
   * serves it and every request is timed per route. Handlers and packages
   * register on `app.metricsRegistry`.
   */
  readonly metrics?: Registry;
}

/**
 * A Fastify instance with E-Ticket's conventions: TypeBox schemas, strict body
 * validation, the W3C trace continued from the caller and bound to every log
 * line, the request id echoed back, one access line per request,
 * problem+json for every error, connections drained on close and, given a
 * registry, Prometheus metrics at /metrics.
 */
/** Longest path parameter the router matches: long enough for any id the schemas accept, so a bad id reaches validation. */
export const MAX_PARAM_LENGTH = 500;

export function createHttpApp(options: HttpAppOptions): HttpApp {
  // Widened to Fastify's base logger type so every route and plugin sees one logger type.
  const loggerInstance: FastifyBaseLogger = options.logger;
  const app = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    requestIdHeader: false,
    // One access line per request, written by access-log.ts with the trace id and a scrubbed query,
    // instead of Fastify's two lines (which carry neither).
    logController: new LogController({ disableRequestLogging: true }),
    // request.log is made on its first enabled line (lazy-request-logger.ts), not for every request.
    childLoggerFactory: lazyChildLogger,
    genReqId: (request) => correlationIdFrom(request.headers[CORRELATION_HEADER]),
    ajv: { customOptions: { removeAdditional: false } },
    // Long enough for any id the schemas accept, so a bad id reaches validation and is named there.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors the router raises before any route runs (bad percent-encoding, an over-long parameter)
    // would otherwise bypass the error handler and answer in Fastify's own format.
    frameworkErrors: (error, request, reply) => {
      const field = { field: 'path', message: error.code === 'FST_ERR_BAD_URL' ? 'is not valid percent-encoding' : 'has a parameter that is too long' };
      void sendProblem(reply, request, new AppError('VALIDATION_FAILED', `Invalid path: ${field.message}`, { fields: [field] }));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('metricsRegistry', options.metrics ?? new Registry());
  if (options.metrics !== undefined) registerHttpMetrics(app, options.metrics);

  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => sendProblem(reply, request, new AppError('ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}`)));

  bindTrace(app);
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.headers.upgrade?.toLowerCase() === 'websocket') logUpgrade(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    logAccess(request, reply);
    done();
  });

  return app;
}
