import type { AddressInfo } from 'node:net';
import { announce, loadDiscoveryConfig, packageVersion, type Announcement } from '@eticket/discovery';
import { createLogger } from '@eticket/logging';
import { failStartup, installGracefulShutdown } from '@eticket/service-kit';
import { buildWebApp } from './app';
import { loadConfig } from './config';

async function main(): Promise<void> {
  const config = loadConfig();
  const discovery = loadDiscoveryConfig();
  const logger = createLogger({ service: 'web', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const app = await buildWebApp(config, logger);
  const running: { announcement?: Announcement } = {};
  installGracefulShutdown({
    logger,
    close: async () => {
      // Leave the registry first, so the gateway stops sending before we drain.
      await running.announcement?.withdraw();
      await app.close();
    },
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  const httpPort = (app.server.address() as AddressInfo).port;
  // The gateway finds the UI through discovery, like every other upstream.
  running.announcement = announce(discovery, {
    service: 'web',
    id: config.SERVICE_INSTANCE,
    host: config.HOST,
    httpPort,
    version: packageVersion(new URL('../package.json', import.meta.url)),
    protocols: ['http'],
  }, logger);
  logger.info({ http: httpPort, dist: config.WEB_DIST_DIR }, 'web service listening');
}

main().catch(failStartup);
