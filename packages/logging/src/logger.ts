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

/** A structured JSON logger in the Elastic Common Schema, with the correlation id on every line. */
export function createLogger(settings: LoggerSettings): Logger {
  const ecs = ecsFormat({ convertReqRes: true, serviceName: settings.service });
  const options: LoggerOptions = {
    ...ecs,
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
