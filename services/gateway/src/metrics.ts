import type { Logger } from '@eticket/logging';
import { breakerMetrics, type BreakerListener } from '@eticket/resilience';
import { createMetricsRegistry } from '@eticket/service-kit';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The gateway's own counters, in the registry createHttpApp exposes at /metrics (with the per-route latency histogram). */
export class GatewayMetrics {
  readonly registry: Registry;
  /** Breaker state changes: counted, and logged (open at warn, the rest at info). */
  readonly onBreakerChange: BreakerListener;
  readonly retries: Counter<'upstream' | 'reason'>;
  readonly failovers: Counter<'upstream'>;
  readonly retriesDenied: Counter<'upstream'>;
  readonly stale: Counter<'route'>;
  readonly rateLimited: Counter<'key'>;
  /** WebSockets piped to a User Service instance right now (GET /notification). */
  readonly websockets: Gauge;
  /** WebSockets piped since start (with the gauge: how many came and went). */
  readonly websocketsOpened: Counter;
  readonly waitingRoom: Counter<'outcome'>;
  /** Arrivals per ENTER_MANY script (a crowded room's arrivals entered together): _count is scripts, _sum arrivals. */
  readonly waitingRoomArrivalBatch: Histogram;

  constructor(logger: Logger, registry: Registry = createMetricsRegistry('gateway')) {
    this.registry = registry;
    const registers = [this.registry];
    const counted = breakerMetrics(this.registry, 'gateway');
    this.onBreakerChange = (upstream, instance, state) => {
      counted(upstream, instance, state);
      logger[state === 'open' ? 'warn' : 'info']({ upstream, upstreamInstance: instance, breaker: state }, `breaker ${state} for ${upstream} instance ${instance}`);
    };
    this.retries = new Counter({ name: 'eticket_gateway_retries_total', help: 'Requests sent again after a failed attempt, by why', labelNames: ['upstream', 'reason'], registers });
    this.failovers = new Counter({ name: 'eticket_gateway_failovers_total', help: 'Requests moved to another instance before reaching one (refused, breaker open, bulkhead full)', labelNames: ['upstream'], registers });
    this.retriesDenied = new Counter({ name: 'eticket_gateway_retries_denied_total', help: 'Retries not made because the retry budget was spent', labelNames: ['upstream'], registers });
    this.stale = new Counter({ name: 'eticket_gateway_stale_served_total', help: 'Answers served from the stale copy because the upstream could not answer', labelNames: ['route'], registers });
    this.rateLimited = new Counter({ name: 'eticket_gateway_rate_limited_total', help: 'Requests refused with 429', labelNames: ['key'], registers });
    this.websockets = new Gauge({ name: 'eticket_gateway_websockets_open', help: 'Notification WebSockets piped to a User Service instance now', registers });
    this.websocketsOpened = new Counter({ name: 'eticket_gateway_websockets_opened_total', help: 'WebSocket upgrades piped to a User Service instance', registers });
    this.waitingRoom = new Counter({ name: 'eticket_gateway_waiting_room_total', help: 'Orders through the waiting room, by outcome (admitted, queued, admitted_from_queue, fallback_admitted, fallback_refused)', labelNames: ['outcome'], registers });
    this.waitingRoomArrivalBatch = new Histogram({ name: 'eticket_gateway_waiting_room_arrival_batch_size', help: 'Buyers arriving at a crowded room entered by one Redis script', buckets: [1, 2, 5, 10, 20, 50, 100, 200], registers });
  }

  /** eticket_gateway_waiting_room_limit: the room's concurrency limit, read at each scrape. */
  watchWaitingRoomLimit(read: () => number): void {
    new Gauge({
      name: 'eticket_gateway_waiting_room_limit',
      help: 'Orders in flight per event before buyers queue, as the adaptive controller set it now',
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
