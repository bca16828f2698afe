import type { Identity } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { Cluster } from 'ioredis';

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
 * command timeout) because the limiter fails open, see below.
 */
export function rateLimitRedis(nodes: readonly string[], commandTimeoutMs: number): Cluster {
  const cluster = new Cluster(nodes.map((node) => {
    const [host = '127.0.0.1', port = '6379'] = node.split(':');
    return { host, port: Number(port) };
  }), {
    enableOfflineQueue: false,
    slotsRefreshInterval: 2_000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    redisOptions: { commandTimeout: commandTimeoutMs, connectTimeout: 1_000, maxRetriesPerRequest: 1 },
  });
  cluster.on('error', () => undefined);
  cluster.on('node error', () => undefined);
  return cluster;
}

/**
 * Rate limiting with @fastify/rate-limit. With a Redis client its RedisStore
 * counts in Redis: one Lua script per request (INCR, PEXPIRE on the first hit
 * of a window) on one key, which Redis Cluster routes to the key's slot, so
 * every gateway instance shares one count per key (a fixed window). The key
 * is the user when the request carries a valid access token (so users behind
 * one address do not share a limit), else the client address. Over the limit:
 * 429 RATE_LIMITED problem+json with Retry-After. If Redis cannot answer the
 * limiter fails open (skipOnError): an outage of the cache must not become an
 * outage of the marketplace; the breakers and bulkheads still protect the services.
 *
 * Returns the hook to run after edge authentication (it needs the identity).
 */
export async function registerRateLimit(app: FastifyInstance, settings: RateLimitSettings): Promise<onRequestAsyncHookHandler> {
  await app.register(rateLimit, {
    global: false,
    timeWindow: settings.windowMs,
    max: (_request, key) => (key.startsWith('user:') ? settings.userMax : settings.clientMax),
    keyGenerator: keyOf,
    skipOnError: true,
    nameSpace: `gateway:rate:${settings.namespace}:`,
    ...(settings.redis === undefined ? {} : { redis: settings.redis }),
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
