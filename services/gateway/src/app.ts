import { StaticSource, type InstanceSource } from '@eticket/discovery';
import type { Logger } from '@eticket/logging';
import { createHttpApp, registerStatusRoutes, type DependencyCheck, type HttpApp } from '@eticket/service-kit';
import { notificationSocket } from '@eticket/contracts';
import { AppError } from '@eticket/errors';
import helmet from '@fastify/helmet';
import type { Cluster } from 'ioredis';
import type { GatewayConfig } from './config';
import { GatewayMetrics } from './metrics';
import { registerOpenApi } from './openapi';
import { createHttpClient } from './proxy/http-client';
import { attachWebSocketProxy } from './proxy/websocket';
import { keepRawJsonBodies } from './proxy/raw-body';
import { registerRateLimit } from './rate-limit';
import { registerRoutes } from './routes/register';
import { SecurityHeaders } from './security-headers';
import { ROUTES, type GatewayRoute } from './routes/table';
import { registerWebUi } from './routes/web-ui';
import type { StaleStore } from './stale/stale-store';
import { upstreamChecks } from './status';
import { AdmissionNotices } from './waiting-room/admission-notices';
import { admissionHook, registerQueueRoute } from './waiting-room/http';
import { WaitingRoom } from './waiting-room/waiting-room';
import { UPSTREAMS, UpstreamDirectory, type UpstreamName, type UpstreamSources } from './upstreams/directory';

export interface GatewayDeps {
  readonly logger: Logger;
  /** Where each upstream's instances come from (registry watchers, or fixed origins). */
  readonly sources: UpstreamSources;
  readonly metrics?: GatewayMetrics;
  /** Stale-if-error copies; without it the event reads fail like the rest. */
  readonly stale?: StaleStore;
  /** Shared rate-limit counters; without it each gateway instance counts alone. */
  readonly rateLimitRedis?: Cluster;
  /** The waiting room's client for the same Redis Cluster (longer command timeout); default: rateLimitRedis. */
  readonly waitingRoomRedis?: Cluster;
  /** A client for the waiting room's admission notices (subscribe mode); without it long polls are plain polls. */
  readonly waitingRoomSubscriber?: Cluster;
  /** The deployment whose gateways share rate-limit counts (DISCOVERY_NAMESPACE). */
  readonly namespace?: string;
  /** More /status entries (registry, cache). */
  readonly extraChecks?: readonly DependencyCheck[];
  readonly routes?: readonly GatewayRoute[];
  readonly version?: string;
}

export interface Gateway {
  readonly app: HttpApp;
  readonly directory: UpstreamDirectory;
  readonly metrics: GatewayMetrics;
}

