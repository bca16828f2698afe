import type * as grpc from '@grpc/grpc-js';
import { instrumentGrpc, uninstrumentGrpc } from '@eticket/contracts';
import { registerIdentity } from '@eticket/auth';
import { cacheBackendFromSettings, ServiceCaches } from '@eticket/cache';
import { commaList } from '@eticket/config';
import type { Logger } from '@eticket/logging';
import { collectStatus, createHttpApp, createMetricsRegistry, Periodic, registerStatusRoutes, type DependencyCheck, type HttpApp } from '@eticket/service-kit';
import { AvailabilityFeed } from './app/availability-feed';
import { Directory } from './app/directory';
import { LiveHub } from './app/live-hub';
import { NotificationFeed } from './app/notification-feed';
import { ReminderScheduler } from './app/reminder-scheduler';
import { EventCatalog } from './app/event-catalog';
import type { Registry } from 'prom-client';
import { argon2Hasher } from './app/password-hasher';
import type { Clock, NotificationBus, PasswordHasher } from './app/ports';
import { UserAccounts } from './app/user-accounts';
import type { UserServiceConfig } from './config';
import type { ThrottlePolicy } from './domain/login-throttle';
import { registerReplicationMetrics, registerWebSocketMetrics } from './metrics';
import { closeGrpc, createGrpcServer, type ExtraGrpcService } from './grpc/server';
import { registerEventRoutes } from './http/event-routes';
import { registerNotificationRoutes } from './http/notification-routes';
import { registerNotificationSocket } from './http/notification-socket';
import { registerUserRoutes } from './http/user-routes';
import { CachedEventRepository } from './store/cached-event-repository';
import { CachedUserRepository } from './store/cached-user-repository';
import { databaseChecks, type Database } from './store/db';
import { patroniClusterCheck } from './store/patroni-cluster';
import { ReadRouter } from './store/read-router';
import { ReadYourWrites } from './store/read-your-writes';
import { createWriteMarks, type WriteMarks } from './store/write-marks';
import { PgEventRepository } from './store/event-repository';
import { PgLoginThrottleStore } from './store/login-throttle-store';
import { createNotificationBus } from './store/notification-bus';
import { PgNotificationRepository } from './store/notification-repository';
import { PgReminderStore } from './store/reminder-store';
import { PgSeatCounts } from './store/seat-counts';
import { PgSubscriptionRepository } from './store/subscription-repository';
import { PgUserRepository } from './store/user-repository';
import { reminderClock } from './test-clock';

export interface UserServiceDeps {
  readonly logger: Logger;
  readonly db: Database;
  readonly hasher?: PasswordHasher;
  readonly clock?: Clock;
  readonly throttlePolicy?: ThrottlePolicy;
  /** More gRPC services on the same server (the seat-reservation participant goes here). */
  readonly extraGrpcServices?: readonly ExtraGrpcService[];
  /** Read-your-writes marks; by default from the config (the shared cache when configured, else this instance's memory). */
  readonly writeMarks?: WriteMarks;
  /** Fan-out between instances; by default Redis pub/sub on the configured cache (else this instance alone). */
  readonly bus?: NotificationBus;
  /** The instance's Prometheus registry (served at /metrics); main.ts shares it with the participant's breakers. */
  readonly metrics?: Registry;
}

/** The caches the User Service keeps in the shared Redis (see store/cached-*-repository.ts). */
export type UserCacheName = 'event' | 'event-list' | 'user';

export interface UserService {
  readonly http: HttpApp;
  /** Created, not bound: main.ts (or a test) binds it. */
  readonly grpc: grpc.Server;
  readonly accounts: UserAccounts;
  readonly catalog: EventCatalog;
  readonly directory: Directory;
  /** Undefined when no cache is configured (CACHE_TOPOLOGY unset). */
  readonly caches: ServiceCaches<UserCacheName> | undefined;
  readonly feed: NotificationFeed;
  readonly hub: LiveHub;
  /** Tell it when seats change (the reservation participant does): it sends live availability frames. */
  readonly availability: AvailabilityFeed;
  readonly reminders: ReminderScheduler;
  /** Starts the background work (reminder scans, heart-beats); main.ts calls it once listening. */
  start(): void;
  /** Stops HTTP and gRPC (draining in-flight work); the caller owns and closes the database. */
  close(): Promise<void>;
}

const listOf = (value: string | undefined): string[] => (value === undefined ? [] : commaList(value));

