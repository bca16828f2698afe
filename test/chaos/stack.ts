import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { spawnService, type ServiceProcess } from '../support/service-process';

// Two User Service instances (and, when asked, Ticket Order Service instances) and a gateway as real processes, found through
// the platform's etcd under a registry namespace of their own (so no other
// test's instances join their pools), with the platform's Redis Cluster for
// rate limits and stale copies. Ports are fixed for the stack's life so an
// instance can be killed and started again where it was.

export const LEASE_TTL_SECONDS = 5;
export const READ_TIMEOUT_MS = 2_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface UserInstance {
  readonly id: string;
  readonly http: number;
  readonly grpc: number;
  process: ServiceProcess | undefined;
}

export interface InstanceStatus {
  readonly id: string;
  readonly breaker: string;
  readonly health: string;
}

export class ChaosStack {
  readonly namespace = `chaos-${randomUUID().slice(0, 8)}`;
  readonly secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  readonly admin = { email: `chaos-admin-${randomUUID().slice(0, 8)}@example.test`, password: 'chaos-admin-password' };
  gateway: ServiceProcess | undefined;

  private constructor(
    readonly name: string,
    readonly users: readonly UserInstance[],
    readonly orders: readonly UserInstance[],
    readonly gatewayPort: number,
  ) {}

  static async start(name: string, userIds: readonly string[] = ['user-a', 'user-b'], orderIds: readonly string[] = []): Promise<ChaosStack> {
    const users: UserInstance[] = [];
    for (const id of userIds) users.push({ id, http: await freePort(), grpc: await freePort(), process: undefined });
    const orders: UserInstance[] = [];
    for (const id of orderIds) orders.push({ id, http: await freePort(), grpc: await freePort(), process: undefined });
    const stack = new ChaosStack(name, users, orders, await freePort());
    try {
      // One after the other: the first creates the admin account, the others find it.
      for (const user of users) await stack.startUser(user.id);
      for (const order of orders) await stack.startOrder(order.id);
      await stack.startGateway();
      await stack.waitForInstances(userIds);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  private discoveryEnv(): Record<string, string> {
    return { ETCD_ENDPOINTS: platformEnv().ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: this.namespace, DISCOVERY_LEASE_TTL_SECONDS: String(LEASE_TTL_SECONDS) };
  }

  user(id: string): UserInstance {
    const user = this.users.find((candidate) => candidate.id === id);
    if (user === undefined) throw new Error(`no user instance ${id}`);
    return user;
  }

  async startUser(id: string): Promise<ServiceProcess> {
    const env = platformEnv();
    const user = this.user(id);
    user.process = await spawnService({
      name: `${this.name}-${id}`,
      entry: 'services/user/src/main.ts',
      env: {
        ...this.secrets,
        ...this.discoveryEnv(),
        USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
        USER_DB_READ_URL: env.USER_DB_READ_URL,
        PORT: String(user.http),
        GRPC_PORT: String(user.grpc),
        SERVICE_INSTANCE: id,
        ADMIN_EMAIL: this.admin.email,
        ADMIN_PASSWORD: this.admin.password,
      },
      healthUrl: `http://127.0.0.1:${user.http}/health`,
      timeoutMs: 60_000,
    });
    return user.process;
  }

  /** A Ticket Order Service instance that finds the User Service through the registry (no address given). */
  async startOrder(id: string): Promise<ServiceProcess> {
    const order = this.orders.find((candidate) => candidate.id === id);
    if (order === undefined) throw new Error(`no order instance ${id}`);
    order.process = await spawnService({
      name: `${this.name}-${id}`,
      entry: 'services/order/src/main.ts',
      env: {
        INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET,
        ...this.discoveryEnv(),
        ORDER_MONGO_URL: platformEnv().ORDER_MONGO_URL,
        PORT: String(order.http),
        GRPC_PORT: String(order.grpc),
        SERVICE_INSTANCE: id,
        PAYMENT_SIM_LATENCY_MS: '20',
      },
      healthUrl: `http://127.0.0.1:${order.http}/health`,
      timeoutMs: 60_000,
    });
    return order.process;
  }

  async startGateway(): Promise<void> {
    const env = platformEnv();
    this.gateway = await spawnService({
      name: `${this.name}-gateway`,
      entry: 'services/gateway/src/main.ts',
      env: {
        ...this.secrets,
        ...this.discoveryEnv(),
        GATEWAY_PORT: String(this.gatewayPort),
        SERVICE_INSTANCE: `${this.name}-gateway`,
        REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
        CACHE_TOPOLOGY: 'cluster',
        ROUTE_TIMEOUT_READ_MS: String(READ_TIMEOUT_MS),
        // The load comes from one address; the limits are not what these tests are about.
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
      },
      healthUrl: `${this.gatewayUrl}/status/live`,
    });
  }

  /** The user instances in the gateway's pool, as its /status reports them. */
  async instances(): Promise<InstanceStatus[]> {
    const response = await fetch(`${this.gatewayUrl}/status`, { signal: AbortSignal.timeout(5_000) });
    const report = (await response.json()) as { dependencies: Record<string, { details?: { instances?: InstanceStatus[] } }> };
    return report.dependencies['user-service']?.details?.instances ?? [];
  }

  /**
   * Waits until the gateway lists every instance with a closed breaker. A
   * breaker changes state only on calls (an open one half-opens on the next
   * request), so this sends reads meanwhile, as live traffic would.
   */
  async waitForInstances(ids: readonly string[], timeoutMs = 20_000): Promise<void> {
    await eventually(`the gateway to list ${ids.join(', ')} with closed breakers`, async () => {
      await Promise.all(Array.from({ length: 4 }, () => fetch(`${this.gatewayUrl}/event?limit=1`).then((response) => response.arrayBuffer())));
      const listed = await this.instances();
      return ids.every((id) => listed.some((instance) => instance.id === id && instance.breaker === 'closed')) ? true : undefined;
    }, timeoutMs, 200);
  }

  /** eticket_breaker_transitions_total for one user instance, by the state entered. */
  async transitions(instance: string): Promise<Record<string, number>> {
    const text = await (await fetch(`${this.gatewayUrl}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith('eticket_breaker_transitions_total{')) continue;
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
      if (labels.upstream !== 'user' || labels.instance !== instance || labels.state === undefined) continue;
      out[labels.state] = Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return out;
  }

  async token(): Promise<string> {
    const response = await fetch(`${this.gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.admin) });
    if (response.status !== 200) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  /** A new event through the gateway; its id. */
  async event(seats = 1_000): Promise<string> {
    const response = await fetch(`${this.gatewayUrl}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'authorization': `Bearer ${await this.token()}` },
      body: JSON.stringify({
        name: `Chaos night ${randomUUID().slice(0, 6)}`,
        description: 'an event read under faults',
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Chaos Arena', location: 'Localhost', capacity: seats },
        total_seats: seats,
        price: 2_500,
        currency: 'EUR',
      }),
    });
    if (response.status !== 201) throw new Error(`event failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  async stop(): Promise<void> {
    await this.gateway?.stop();
    for (const order of this.orders) await order.process?.stop();
    for (const user of this.users) await user.process?.stop();
  }
}
