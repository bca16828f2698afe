import type * as grpc from '@grpc/grpc-js';
import { instrumentGrpc, uninstrumentGrpc } from '@eticket/contracts';
import { breakerMetrics } from '@eticket/resilience';
import { registerIdentity } from '@eticket/auth';
import { cacheBackendFromSettings, ServiceCaches } from '@eticket/cache';
import { loadDiscoveryConfig } from '@eticket/discovery';
import type { Logger } from '@eticket/logging';
import { createHttpApp, createMetricsRegistry, Periodic, registerStatusRoutes, type DependencyCheck, type HttpApp } from '@eticket/service-kit';
import type { OrderConfig } from './config';
import { BackgroundWork, Batcher, Semaphore } from './domain/background';
import { Coordinator } from './domain/coordinator';
import { Holds, type HoldScheduler } from './domain/holds';
import { OrderNotices } from './domain/notices';
import { Orders } from './domain/orders';
import { Payments, type PaymentProvider } from './domain/payments';
import { Phase2 } from './domain/phase2';
import type { Clock, SeatParticipant } from './domain/ports';
import { Recovery } from './domain/recovery';
import { faultInjector } from './faults';
import { bindServer, createCoordinatorServer } from './grpc/coordinator-server';
import { userServicePeers } from './grpc/discovered-user-service';
import { registerRoutes } from './http/routes';
import { countedTransactionLog } from './metrics';
import { SimulatedPaymentProvider } from './payments/simulated-provider';
import { CachedOrderLookups } from './store/cached-order-lookups';
import { MongoLeases, MongoWatermarks } from './store/coordination';
import { connectOrderDatabase, type OrderDatabase } from './store/mongo';
import { MongoOrderRepository } from './store/order-repository';
import { MongoPaymentRepository } from './store/payment-repository';
import { MongoTransactionLog } from './store/transaction-log';
import { HoldTimers } from './workers/hold-timers';

export interface OrderService {
  readonly http: HttpApp;
  readonly grpc: grpc.Server;
  readonly recovery: Recovery;
  readonly holds: Holds;
  /** Undefined when no cache is configured (CACHE_TOPOLOGY unset). */
  readonly caches: ServiceCaches<'order'> | undefined;
  /** Recovers, then serves HTTP and gRPC. */
  start(): Promise<void>;
  /** Stops accepting work, drains, closes connections. */
  stop(): Promise<void>;
}

export interface OrderServiceOverrides {
  readonly seats?: SeatParticipant;
  readonly provider?: PaymentProvider;
  readonly clock?: Clock;
}