/** Builds the gateway (plugins, route table, status, docs, metrics); nothing listens yet. Closing the app releases its upstream connections. */
export async function buildGateway(config: GatewayConfig, deps: GatewayDeps): Promise<Gateway> {
  const metrics = deps.metrics ?? new GatewayMetrics(deps.logger);
  // An optional upstream without a source has no instances: its routes answer 503.
  const sources: Record<UpstreamName, InstanceSource> = { etl: new StaticSource('etl', []), web: new StaticSource('web', []), ...deps.sources };
  const directory = new UpstreamDirectory(sources, {
    pool: {
      breaker: {
        failureThreshold: config.BREAKER_FAILURE_THRESHOLD,
        samplingWindowMs: config.BREAKER_WINDOW_MS,
        minimumRps: config.BREAKER_MIN_RPS,
        openMs: config.BREAKER_OPEN_MS,
      },
      maxConcurrentPerInstance: config.UPSTREAM_CONNECTIONS,
      maxQueuedPerInstance: config.UPSTREAM_QUEUE_PER_INSTANCE,
    },
    retryBudgetRatio: config.RETRY_BUDGET_RATIO,
    onBreakerChange: metrics.onBreakerChange,
  });
  const agent = createHttpClient({ connections: config.UPSTREAM_CONNECTIONS });
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    metrics: metrics.registry,
  });
  app.addHook('onClose', async () => {
    await directory.close();
    await agent.close();
  });
  await app.register(helmet);
  const securityHeaders = new SecurityHeaders();
  keepRawJsonBodies(app);
  await registerOpenApi(app, deps.version ?? '0.1.0');
  const rateLimit = await registerRateLimit(app, {
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    clientMax: config.RATE_LIMIT_CLIENT_MAX,
    userMax: config.RATE_LIMIT_USER_MAX,
    redis: deps.rateLimitRedis,
    namespace: deps.namespace ?? 'eticket',
    onLimited: (key) => metrics.rateLimited.inc({ key }),
  });
  // The waiting room needs the shared Redis: one queue per event for every gateway instance.
  const roomRedis = deps.waitingRoomRedis ?? deps.rateLimitRedis;
  const subscriber = config.WAITING_ROOM_ENABLED ? deps.waitingRoomSubscriber : undefined;
  const notices = subscriber === undefined ? undefined : new AdmissionNotices(subscriber, `wr:admitted:${deps.namespace ?? 'eticket'}`);
  if (notices !== undefined) app.addHook('onClose', () => notices.close());
  const room = config.WAITING_ROOM_ENABLED && roomRedis !== undefined ? new WaitingRoom(roomRedis, {
    namespace: deps.namespace ?? 'eticket',
    internalSecret: config.INTERNAL_AUTH_SECRET,
    initialLimit: config.WAITING_ROOM_INITIAL_LIMIT,
    minLimit: config.WAITING_ROOM_MIN_LIMIT,
    maxLimit: Math.max(config.WAITING_ROOM_MIN_LIMIT, config.WAITING_ROOM_MAX_LIMIT),
    latencyTolerance: config.WAITING_ROOM_LATENCY_TOLERANCE,
    admitWindowMs: config.WAITING_ROOM_ADMIT_WINDOW_MS,
    // An in-flight order's slot outlives the route's deadline, so only a lost gateway leaves it to expire.
    leaseMs: config.ROUTE_TIMEOUT_WRITE_MS + 5_000,
    abandonMs: config.WAITING_ROOM_ABANDON_MS,
    fallbackConcurrency: config.WAITING_ROOM_FALLBACK_CONCURRENCY,
    // A held buyer is not heard from during the hold: it must end well before they count as gone.
    longPollMs: Math.min(config.WAITING_ROOM_LONG_POLL_MS, Math.max(0, config.WAITING_ROOM_ABANDON_MS - 5_000)),
    arrivalBatchMs: config.WAITING_ROOM_ARRIVAL_BATCH_MS,
    paceBeyondMs: config.WAITING_ROOM_PACE_BEYOND_MS,
  }, (outcome) => metrics.waitingRoom.inc({ outcome }), notices, (size) => metrics.waitingRoomArrivalBatch.observe(size)) : undefined;
  if (room !== undefined) metrics.watchWaitingRoomLimit(() => room.limit);
  const routes = deps.routes ?? ROUTES;
  const proxyDeps = { agent, directory, stale: deps.stale, metrics, maxAttempts: config.RETRY_MAX_ATTEMPTS };
  const routeSettings = {
    jwtSecret: config.JWT_SECRET,
    internalSecret: config.INTERNAL_AUTH_SECRET,
    timeoutsMs: { read: config.ROUTE_TIMEOUT_READ_MS, write: config.ROUTE_TIMEOUT_WRITE_MS },
    rateLimit,
    securityHeaders: securityHeaders.hook,
    ...(room === undefined ? {} : { preHandlers: { 'POST /order': admissionHook(room) } }),
  };
  registerRoutes(app, routes, proxyDeps, routeSettings);
  if (room !== undefined) registerQueueRoute(app, room, { jwtSecret: config.JWT_SECRET, rateLimit, securityHeaders: securityHeaders.hook });
  // The browser UI at `/`: every other GET, after the API routes (which win).
  registerWebUi(app, routes, proxyDeps, routeSettings);
  // GET /notification is a WebSocket: upgrades are piped to a User Service instance (proxy/websocket.ts);
  // the route below only answers a plain GET, and documents the socket in the OpenAPI document.
  attachWebSocketProxy(app.server, {
    directory,
    jwtSecret: config.JWT_SECRET,
    internalSecret: config.INTERNAL_AUTH_SECRET,
    logger: deps.logger,
    handshakeTimeoutMs: config.ROUTE_TIMEOUT_READ_MS,
    onOpen: () => {
      metrics.websockets.inc();
      metrics.websocketsOpened.inc();
    },
    onClose: () => metrics.websockets.dec(),
  });
  app.get(notificationSocket.url, { schema: { ...notificationSocket.schema, security: [] } }, () => {
    throw new AppError('UPGRADE_REQUIRED', 'GET /notification is a WebSocket: connect with an Upgrade: websocket request and ?token=<access token>');
  });
  const modeOf = (name: UpstreamName) => (sources[name] instanceof StaticSource ? 'static' : 'discovery');
  // An optional upstream nobody configured is no dependency of this gateway: /status leaves it out.
  const configured = UPSTREAMS.filter((name) => deps.sources[name] !== undefined);
  const modes = Object.fromEntries(configured.map((name) => [name, modeOf(name)])) as Record<UpstreamName, 'discovery' | 'static'>;
  registerStatusRoutes(app, 'gateway', config.SERVICE_INSTANCE, [...upstreamChecks(directory, modes), ...(deps.extraChecks ?? [])]);
  await app.ready();
  await securityHeaders.capture(app, '/status/live');
  return { app, directory, metrics };
}
