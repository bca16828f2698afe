import { randomBytes, randomUUID } from 'node:crypto';
import { issueAccessToken } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchFor } from '../../services/gateway/src/rate-limit-store';
import { freePort } from '../support/free-port';
import { platformEnv } from '../setup/platform-env';
import { platformRedisCluster } from '../support/platform-redis';
import { spawnService, type ServiceProcess } from '../support/service-process';

// Two gateway processes in front of one User Service share their rate-limit
// counts through the platform's Redis Cluster: a client (or a user) gets its
// limit once, not once per gateway instance. The address limit is under 100
// (one token per Redis call: exact); the user limit is 100, where each
// gateway grants a key's first batch without Redis and counts it later.

const CLIENT_MAX = 10;
const USER_MAX = 100;
const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
// A deployment of its own: no other test's gateways count against these keys.
const namespace = `ratelimit-${randomUUID().slice(0, 8)}`;
const processes: ServiceProcess[] = [];
const gateways: string[] = [];

beforeAll(async () => {
  const env = platformEnv();
  const [userPort, grpcPort] = [await freePort(), await freePort()];
  processes.push(await spawnService({
    name: 'ratelimit-user',
    entry: 'services/user/src/main.ts',
    env: { ...secrets, USER_DB_WRITE_URL: env.USER_DB_WRITE_URL, USER_DB_READ_URL: env.USER_DB_READ_URL, PORT: String(userPort), GRPC_PORT: String(grpcPort), SERVICE_INSTANCE: 'ratelimit-user' },
    healthUrl: `http://127.0.0.1:${userPort}/health`,
    timeoutMs: 60_000,
  }));
  for (const id of ['gw-1', 'gw-2']) {
    const port = await freePort();
    processes.push(await spawnService({
      name: `ratelimit-${id}`,
      entry: 'services/gateway/src/main.ts',
      env: {
        ...secrets,
        GATEWAY_PORT: String(port),
        SERVICE_INSTANCE: id,
        DISCOVERY_NAMESPACE: namespace,
        USER_SERVICE_HTTP_URL: `http://127.0.0.1:${userPort}`,
        ORDER_SERVICE_HTTP_URL: 'http://127.0.0.1:9',
        REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        RATE_LIMIT_CLIENT_MAX: String(CLIENT_MAX),
        RATE_LIMIT_USER_MAX: String(USER_MAX),
        RATE_LIMIT_WINDOW_MS: '60000',
      },
      healthUrl: `http://127.0.0.1:${port}/status/live`,
    }));
    gateways.push(`http://127.0.0.1:${port}`);
  }
  // The limiter fails open until its Redis client is connected: wait for both to report it ready.
  for (const gateway of gateways) {
    for (let tries = 0; ; tries += 1) {
      const report = await (await fetch(`${gateway}/status`)).json() as { dependencies: Record<string, { status: string }> };
      if (report.dependencies['rate-limit-store']?.status === 'up') break;
      if (tries > 100) throw new Error(`${gateway}: rate-limit store not ready`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 120_000);

afterAll(async () => {
  for (const child of processes.reverse()) await child.stop();
});

async function alternate(count: number, headers: Record<string, string> = {}): Promise<Response[]> {
  const responses: Response[] = [];
  for (let i = 0; i < count; i += 1) responses.push(await fetch(`${gateways[i % 2]!}/event?limit=1`, { headers }));
  return responses;
}

describe('rate limits shared by two gateway instances', () => {
  it(`let a client address make ${CLIENT_MAX} requests in all, spread over both gateways, then answer 429 with Retry-After from either`, async () => {
    const allowed = await alternate(CLIENT_MAX);
    expect(allowed.map((response) => response.status)).toEqual(Array.from({ length: CLIENT_MAX }, () => 200));
    const refused = await alternate(2);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await response.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    }
  });

  it(`give each signed-in user ${USER_MAX} requests of their own across both gateways, the first batch on each without a Redis call`, async () => {
    const user = async () => {
      const userId = randomUUID();
      return { userId, headers: { authorization: `Bearer ${(await issueAccessToken({ userId, email: 'u@example.test', roles: ['buyer'] }, secrets.JWT_SECRET, 300)).token}` } };
    };
    const batch = batchFor(USER_MAX);
    const first = await user();
    const counter = `gateway:rate:${namespace}:user:${first.userId}`;
    const redis = platformRedisCluster();
    try {
      // A batch on each gateway: answered without Redis, which has no counter for the user yet.
      expect((await alternate(2 * batch, first.headers)).every((response) => response.status === 200)).toBe(true);
      expect(await redis.get(counter)).toBeNull();
      // The next request asks Redis, and the batch granted before is counted with it.
      expect((await alternate(1, first.headers))[0]!.status).toBe(200);
      expect(Number(await redis.get(counter))).toBe(2 * batch);
      const rest = await alternate(USER_MAX + 5 - 2 * batch - 1, first.headers);
      const allowed = 2 * batch + 1 + rest.filter((response) => response.status === 200).length;
      // Requests alternate between the gateways: tokens one took and did not use are lost to the other (at most
      // batch - 1), and one gateway may still spend a token of its own after the other has answered 429.
      expect(allowed).toBeLessThanOrEqual(USER_MAX);
      expect(allowed).toBeGreaterThanOrEqual(USER_MAX - (batch - 1));
      expect(rest.slice(-4).map((response) => response.status)).toEqual([429, 429, 429, 429]);
    } finally {
      redis.disconnect();
    }
    // Another user is not affected by the first one's limit (nor by the address's, spent above).
    const second = await user();
    expect((await alternate(2, second.headers)).map((response) => response.status)).toEqual([200, 200]);
  });
});