/** Wires the User Service from its configuration and dependencies; nothing listens yet. */
export function buildUserService(config: UserServiceConfig, deps: UserServiceDeps): UserService {
  const clock = deps.clock ?? (() => new Date());
  // Reads go to standbys; a caller who just wrote reads from a server that has the write (see store/read-your-writes.ts).
  const reads = new ReadRouter(deps.db, deps.logger);
  // One connection to the shared cache (when configured) for read-your-writes marks and the read caches.
  const cacheBackend = cacheBackendFromSettings(config);
  const caches = cacheBackend === undefined ? undefined : new ServiceCaches<UserCacheName>(cacheBackend, ['event', 'event-list', 'user'], (error, operation) => {
    // A dead node makes every request log this: debug, not warn; /status and the metrics count the errors.
    deps.logger.debug({ err: error, operation }, 'cache operation failed; reading the database');
  });
  const marks = deps.writeMarks ?? createWriteMarks(cacheBackend, config.READ_YOUR_WRITES_WINDOW_MS, deps.logger);
  const consistency = new ReadYourWrites({ db: deps.db, marks, logger: deps.logger });
  const pgUsers = new PgUserRepository(deps.db, reads);
  const pgEvents = new PgEventRepository(deps.db, reads);
  const users = caches === undefined ? pgUsers : new CachedUserRepository(pgUsers, caches.cache('user'));
  const events = caches === undefined ? pgEvents : new CachedEventRepository(pgEvents, caches.cache('event'), caches.cache('event-list'));
  const accounts = new UserAccounts({
    users,
    throttle: new PgLoginThrottleStore(deps.db),
    hasher: deps.hasher ?? argon2Hasher,
    clock,
    jwtSecret: config.JWT_SECRET,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    consistency,
    ...(deps.throttlePolicy === undefined ? {} : { throttlePolicy: deps.throttlePolicy }),
  });
  const catalog = new EventCatalog({ events, users, clock, consistency });
  const directory = new Directory({ users, events });

  // Notifications: PostgreSQL is the record; the bus carries live deliveries to whichever instance holds a user's socket.
  const bus = deps.bus ?? createNotificationBus({
    topology: config.CACHE_TOPOLOGY,
    clusterNodes: listOf(config.REDIS_CLUSTER_NODES),
    sentinels: listOf(config.REDIS_SENTINELS),
    ringShards: listOf(config.REDIS_RING_SHARDS),
    namespace: config.DISCOVERY_NAMESPACE,
    logger: deps.logger,
  });
  const notifications = new PgNotificationRepository(deps.db);
  const subscriptions = new PgSubscriptionRepository(deps.db);
  const feed = new NotificationFeed({ notifications, subscriptions, events, bus, logger: deps.logger });
  const hub = new LiveHub({
    history: (userId, after, limit) => notifications.after(userId, after, limit),
    latestId: (userId) => notifications.latestId(userId),
    subscriptions: async (userId) => (await subscriptions.list(userId)).map((subscription) => subscription.eventId),
    logger: deps.logger,
    settings: {
      maxConnectionsPerUser: config.WS_MAX_CONNECTIONS_PER_USER,
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      heartbeatMs: config.WS_HEARTBEAT_MS,
      availabilityIntervalMs: config.AVAILABILITY_INTERVAL_MS,
    },
  });
  bus.onMessage((message) => {
    if (message.type === 'notification') hub.deliverNotification(message.userId, message.notification);
    else if (message.type === 'availability') hub.deliverAvailability(message.eventId, message.availableSeats);
    else hub.subscriptionChanged(message.userId, message.eventId, message.subscribed);
  });
  const availability = new AvailabilityFeed(new PgSeatCounts(deps.db), bus, deps.logger, config.AVAILABILITY_INTERVAL_MS);
  const reminders = new ReminderScheduler(new PgReminderStore(deps.db), feed, reminderClock(config.NODE_ENV, config.TEST_CLOCK_FILE), deps.logger, {
    windows: config.REMINDER_WINDOWS,
    batch: 500,
    instance: config.SERVICE_INSTANCE,
  });
  const reminderLoop = new Periodic('event reminders', config.REMINDER_SCAN_INTERVAL_MS, () => reminders.scan(), deps.logger);

  const metrics = deps.metrics ?? createMetricsRegistry('user');
  const http = createHttpApp({ logger: deps.logger, bodyLimit: config.BODY_LIMIT_BYTES, metrics });
  instrumentGrpc(metrics, deps.logger);
  // The cache's hit ratio, lookups, errors and node liveness on /metrics.
  caches?.registerMetrics(metrics);
  registerIdentity(http, config.INTERNAL_AUTH_SECRET);
  registerUserRoutes(http, accounts);
  registerEventRoutes(http, catalog);
  registerNotificationRoutes(http, feed);
  registerNotificationSocket(http, hub, config.JWT_SECRET);
  const patroni = listOf(config.PATRONI_REST_URLS);
  const notificationCheck = { name: 'notifications', required: false, check: () => Promise.resolve({ bus: bus.describe(), ...hub.stats() }) };
  const checks: DependencyCheck[] = [
    ...databaseChecks(deps.db, reads),
    ...(patroni.length > 0 ? [patroniClusterCheck(patroni)] : []),
    notificationCheck,
    // Never required: the cache fails open, so with every node down the instance is slower, not unready.
    ...(caches === undefined ? [] : [{ name: 'cache', required: false, check: () => caches.report() }]),
  ];
  if (patroni.length > 0) registerReplicationMetrics(metrics, patroni);
  registerWebSocketMetrics(metrics, () => hub.stats());
  registerStatusRoutes(http, 'user', config.SERVICE_INSTANCE, checks);
  // The platform runner polls /health; same readiness report as /status.
  http.get('/health', async (_request, reply) => {
    const report = await collectStatus('user', config.SERVICE_INSTANCE, checks);
    return reply.status(report.status === 'down' ? 503 : 200).send(report);
  });

  const grpcServer = createGrpcServer({ directory, feed }, deps.extraGrpcServices ?? []);
  return {
    http,
    grpc: grpcServer,
    accounts,
    catalog,
    directory,
    caches,
    feed,
    hub,
    availability,
    reminders,
    start: () => {
      hub.startHeartbeat();
      reminderLoop.start();
    },
    close: async () => {
      reminderLoop.stop();
      // WebSockets first (1001 going away): clients reconnect to another instance with `after`.
      hub.close();
      availability.close();
      await Promise.all([http.close(), closeGrpc(grpcServer)]);
      uninstrumentGrpc(metrics);
      await Promise.all([marks.close(), bus.close()]);
      await caches?.close();
    },
  };
}
