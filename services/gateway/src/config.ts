import { commaList, loadEnv, LogLevel, Port, Secret, Url } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

const Ms = (minimum: number, maximum: number, defaultMs: number) => Type.Integer({ minimum, maximum, default: defaultMs });

/** Every variable the gateway reads (discovery's own: packages/discovery/src/config.ts); validated once at start-up. */
export const GatewayEnv = Type.Object({
  GATEWAY_PORT: Port(8080),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  SERVICE_INSTANCE: Type.String({ minLength: 1, maxLength: 100, default: 'gateway-1' }),
  LOG_LEVEL: LogLevel,
  /**
   * Static overrides for development without etcd: a fixed origin for a
   * service instead of its discovered instances. Unset (the default) means
   * discovery, which needs ETCD_ENDPOINTS.
   */
  USER_SERVICE_HTTP_URL: Type.Optional(Url()),
  ORDER_SERVICE_HTTP_URL: Type.Optional(Url()),
  /** The ETL service's reports; optional (without it and without discovery, /reports/* answer 503). */
  ETL_SERVICE_HTTP_URL: Type.Optional(Url()),
  /** The web UI's static files (services/web); optional (without it and without discovery, `/` answers 503). */
  WEB_SERVICE_HTTP_URL: Type.Optional(Url()),
  JWT_SECRET: Secret(),
  INTERNAL_AUTH_SECRET: Secret(),
  /** Whole-request deadline of the routes that read (all attempts included). */
  ROUTE_TIMEOUT_READ_MS: Ms(100, 120_000, 2_000),
  /** Whole-request deadline of the routes that write (orders, payments, login with its deliberate hashing cost). */
  ROUTE_TIMEOUT_WRITE_MS: Ms(100, 120_000, 10_000),
  /** Largest request body accepted at the edge. */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 65_536 }),
  /** Time a client has to send its whole request. */
  REQUEST_TIMEOUT_MS: Ms(1_000, 300_000, 30_000),
  /** Keep-alive connections to, and concurrent requests in flight at, one upstream instance (the bulkhead). */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_024, default: 128 }),
  /** Requests that may wait for one of those slots per instance, each still bounded by its route's deadline. */
  UPSTREAM_QUEUE_PER_INSTANCE: Type.Integer({ minimum: 0, maximum: 100_000, default: 1_024 }),
  /** Breaker per upstream instance: this share of failures (5xx, refused, reset, timeout) ... */
  BREAKER_FAILURE_THRESHOLD: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5 }),
  /** ... over this sliding window ... */
  BREAKER_WINDOW_MS: Ms(500, 600_000, 2_000),
  /** ... at this many requests per second or more, opens it ... */
  BREAKER_MIN_RPS: Type.Number({ minimum: 0, maximum: 100_000, default: 2 }),
  /** ... for this long, after which one half-open probe decides. */
  BREAKER_OPEN_MS: Ms(100, 600_000, 5_000),
  /** Attempts per request at most (the first included) for requests that are safe to repeat. */
  RETRY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 5, default: 3 }),
  /** Retries may add at most this share of extra load per upstream (plus a small reserve). */
  RETRY_BUDGET_RATIO: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
  /** Rate limit window; each key may make its maximum number of requests per window. */
  RATE_LIMIT_WINDOW_MS: Ms(100, 3_600_000, 10_000),
  /** Per client address, for requests without a valid access token. */
  RATE_LIMIT_CLIENT_MAX: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 500 }),
  /** Per user, for requests with a valid access token. */
  RATE_LIMIT_USER_MAX: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 200 }),
  /** How long the last good copy of GET /event and GET /event/{id} is kept for stale-if-error. */
  STALE_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
  /** A copy is refreshed at most this often per key and gateway instance (bounds the cache writes under load). */
  STALE_REFRESH_SECONDS: Type.Integer({ minimum: 0, maximum: 3_600, default: 5 }),
  /** The platform's cache contract: rate limits and stale copies live in Redis, shared by every gateway instance. */
  CACHE_TOPOLOGY: Type.Union([Type.Literal('cluster'), Type.Literal('ring')], { default: 'cluster' }),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_RING_SHARDS: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * The on-sale waiting room for POST /order (needs REDIS_CLUSTER_NODES: the
   * queue is shared by every gateway instance). Off, orders go straight through.
   */
  WAITING_ROOM_ENABLED: Type.Boolean({ default: true }),
  /** Orders in flight per event before buyers queue, until the controller has measured the services. */
  WAITING_ROOM_INITIAL_LIMIT: Type.Integer({ minimum: 1, maximum: 10_000, default: 16 }),
  /** The controller's floor: on a CPU-bound system it sits here during a rush (docs/architecture.md, waiting room). */
  WAITING_ROOM_MIN_LIMIT: Type.Integer({ minimum: 1, maximum: 10_000, default: 2 }),
  WAITING_ROOM_MAX_LIMIT: Type.Integer({ minimum: 1, maximum: 10_000, default: 256 }),
  /** The limit grows while admitted orders' mean latency stays under this multiple of their recent minimum. */
  WAITING_ROOM_LATENCY_TOLERANCE: Type.Number({ minimum: 1.1, maximum: 100, default: 2 }),
  /** An admitted buyer has this long to place the order before the slot goes to the next in line. */
  WAITING_ROOM_ADMIT_WINDOW_MS: Ms(500, 600_000, 5_000),
  /** A queued buyer who has not asked for this long after they were due to (now, or when told to come back) is skipped when their turn comes. */
  WAITING_ROOM_ABANDON_MS: Ms(1_000, 3_600_000, 30_000),
  /**
   * The room's Redis commands wait this long before the room falls back (its own client: an order takes
   * hundreds of ms anyway, and a busy Redis must not send a rush around the room as the limiter's 100 ms would).
   */
  WAITING_ROOM_REDIS_TIMEOUT_MS: Ms(10, 10_000, 1_000),
  /**
   * GET /queue/{ticket}?wait=true is held at most this long for the admission (a queued buyer costs one
   * request per hold); 0: answered at once. Under the usual 30 s idle timeout of proxies in front.
   */
  WAITING_ROOM_LONG_POLL_MS: Ms(0, 30_000, 20_000),
  /**
   * A queued buyer expected to wait longer than this is answered at once and told to come back after half the
   * estimate (at most 5 min) instead of being held: holds are for the buyers whose turn is near, and one who
   * waits long costs a request per halving of the wait, not one per hold. A day: hold everyone.
   */
  WAITING_ROOM_PACE_BEYOND_MS: Ms(1_000, 86_400_000, 20_000),
  /**
   * While a room's queue is long, buyers arriving at it are entered together, one Redis script per event per
   * this window instead of one each (waiting-room/arrival-batcher.ts); 0: each alone.
   */
  WAITING_ROOM_ARRIVAL_BATCH_MS: Ms(0, 1_000, 20),
  /** Orders in flight per gateway instance while Redis cannot be reached (beyond: 503 WAITING_ROOM_UNAVAILABLE). */
  WAITING_ROOM_FALLBACK_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 16 }),
  /** A Redis command slower than this fails open (rate limit skipped, stale copy missed). */
  REDIS_COMMAND_TIMEOUT_MS: Ms(10, 10_000, 100),
});

export type GatewayConfig = Readonly<Static<typeof GatewayEnv>>;

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  return loadEnv(GatewayEnv, env);
}

export const listOf = (value: string | undefined): string[] => (value === undefined ? [] : commaList(value));
