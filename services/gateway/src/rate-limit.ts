import type { Identity } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { Cluster } from 'ioredis';
import { batchedRedisStore, TAKE_TOKENS_LUA, type StoreDefaults, type TokenSource } from './rate-limit-store';

export interface RateLimitSettings {
  readonly windowMs: number;
  /** Per client address, for anonymous requests. */
  readonly clientMax: number;
  /** Per user, for authenticated requests. */
  readonly userMax: number;
  /** Shared counters (every gateway instance counts the same keys); undefined: this process only. */
  readonly redis: Cluster | undefined;
  /** The deployment (DISCOVERY_NAMESPACE): its gateways share counts, other deployments on the same Redis do not. */
  readonly namespace: string;
  readonly onLimited?: (key: 'user' | 'client') => void;
}

const keyOf = (request: FastifyRequest): string => {
  const identity = (request as FastifyRequest & { identity?: Identity | null }).identity;
  return identity ? `user:${identity.userId}` : `client:${request.ip}`;
};

/**
 * A Redis Cluster client for the limiter: fails fast (no offline queue, short
 * command timeout) because the limiter fails open, see below. The waiting
 * room has one of its own, with a longer command timeout.
 */
export function rateLimitRedis(nodes: readonly string[], commandTimeoutMs: number, options: { offlineQueue?: boolean } = {}): Cluster {
  const cluster = new Cluster(nodes.map((node) => {
    const [host = '127.0.0.1', port = '6379'] = node.split(':');
    return { host, port: Number(port) };
  }), {
    enableOfflineQueue: options.offlineQueue === true,
    slotsRefreshInterval: 2_000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    redisOptions: { commandTimeout: commandTimeoutMs, connectTimeout: 1_000, maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => undefined);
  cluster.on('node error', () => undefined);
  return cluster;
}

/**
 * The limiter's store as /status reports it: down while its client is not
 * connected, and also while connected masters do not answer. A frozen Redis
 * (SIGSTOP, a stalled VM) keeps its connections open, so the client's state
 * alone read "up" while every limit failed open
 * (test/chaos/redis-outage.test.ts). One PING per master, each bounded by the
 * client's command timeout.
 */
export async function rateLimitStoreStatus(redis: Pick<Cluster, 'status' | 'nodes'>): Promise<Record<string, unknown>> {
  if (redis.status !== 'ready') throw new Error(`Redis Cluster client is ${redis.status}: limits are not enforced (fail open)`);
  const masters = redis.nodes('master');
  try {
    await Promise.all(masters.map((node) => node.ping()));
  } catch (error) {
    throw new Error(`Redis Cluster does not answer (${error instanceof Error ? error.message : String(error)}): limits are not enforced (fail open)`);
  }
  return { redis: 'cluster', status: redis.status, masters: masters.length };
}

/** The batched Redis store on the Cluster client: the script defined once as a command. */
function sharedStore(redis: Cluster, prefix: string, defaults: StoreDefaults) {
  if (!('gatewayTakeTokens' in redis)) redis.defineCommand('gatewayTakeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS_LUA });
  return batchedRedisStore(redis as unknown as TokenSource, prefix, defaults);
}

/**
 * Rate limiting with @fastify/rate-limit. With a Redis client the counts live
 * in Redis (rate-limit-store.ts): a fixed-window counter per key, one Lua
 * script (INCRBY, PEXPIRE on the first hit of a window) on one key, which
 * Redis Cluster routes to the key's slot, so every gateway instance shares
 * one count per key. The plugin's own RedisStore would work on the Cluster
 * client as well; ours takes tokens in small batches (exact below a limit of
 * 100), which saves a Redis round trip on most requests of a busy key, and
 * grants a key's first batch in a window without Redis at all (a client's
 * first requests cost no round trip; a window may so admit up to one batch,
 * 1/50 of the limit, per gateway instance over it). The key
 * is the user when the request carries a valid access token (so users behind
 * one address do not share a limit), else the client address. Over the limit:
 * 429 RATE_LIMITED problem+json with Retry-After. If Redis cannot answer the
 * limiter fails open (skipOnError): an outage of the cache must not become an
 * outage of the marketplace; the breakers and bulkheads still protect the services.
 *
 * Returns the hook to run after edge authentication (it needs the identity).
 */
export async function registerRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<onRequestAsyncHookHandler> {
  const maxFor = (key: string) => (key.startsWith('user:') ? settings.userMax : settings.clientMax);
  await app.register(rateLimit, {
    global: false,
    timeWindow: settings.windowMs,
    max: (_request, key) => maxFor(key),
    keyGenerator: keyOf,
    skipOnError: true,
    ...(settings.redis === undefined ? {} : { store: sharedStore(settings.redis, `gateway:rate:${settings.namespace}:`, { windowMs: settings.windowMs, maxFor }) }),
  });
  const check = app.createRateLimit();
  return async function rateLimited(request, reply) {
    const verdict = await check(request);
    if (verdict.isAllowed) return;
    void reply.header('x-ratelimit-limit', verdict.max).header('x-ratelimit-remaining', verdict.remaining).header('x-ratelimit-reset', verdict.ttlInSeconds);
    if (!verdict.isExceeded) return;
    const by = verdict.key.startsWith('user:') ? 'user' : 'client';
    settings.onLimited?.(by);
    throw new AppError('RATE_LIMITED', `Too many requests: at most ${verdict.max} per ${settings.windowMs / 1000} s per ${by}`, { retryAfterSeconds: Math.max(1, verdict.ttlInSeconds) });
  };
}
