import { loadEnv } from '@eticket/config';
import { Type } from '@sinclair/typebox';
import { Counter, Gauge, type Registry } from 'prom-client';
import { createLogger, type Logger } from './logger';
import { LogShipper } from './shipper';

/** The log-shipping variables every service reads next to its own config. */
export const ShippingEnv = Type.Object({
  /** Logstash's `tcp` input with the `json_lines` codec, as `tcp://host:port`; unset: logs go to stdout only. */
  LOGSTASH_URL: Type.Optional(Type.String({ pattern: '^tcp://[^/:@\\s]+:[0-9]{1,5}/?$' })),
  /** Most bytes of log lines held while Logstash is slow or away; beyond it lines are dropped and counted. */
  LOGSTASH_BUFFER_BYTES: Type.Integer({ minimum: 65_536, maximum: 268_435_456, default: 4_194_304 }),
});

export interface ShippingConfig {
  readonly host: string;
  readonly port: number;
  readonly maxBufferBytes: number;
}

/** The Logstash endpoint, or undefined when none is configured; a malformed URL fails start-up naming the variable. */
export function loadShippingConfig(env: Readonly<Record<string, string | undefined>> = process.env): ShippingConfig | undefined {
  const raw = loadEnv(ShippingEnv, env);
  if (raw.LOGSTASH_URL === undefined) return undefined;
  const url = new URL(raw.LOGSTASH_URL);
  return Object.freeze({ host: url.hostname, port: Number(url.port), maxBufferBytes: raw.LOGSTASH_BUFFER_BYTES });
}

/**
 * For /metrics (read at scrape time from the shipper's own counters):
 * - eticket_log_lines_shipped_total, eticket_log_lines_dropped_total
 * - eticket_log_shipper_buffered_bytes, eticket_log_shipper_connected (1/0)
 * - eticket_log_shipper_connect_failures_total
 */
export function registerShipperMetrics(registry: Registry, shipper: LogShipper): void {
  const registers = [registry];
  const counter = (name: string, help: string, value: () => number) => new Counter({
    name, help, registers,
    collect() {
      this.reset();
      this.inc(value());
    },
  });
  counter('eticket_log_lines_shipped_total', 'Log lines handed to the Logstash connection', () => shipper.stats().shippedLines);
  counter('eticket_log_lines_dropped_total', 'Log lines dropped because the shipping buffer was full (Logstash slow or away)', () => shipper.stats().droppedLines);
  counter('eticket_log_shipper_connect_failures_total', 'Connection attempts to Logstash that failed', () => shipper.stats().connectFailures);
  const gauge = (name: string, help: string, value: () => number) => new Gauge({
    name, help, registers,
    collect() {
      this.set(value());
    },
  });
  gauge('eticket_log_shipper_buffered_bytes', 'Bytes of log lines waiting for Logstash', () => shipper.stats().bufferedBytes);
  gauge('eticket_log_shipper_connected', 'Whether the Logstash connection is up (1) or not (0)', () => (shipper.stats().connected ? 1 : 0));
}

export interface ServiceLogging {
  readonly logger: Logger;
  /** Present when LOGSTASH_URL is set. */
  readonly shipper: LogShipper | undefined;
  /** Adds the shipper's metrics to the service's registry (nothing without a shipper). */
  registerMetrics(registry: Registry): void;
  /** Sends what is buffered (briefly) and closes the connection; call last on shutdown. */
  close(): Promise<void>;
}

/** A service's logger: stdout always, plus Logstash when LOGSTASH_URL is set. */
export function startServiceLogging(
  settings: { readonly service: string; readonly instance: string; readonly level: string },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServiceLogging {
  const shipping = loadShippingConfig(env);
  const shipper = shipping === undefined ? undefined : new LogShipper(shipping);
  const logger = createLogger({ ...settings, ...(shipper === undefined ? {} : { ship: shipper }) });
  if (shipping !== undefined) logger.info({ logstash: `${shipping.host}:${shipping.port}`, bufferBytes: shipping.maxBufferBytes }, 'shipping logs to Logstash');
  return {
    logger,
    shipper,
    registerMetrics: (registry) => {
      if (shipper !== undefined) registerShipperMetrics(registry, shipper);
    },
    close: async () => {
      logger.flush();
      await shipper?.close(500);
    },
  };
}
