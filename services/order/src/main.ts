import { announce, loadDiscoveryConfig, packageVersion, type Announcement } from '@eticket/discovery';
import { startServiceLogging } from '@eticket/logging';
import { failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { createOrderService } from './app';
import { loadOrderConfig } from './config';

try {
  const config = loadOrderConfig();
  const logging = startServiceLogging({ service: 'order', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const logger = logging.logger;
  const service = await createOrderService(config, logger);
  logging.registerMetrics(service.http.metricsRegistry);
  const registry: { announcement?: Announcement } = {};
  installGracefulShutdown({
    logger,
    close: async () => {
      // Leave the registry before draining: gateways and participants stop sending here first.
      await registry.announcement?.withdraw();
      await service.stop();
      await logging.close();
    },
  });
  await service.start();
  registry.announcement = announce(loadDiscoveryConfig(), {
    service: 'order',
    id: config.SERVICE_INSTANCE,
    host: config.HOST,
    httpPort: config.PORT,
    grpcPort: config.GRPC_PORT,
    version: packageVersion(new URL('../package.json', import.meta.url)),
    protocols: ['http', 'grpc'],
  }, logger);
} catch (error) {
  failStartup(error);
}
