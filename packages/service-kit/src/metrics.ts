import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * Seconds; from a cached read (a few ms) to the gateway's write deadline (10 s).
 * Prometheus computes p50/p99 per route from these with histogram_quantile().
 */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsRegistryOptions {
  /** Node.js process metrics (CPU, memory, event-loop lag, GC); off in unit tests that build many apps. */
  readonly processMetrics?: boolean;
}

/**
 * One Prometheus registry per service process. Every series carries
 * `service` (the scrape's `instance` label already names the process, so it
 * is not repeated: Prometheus would rename ours to `exported_instance`).
 */
export function createMetricsRegistry(service: string, options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Where the service (and any package it wires in) registers its metrics.
     * Exposed at GET /metrics when createHttpApp was given a registry; otherwise
     * a private registry nobody scrapes, so registering is always safe.
     */
    readonly metricsRegistry: Registry;
  }
}

/**
 * HTTP latency per route: `eticket_http_request_duration_seconds{method,route,status_code}`.
 * The route is the pattern (`/event/:id`), never the raw URL, so ids cannot
 * explode the number of series; a request that matched no route is `unmatched`.
 */
export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'eticket_http_request_duration_seconds',
    help: 'HTTP request duration from arrival to the last byte of the answer, by route pattern',
    labelNames: ['method', 'route', 'status_code'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
