import { createLogger } from '@eticket/logging';
import { failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { createOrderService } from './app';
import { loadOrderConfig } from './config';

try {
  const config = loadOrderConfig();
  const logger = createLogger({ service: 'order', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const service = await createOrderService(config, logger);
  installGracefulShutdown({ logger, close: () => service.stop() });
  await service.start();
} catch (error) {
  failStartup(error);
}
