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
        keepEcsObjectsObjects(formatted);
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

/** ECS names that are objects in the index: a call site's scalar under one of them would be refused as a mapping conflict. */
const ECS_OBJECTS = new Set(['http', 'url', 'event', 'log', 'error', 'process', 'host', 'client', 'server', 'trace', 'span', 'rpc', 'user', 'labels', 'ecs', 'source', 'destination']);

/**
 * Keeps every line indexable. `service` is the line's own service (a binding): a call
 * site's `service` field (discovery logs the service it watches) would write the key
 * twice, which Elasticsearch and OpenSearch refuse; it becomes `service.target.name`
 * (ECS: the service talked to). A scalar under an ECS object name (`{ http: 8080 }`)
 * would conflict with the mapping of `http.*`; it moves under `labels`.
 */
function keepEcsObjectsObjects(line: Record<string, unknown>): void {
  if ('service' in line) {
    const target = line.service;
    delete line.service;
    if (typeof target === 'string') line['service.target.name'] = target;
    else line['labels.service'] = JSON.stringify(target);
  }
  for (const key of Object.keys(line)) {
    const value = line[key];
    if (ECS_OBJECTS.has(key) && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      delete line[key];
      line[`labels.${key}`] = value;
    }
  }
}

export { REDACTED_PATHS } from './redaction';
