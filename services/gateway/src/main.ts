import { createLogger } from '@eticket/logging';
import { failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { buildGateway } from './app';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ service: 'gateway', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const app = await buildGateway(config, { logger });
  installGracefulShutdown({ logger, close: () => app.close() });
  await app.listen({ host: config.HOST, port: config.GATEWAY_PORT });
}

main().catch(failStartup);
