import { createCacheBackend, type CacheBackend } from '@eticket/cache';
import { announce, loadDiscoveryConfig, packageVersion, type Announcement } from '@eticket/discovery';
import { startServiceLogging, type Logger } from '@eticket/logging';
import { failStartup, installGracefulShutdown, type DependencyCheck } from '@eticket/service-kit';
import type { Cluster } from 'ioredis';
import { buildGateway } from './app';
import { listOf, loadConfig, type GatewayConfig } from './config';
import { rateLimitRedis, rateLimitStoreStatus } from './rate-limit';
import { StaleStore } from './stale/stale-store';
import { createSources } from './upstreams/sources';

/** The shared cache for stale copies, in the platform's topology; none (with a warning) when no Redis is configured. */
function staleBackend(config: GatewayConfig, logger: Logger): CacheBackend | undefined {
  try {
    return createCacheBackend({
      topology: config.CACHE_TOPOLOGY,
      clusterNodes: listOf(config.REDIS_CLUSTER_NODES),
      sentinels: listOf(config.REDIS_SENTINELS),
      ringShards: listOf(config.REDIS_RING_SHARDS),
      commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    });
  } catch (error) {
    logger.warn({ err: error }, 'no shared cache: stale-if-error copies stay in this process');
    return undefined;
  }
}

function cacheChecks(backend: CacheBackend | undefined, redis: Cluster | undefined): DependencyCheck[] {
  const checks: DependencyCheck[] = [];
  if (backend !== undefined) {
    checks.push({ name: 'stale-cache', required: false, check: async () => ({ topology: backend.topology, nodes: await backend.nodes() }) });
  }
  if (redis !== undefined) {
    checks.push({
      name: 'rate-limit-store',
      required: false,
      check: () => rateLimitStoreStatus(redis),
    });
  }
  return checks;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const discovery = loadDiscoveryConfig();
  const logging = startServiceLogging({ service: 'gateway', instance: config.SERVICE_INSTANCE, level: config.LOG_LEVEL });
  const logger = logging.logger;
  const version = packageVersion(new URL('../package.json', import.meta.url));
  const overrides = {
    user: config.USER_SERVICE_HTTP_URL,
    order: config.ORDER_SERVICE_HTTP_URL,
    etl: config.ETL_SERVICE_HTTP_URL,
    web: config.WEB_SERVICE_HTTP_URL,
  };
  const sources = createSources({ discovery, overrides }, logger);
  // Listen with what the registry knows after a moment; watchers keep trying in the background if etcd is slow.
  await Promise.race([sources.ready, new Promise((resolve) => setTimeout(resolve, 5_000))]);

  const clusterNodes = listOf(config.REDIS_CLUSTER_NODES);
  const redis = clusterNodes.length > 0 ? rateLimitRedis(clusterNodes, config.REDIS_COMMAND_TIMEOUT_MS) : undefined;
  if (redis === undefined) logger.warn('REDIS_CLUSTER_NODES is not set: rate limits are counted per gateway instance, and there is no waiting room');
  const roomRedis = redis !== undefined && config.WAITING_ROOM_ENABLED ? rateLimitRedis(clusterNodes, config.WAITING_ROOM_REDIS_TIMEOUT_MS) : undefined;
  // Subscribe mode needs a connection of its own; its SUBSCRIBE waits for the cluster (offline queue).
  const roomSubscriber = roomRedis === undefined ? undefined : rateLimitRedis(clusterNodes, config.WAITING_ROOM_REDIS_TIMEOUT_MS, { offlineQueue: true });
  const backend = staleBackend(config, logger);
  const stale = new StaleStore(backend, {
    ttlSeconds: config.STALE_TTL_SECONDS,
    refreshSeconds: config.STALE_REFRESH_SECONDS,
    namespace: discovery.namespace,
    onError: (error, operation) => logger.debug({ err: error, operation }, 'stale cache unavailable'),
  });
  const extraChecks = cacheChecks(backend, redis);
  const ping = sources.ping;
  if (ping !== undefined) extraChecks.push({ name: 'discovery', required: false, check: ping });

  const { app } = await buildGateway(config, {
    logger,
    sources: sources.sources,
    stale,
    rateLimitRedis: redis,
    ...(roomRedis === undefined ? {} : { waitingRoomRedis: roomRedis }),
    ...(roomSubscriber === undefined ? {} : { waitingRoomSubscriber: roomSubscriber }),
    namespace: discovery.namespace,
    extraChecks,
    version,
  });
  logging.registerMetrics(app.metricsRegistry);
  const registry: { announcement?: Announcement } = {};
  installGracefulShutdown({
    logger,
    close: async () => {
      // Leave the registry first (other gateways, if any, stop listing us), then drain.
      await registry.announcement?.withdraw();
      await app.close();
      sources.close();
      await Promise.all([redis?.quit().catch(() => redis.disconnect()), roomRedis?.quit().catch(() => roomRedis.disconnect()), backend?.close()]);
      await logging.close();
    },
  });
  // An on-sale opens with thousands of connections at once; Node's default accept backlog (511) overflows
  // while the event loop is busy, and the kernel then drops or resets connections before the gateway sees
  // them. The kernel caps the value at net.core.somaxconn.
  await app.listen({ host: config.HOST, port: config.GATEWAY_PORT, backlog: 4096 });
  registry.announcement = announce(discovery, { service: 'gateway', id: config.SERVICE_INSTANCE, host: config.HOST, httpPort: config.GATEWAY_PORT, version, protocols: ['http'] }, logger);
}

main().catch(failStartup);
