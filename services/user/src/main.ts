import type { AddressInfo } from 'node:net';
import { announce, loadDiscoveryConfig, packageVersion, type Announcement } from '@eticket/discovery';
import { startServiceLogging, type Logger } from '@eticket/logging';
import { breakerMetrics } from '@eticket/resilience';
import { createMetricsRegistry, failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { buildUserService } from './app';
import { loadConfig } from './config';
import { DEFAULT_COORDINATOR_ADDR, loadReservationConfig } from './domain/reservation-config';
import { coordinatorDecisions } from './grpc/discovered-decisions';
import { createReservationParticipant } from './grpc/seat-reservation';
import { listenGrpc } from './grpc/server';
import { createDatabase } from './store/db';
import { migrate } from './store/migrate';

async function migrateWithRetry(url: string, logger: Logger): Promise<void> {
  // The database may still be starting or failing over when we do: retry for about half a minute.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrate(url, logger);
      return;
    } catch (error) {
      if (attempt >= 15) throw error;
      logger.warn({ err: error, attempt }, 'migration failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const discovery = loadDiscoveryConfig();
  const logging = startServiceLogging({ service: 'user', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const logger = logging.logger;
  await migrateWithRetry(config.USER_DB_WRITE_URL, logger);
  const db = createDatabase({
    writeUrl: config.USER_DB_WRITE_URL,
    readUrl: config.USER_DB_READ_URL,
    poolSize: config.USER_DB_POOL_SIZE,
    applicationName: config.SERVICE_INSTANCE,
    logger,
  });
  // The seat-reservation participant of the two-phase commit (issue 4): its gRPC service and its resolver of stale prepared
  // transactions, which asks any discovered coordinator instance (or ORDER_SERVICE_GRPC_ADDR when set) for decisions.
  const reservationConfig = loadReservationConfig();
  const metrics = createMetricsRegistry('user');
  logging.registerMetrics(metrics);
  const countBreaker = breakerMetrics(metrics, 'user');
  const coordinatorAddress = reservationConfig.ORDER_SERVICE_GRPC_ADDR;
  const decisions = coordinatorDecisions(discovery, coordinatorAddress, DEFAULT_COORDINATOR_ADDR, logger, (upstream, instance, state) => {
    countBreaker(upstream, instance, state);
    logger[state === 'open' ? 'warn' : 'info']({ upstream, upstreamInstance: instance, breaker: state }, `breaker ${state} for ${upstream} instance ${instance}`);
  });
  // Seat changes the participant makes feed the live availability frames; the service is built after the participant.
  const seats: { changed: (txId: string) => void } = { changed: () => undefined };
  const participant = createReservationParticipant(db, logger, reservationConfig, decisions, (txId) => seats.changed(txId));
  const service = buildUserService(config, { logger, db, extraGrpcServices: [participant.grpcService], metrics });
  seats.changed = (txId) => service.availability.transactionSettled(txId);
  if (config.ADMIN_EMAIL !== undefined && config.ADMIN_PASSWORD !== undefined) {
    const outcome = await service.accounts.bootstrapAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    logger.info({ admin: config.ADMIN_EMAIL, outcome }, outcome === 'created' ? 'created the first admin' : 'admin account already exists');
  }
  const registry: { announcement?: Announcement } = {};
  installGracefulShutdown({
    logger,
    close: async () => {
      // Leave the registry before draining: gateways and order instances stop sending here first.
      await registry.announcement?.withdraw();
      await participant.stop();
      await service.close();
      await db.close();
      await logging.close();
    },
  });
  await service.http.listen({ host: config.HOST, port: config.PORT });
  const grpcPort = await listenGrpc(service.grpc, config.HOST, config.GRPC_PORT);
  participant.start();
  service.start();
  const httpPort = (service.http.server.address() as AddressInfo).port;
  registry.announcement = announce(discovery, {
    service: 'user',
    id: config.SERVICE_INSTANCE,
    host: config.HOST,
    httpPort,
    grpcPort,
    version: packageVersion(new URL('../package.json', import.meta.url)),
    protocols: ['http', 'grpc'],
  }, logger);
  logger.info({ http: httpPort, grpc: grpcPort }, 'user service listening');
}

main().catch(failStartup);