/** Wires the Ticket Order Service from its configuration: adapters in, domain in the middle, HTTP and gRPC out. */
export async function createOrderService(config: Readonly<OrderConfig>, logger: Logger, overrides: OrderServiceOverrides = {}): Promise<OrderService> {
  const database: OrderDatabase = await connectOrderDatabase(config.ORDER_MONGO_URL);
  const clock: Clock = overrides.clock ?? { now: () => new Date() };
  const metrics = createMetricsRegistry('order');
  instrumentGrpc(metrics, logger);
  const log = countedTransactionLog(new MongoTransactionLog(database.db), metrics);
  const orderStore = new MongoOrderRepository(database.db);
  const leases = new MongoLeases(database.db, config.SERVICE_INSTANCE);
  const marks = new MongoWatermarks(database.db);
  // The User Service's instances from service discovery (USER_SERVICE_GRPC_ADDR, when set, instead);
  // channels connect lazily, so an override (tests) costs nothing.
  const { seats: grpcSeats, notifier } = userServicePeers(loadDiscoveryConfig(), config.USER_SERVICE_GRPC_ADDR, config.TWO_PC_PHASE2_TIMEOUT_MS, logger, breakerMetrics(metrics, 'order'));
  const seats: SeatParticipant = overrides.seats ?? grpcSeats;
  const background = new BackgroundWork(logger);
  const ended = new Batcher((ids) => log.markEnded(ids), logger);
  const phase2 = new Phase2({ seats, notifier, ended, background, logger, settings: { phase2TimeoutMs: config.TWO_PC_PHASE2_TIMEOUT_MS, attempts: 3 } });
  const coordinator = new Coordinator({
    log,
    orders: orderStore,
    seats,
    phase2,
    clock,
    faults: faultInjector(config.NODE_ENV, config.TWO_PC_FAULT, logger),
    logger,
    settings: {
      instance: config.SERVICE_INSTANCE,
      mode: config.ORDER_PLACEMENT_MODE,
      holdTtlMs: config.HOLD_TTL_SECONDS * 1000,
      prepareTimeoutMs: config.TWO_PC_PREPARE_TIMEOUT_MS,
      slotWaitMs: config.TWO_PC_SLOT_WAIT_MS,
    },
    slots: new Semaphore(config.TWO_PC_MAX_IN_FLIGHT),
  });
  const leaseMs = Math.max(config.RECOVERY_SCAN_INTERVAL_MS, 5_000);
  const recovery = new Recovery({
    log,
    orders: orderStore,
    phase2,
    clock,
    leases,
    marks,
    logger,
    settings: { decisionBoundMs: config.TWO_PC_DECISION_BOUND_MS, leaseMs, batch: 5_000 },
  });
  const notices = new OrderNotices(notifier, background, logger);
  // The timers fire only after start(), by which time `holds` exists. Every hold gets two: the
  // "about to expire" notice HOLD_WARNING_SECONDS before its end (sent once), and its expiry.
  const timers = new HoldTimers((orderId) => holds.expire(orderId), logger);
  const warnings = new HoldTimers((orderId) => holds.warn(orderId), logger);
  const scheduler: HoldScheduler = {
    schedule: (orderId, at) => {
      timers.schedule(orderId, at);
      warnings.schedule(orderId, new Date(at.getTime() - config.HOLD_WARNING_SECONDS * 1000));
    },
  };
  const holds: Holds = new Holds({
    orders: orderStore,
    log,
    seats,
    clock,
    leases,
    marks,
    scheduler,
    notices,
    logger,
    settings: {
      phase2TimeoutMs: config.TWO_PC_PHASE2_TIMEOUT_MS,
      leaseMs,
      batch: 5_000,
      lookaheadMs: config.RECOVERY_SCAN_INTERVAL_MS * 2,
      safetyMarginMs: 5_000,
    },
  });
  // The shared cache (when configured) keeps orders in a final state for GET /order/:id only.
  const cacheBackend = cacheBackendFromSettings(config);
  const caches = cacheBackend === undefined ? undefined : new ServiceCaches<'order'>(cacheBackend, ['order'], (error, operation) => {
    logger.debug({ err: error, operation }, 'cache operation failed; reading the database');
  });
  const orders = new Orders({
    coordinator,
    orders: orderStore,
    ...(caches === undefined ? {} : { lookups: new CachedOrderLookups(orderStore, caches.cache('order')) }),
    recovery,
    holds,
    phase2,
    background,
    clock,
    scheduler,
    settings: { replayWaitMs: config.TWO_PC_PREPARE_TIMEOUT_MS + 2_000 },
  });
  const provider = overrides.provider
    ?? new SimulatedPaymentProvider({ latencyMs: config.PAYMENT_SIM_LATENCY_MS, failureRate: config.PAYMENT_SIM_FAILURE_RATE });
  const payments = new Payments({
    payments: new MongoPaymentRepository(database.db),
    orders: orderStore,
    provider,
    clock,
    logger,
    settings: { replayWaitMs: config.PAYMENT_SIM_LATENCY_MS + 5_000, stuckAfterMs: config.PAYMENT_STUCK_AFTER_MS },
    notices,
  });

  const http = createHttpApp({ logger, bodyLimit: 16 * 1024, metrics });
  // The cache's hit ratio, lookups, errors and node liveness on /metrics.
  caches?.registerMetrics(metrics);
  registerIdentity(http, config.INTERNAL_AUTH_SECRET);
  const checks: DependencyCheck[] = [
    { name: 'mongodb', required: true, check: async () => ((await database.db.command({ ping: 1 })).ok === 1 ? undefined : Promise.reject(new Error('ping failed'))) },
    // Never required: the cache fails open, so with every node down the instance is slower, not unready.
    ...(caches === undefined ? [] : [{ name: 'cache', required: false, check: () => caches.report() }]),
  ];
  registerStatusRoutes(http, 'order', config.SERVICE_INSTANCE, checks);
  // The platform runner and Compose poll /health for readiness.
  http.get('/health', async (_request, reply) => {
    try {
      await database.db.command({ ping: 1 });
      return await reply.send({ status: 'up' });
    } catch {
      return reply.status(503).send({ status: 'down' });
    }
  });
  registerRoutes(http, orders, payments);

  const grpcServer = createCoordinatorServer(recovery);
  const recoveryLoop = new Periodic('recovery', config.RECOVERY_SCAN_INTERVAL_MS, async () => {
    const report = await recovery.scan();
    if (report.presumedAborted + report.redriven > 0) logger.info(report, 'recovery scan');
    await payments.resolveStuck(100);
  }, logger);
  const holdsLoop = new Periodic('holds', config.RECOVERY_SCAN_INTERVAL_MS, () => holds.scan(), logger);

  return {
    http,
    grpc: grpcServer,
    recovery,
    holds: holds,
    caches,
    async start() {
      await bindServer(grpcServer, `${config.HOST}:${config.GRPC_PORT}`);
      timers.start();
      warnings.start();
      await http.listen({ host: config.HOST, port: config.PORT });
      // Start-up recovery (then every interval) and the first hold scan run at once, in the background:
      // serving meanwhile is safe (every decision is a first-writer-wins insert, every step idempotent;
      // an order read while still undecided past the bound is settled on the spot), and on FerretDB,
      // which scans whole collections, waiting for them would make start-up time grow with history.
      recoveryLoop.start();
      holdsLoop.start();
      logger.info({ port: config.PORT, grpcPort: config.GRPC_PORT, mode: config.ORDER_PLACEMENT_MODE }, 'order service ready');
    },
    async stop() {
      await http.close();
      // A request whose client hung up is no longer tracked by the server; its transaction still is.
      await coordinator.drain();
      timers.stop();
      warnings.stop();
      recoveryLoop.stop();
      holdsLoop.stop();
      await background.drain();
      await ended.close();
      await new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      grpcSeats.close();
      notifier.close();
      uninstrumentGrpc(metrics);
      await caches?.close();
      await database.close();
    },
  };
}
