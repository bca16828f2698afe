// The application side of bench:failover: a User Service, a Ticket Order
// Service and a gateway as real processes against the bench's own platform,
// plus what the load needs (buyers with access tokens, one event with plenty
// of seats). Ports are fixed above the platform's block (base + 81/82/91/92/95)
// so nothing collides with it.
import { randomBytes, randomUUID } from 'node:crypto';
import { issueAccessToken, signInternalIdentity, type Identity } from '@eticket/auth';
import type { PlatformEnv } from '../platform/src/index';
import { spawnService, type ServiceProcess } from '../test/support/service-process';
import type { Buyer } from '../test/replication/load';

export interface BenchStack {
  readonly gatewayUrl: string;
  readonly buyers: readonly Buyer[];
  readonly eventId: string;
  stop(): Promise<void>;
}

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown }): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} -> ${response.status} ${JSON.stringify(body)}`);
  return body;
}

export async function startBenchStack(env: PlatformEnv, basePort: number, seats: number, buyerCount: number): Promise<BenchStack> {
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const ports = { userHttp: basePort + 81, userGrpc: basePort + 82, orderHttp: basePort + 91, orderGrpc: basePort + 92, gateway: basePort + 95 };
  const userUrl = `http://127.0.0.1:${ports.userHttp}`;
  const orderUrl = `http://127.0.0.1:${ports.orderHttp}`;
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const service of started.reverse()) await service.stop();
  };
  try {
    started.push(await spawnService({
      name: 'bench-failover-user',
      entry: 'services/user/src/main.ts',
      env: {
        ...secrets,
        USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
        USER_DB_READ_URL: env.USER_DB_READ_URL,
        PATRONI_REST_URLS: env.PATRONI_REST_URLS,
        // Read-your-writes marks in the platform's cache, whichever topology it runs.
        CACHE_TOPOLOGY: env.CACHE_TOPOLOGY,
        REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        REDIS_SENTINELS: env.REDIS_SENTINELS,
        REDIS_RING_SHARDS: env.REDIS_RING_SHARDS,
        PORT: String(ports.userHttp),
        GRPC_PORT: String(ports.userGrpc),
        SERVICE_INSTANCE: 'bench-failover-user',
        ORDER_SERVICE_GRPC_ADDR: `127.0.0.1:${ports.orderGrpc}`,
      },
      healthUrl: `${userUrl}/health`,
      timeoutMs: 60_000,
    }));
    started.push(await spawnService({
      name: 'bench-failover-order',
      entry: 'services/order/src/main.ts',
      env: {
        INTERNAL_AUTH_SECRET: secrets.INTERNAL_AUTH_SECRET,
        ORDER_MONGO_URL: env.ORDER_MONGO_URL,
        USER_SERVICE_GRPC_ADDR: `127.0.0.1:${ports.userGrpc}`,
        PORT: String(ports.orderHttp),
        GRPC_PORT: String(ports.orderGrpc),
        SERVICE_INSTANCE: 'bench-failover-order',
        PAYMENT_SIM_LATENCY_MS: '20',
        RECOVERY_SCAN_INTERVAL_MS: '1000',
      },
      healthUrl: `${orderUrl}/health`,
      timeoutMs: 60_000,
    }));
    started.push(await spawnService({
      name: 'bench-failover-gateway',
      entry: 'services/gateway/src/main.ts',
      env: {
        ...secrets,
        GATEWAY_PORT: String(ports.gateway),
        USER_SERVICE_HTTP_URL: userUrl,
        ORDER_SERVICE_HTTP_URL: orderUrl,
        SERVICE_INSTANCE: 'bench-failover-gateway',
        CACHE_TOPOLOGY: env.CACHE_TOPOLOGY,
        REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        REDIS_SENTINELS: env.REDIS_SENTINELS,
        REDIS_RING_SHARDS: env.REDIS_RING_SHARDS,
        // One client address and a few buyers send all the load: the limits are not what is measured.
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
      },
      healthUrl: `http://127.0.0.1:${ports.gateway}/status/live`,
    }));

    const buyers: Buyer[] = [];
    for (let i = 0; i < buyerCount; i += 1) {
      const email = `failover-${randomUUID().slice(0, 12)}@example.test`;
      const user = await call(`${userUrl}/user/register`, { method: 'POST', body: { email, password: 'correct horse battery staple' } });
      const identity: Identity = { userId: user.id as string, email, roles: ['buyer'] };
      buyers.push({ userId: identity.userId, token: (await issueAccessToken(identity, secrets.JWT_SECRET, 24 * 3_600)).token });
    }
    const organizer: Identity = { userId: buyers[0]!.userId, email: 'organizer@example.test', roles: ['buyer', 'organizer'] };
    const admin: Identity = { userId: randomUUID(), email: 'admin@example.test', roles: ['buyer', 'admin'] };
    await call(`${userUrl}/user/${organizer.userId}/roles/organizer`, { method: 'PUT', headers: { 'x-eticket-identity': await signInternalIdentity(admin, secrets.INTERNAL_AUTH_SECRET) } });
    const event = await call(`${userUrl}/event`, {
      method: 'POST',
      headers: { 'x-eticket-identity': await signInternalIdentity(organizer, secrets.INTERNAL_AUTH_SECRET) },
      body: {
        name: 'Failover night', description: 'orders placed while the primary dies',
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Bench Arena', location: 'Localhost', capacity: seats }, total_seats: seats, price: 1_000, currency: 'EUR',
      },
    });
    return { gatewayUrl: `http://127.0.0.1:${ports.gateway}`, buyers, eventId: event.id as string, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
