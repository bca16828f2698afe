import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentCorrelationId } from './correlation';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly service: string;
  readonly instance: string;
  readonly level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
}

/**
 * Paths that must never reach a log line. pino's redaction runs on the
 * serialised object, so a password or token logged by mistake is replaced
 * before it is written.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-eticket-identity"]',
  'headers.authorization',
  'headers["x-eticket-identity"]',
];

/**
 * A `token` query parameter (the WebSocket's access token: browsers cannot
 * set headers on a WebSocket) inside any logged string: a URL in a request
 * line, an error message quoting one. Path redaction cannot reach inside a
 * string, so every string of a line is scrubbed.
 */
const TOKEN_IN_QUERY = /([?&;]token=)[^&#\s"']*/gi;

/** `value` with every token query parameter in its strings replaced by [redacted]; the same object when there is none. */
export function scrubTokens<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return (/token=/i.test(value) ? value.replace(TOKEN_IN_QUERY, '$1[redacted]') : value) as T;
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubTokens(item, depth + 1)) as T;
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = scrubTokens(item, depth + 1);
  return out as T;
}

/** A structured JSON logger in the Elastic Common Schema, with the correlation id on every line. */
export function createLogger(settings: LoggerSettings): Logger {
  const ecs = ecsFormat({ convertReqRes: true, serviceName: settings.service });
  const ecsLog = ecs.formatters?.log;
  const options: LoggerOptions = {
    ...ecs,
    formatters: {
      ...ecs.formatters,
      // After the ECS conversion (which turns a request into url.full, url.query, ...).
      log: (object: Record<string, unknown>) => scrubTokens(ecsLog === undefined ? object : ecsLog(object)),
    },
    hooks: {
      // The message and its interpolation arguments.
      logMethod(args, method) {
        method.apply(this, args.map((arg: unknown) => (typeof arg === 'string' ? scrubTokens(arg) : arg)) as Parameters<typeof method>);
      },
    },
    level: settings.level,
    base: { service: { name: settings.service, node: { name: settings.instance } } },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin() {
      const correlationId = currentCorrelationId();
      return correlationId === undefined ? {} : { trace: { id: correlationId } };
    },
  };
  return settings.destination === undefined ? pino(options) : pino(options, settings.destination);
}
