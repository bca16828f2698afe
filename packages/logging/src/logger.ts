import { hostname } from 'node:os';
import { ecsFormat } from '@elastic/ecs-pino-format';
import { destination as pinoDestination, multistream, pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { censor, REDACTED_PATHS, scrubText } from './redaction';
import { currentTrace } from './trace-context';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly service: string;
  readonly instance: string;
  readonly level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  readonly destination?: DestinationStream;
  /** A second copy of every line (the Logstash shipper); it must never block (see shipper.ts). */
  readonly ship?: DestinationStream;
}

/** Error fields written by the ECS formatter (`error: {message, stack_trace}`) whose text may quote a secret. */
const ERROR_TEXT_FIELDS = ['message', 'stack_trace'] as const;

/**
 * A structured JSON logger in the Elastic Common Schema: `@timestamp`,
 * `log.level`, `message`, `service: {name, node: {name}}` (the
 * instance), `process.pid`, `host.hostname`, and `trace.id` / `span.id` of
 * the request being served (W3C trace context) on every line written while
 * serving it. Secrets are redacted (redaction.ts).
 */
export function createLogger(settings: LoggerSettings): Logger {
  // The service is written once, nested (`service: {name, node: {name}}`): given serviceName, the ECS
  // formatter would add a dotted `service.name` key too, and a document with both is ambiguous downstream.
  const ecs = ecsFormat({ convertReqRes: true, eventDataset: settings.service, apmIntegration: false });
  const ecsLog = ecs.formatters?.log;
  const options: LoggerOptions = {
    ...ecs,
    formatters: {
      ...ecs.formatters,
      log(object) {
        const formatted = ecsLog === undefined ? object : ecsLog(object);
        const error = formatted.error;
        if (typeof error === 'object' && error !== null) {
          const fields = error as Record<string, unknown>;
          for (const field of ERROR_TEXT_FIELDS) {
            const value = fields[field];
            if (typeof value === 'string') fields[field] = scrubText(value);
          }
        }
        return formatted;
      },
    },
    level: settings.level,
    base: { pid: process.pid, hostname: hostname(), service: { name: settings.service, node: { name: settings.instance } } },
    redact: { paths: [...REDACTED_PATHS], censor },
    hooks: {
      // Messages are free text: a secret quoted in one (a URL with ?token=, a connection string) is scrubbed.
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>;
        method.apply(this, scrubbed);
      },
    },
    mixin() {
      const trace = currentTrace();
      return trace === undefined ? {} : { 'trace.id': trace.traceId, 'span.id': trace.spanId };
    },
  };
  // stdout written synchronously (pino's default): a line logged just before a crash is not lost.
  const destination = settings.destination ?? pinoDestination(1);
  if (settings.ship === undefined) return pino(options, destination);
  return pino(options, multistream([{ stream: destination, level: 'trace' }, { stream: settings.ship, level: 'trace' }]));
}

export { REDACTED_PATHS } from './redaction';
