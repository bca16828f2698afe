import type { AddressInfo } from 'node:net';
import { announce, loadDiscoveryConfig, packageVersion, type Announcement } from '@eticket/discovery';
import { startServiceLogging, type Logger } from '@eticket/logging';
import { failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { buildEtlService } from './app';
import { loadConfig } from './config';
import { startSchedule, type Schedule } from './schedule';
import { migrate } from './store/migrate';

async function migrateWithRetry(url: string, logger: Logger): Promise<void> {
  // The warehouse may still be starting when we do: retry for about half a minute.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrate(url, logger);
      return;
    } catch (error) {
      if (attempt >= 15) throw error;
      logger.warn({ err: error, attempt }, 'warehouse migration failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const discovery = loadDiscoveryConfig();
  const logging = startServiceLogging({ service: 'etl', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const logger = logging.logger;
  await migrateWithRetry(config.WAREHOUSE_DB_URL, logger);
  const service = buildEtlService(config, logger);
  logging.registerMetrics(service.http.metricsRegistry);
  const running: { schedule?: Schedule; announcement?: Announcement } = {};
  installGracefulShutdown({
    logger,
    // A run in progress is let finish (its transaction commits or rolls back as a whole either way).
    timeoutMs: 120_000,
    close: async () => {
      await running.announcement?.withdraw();
      await running.schedule?.stop();
      await service.close();
      await logging.close();
    },
  });
  await service.http.listen({ host: config.HOST, port: config.PORT });
  if (config.ETL_SCHEDULE_ENABLED) running.schedule = startSchedule(config.ETL_CRON, () => service.run({ trigger: 'schedule' }), logger);
  const httpPort = (service.http.server.address() as AddressInfo).port;
  // The gateway finds the reports through discovery, like every other upstream.
  running.announcement = announce(discovery, {
    service: 'etl',
    id: config.SERVICE_INSTANCE,
    host: config.HOST,
    httpPort,
    version: packageVersion(new URL('../package.json', import.meta.url)),
    protocols: ['http'],
  }, logger);
  logger.info({ http: httpPort, cron: config.ETL_SCHEDULE_ENABLED ? config.ETL_CRON : 'off' }, 'etl service listening');
}

main().catch(failStartup);
