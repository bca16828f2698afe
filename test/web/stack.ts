import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { spawnService, type ServiceProcess } from '../support/service-process';

// Everything the browser UI needs, as `npm start` runs it: the User Service,
// the Ticket Order Service, the ETL service, the web service and the gateway
// as real processes that find each other through the platform's etcd (a
// registry namespace of their own), against the platform's databases and
// Redis Cluster. Ports stay fixed for the stack's life so an instance can be
// stopped and started again where it was.

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

export interface Ports {
  readonly userHttp: number;
  readonly userGrpc: number;
  readonly orderHttp: number;
  readonly orderGrpc: number;
  readonly etl: number;
  readonly web: number;
  readonly gateway: number;
}

export class WebStack {
  readonly namespace = `web-${randomUUID().slice(0, 8)}`;
  readonly secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  readonly admin = { email: `web-admin-${randomUUID().slice(0, 8)}@example.test`, password: 'web-admin-password' };
  private readonly processes = new Map<string, ServiceProcess>();

  private constructor(readonly ports: Ports) {}

  static async start(): Promise<WebStack> {
    const ports: Ports = {
      userHttp: await freePort(), userGrpc: await freePort(), orderHttp: await freePort(), orderGrpc: await freePort(),
      etl: await freePort(), web: await freePort(), gateway: await freePort(),
    };
    const stack = new WebStack(ports);
    try {
      // The User Service first (it creates the admin), then the rest side by side.
      await stack.startUser();
      await Promise.all([stack.startOrder(), stack.startEtl(), stack.startWeb(), stack.startGateway()]);
      await stack.waitForUpstreams(['user', 'order', 'etl', 'web']);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get url(): string {
    return `http://127.0.0.1:${this.ports.gateway}`;
  }

  private discovery(): Record<string, string> {
    return { ETCD_ENDPOINTS: platformEnv().ETCD_ENDPOINTS, DISCOVERY_NAMESPACE: this.namespace };
  }

  private async spawn(name: string, entry: string, env: Record<string, string>, healthUrl: string): Promise<void> {
    this.processes.set(name, await spawnService({ name: `web-test-${name}`, entry, env: { ...this.discovery(), ...env }, healthUrl, timeoutMs: 60_000 }));
  }

  async startUser(): Promise<void> {
    const env = platformEnv();
    await this.spawn('user', 'services/user/src/main.ts', {
      ...this.secrets,
      USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
      USER_DB_READ_URL: env.USER_DB_READ_URL,
      PATRONI_REST_URLS: env.PATRONI_REST_URLS,
      PORT: String(this.ports.userHttp),
      GRPC_PORT: String(this.ports.userGrpc),
      SERVICE_INSTANCE: 'web-user-1',
      ADMIN_EMAIL: this.admin.email,
      ADMIN_PASSWORD: this.admin.password,
    }, `http://127.0.0.1:${this.ports.userHttp}/health`);
  }

  async startOrder(): Promise<void> {
    await this.spawn('order', 'services/order/src/main.ts', {
      INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET,
      ORDER_MONGO_URL: platformEnv().ORDER_MONGO_URL,
      PORT: String(this.ports.orderHttp),
      GRPC_PORT: String(this.ports.orderGrpc),
      SERVICE_INSTANCE: 'web-order-1',
      PAYMENT_SIM_LATENCY_MS: '20',
    }, `http://127.0.0.1:${this.ports.orderHttp}/health`);
  }

  private async startEtl(): Promise<void> {
    const env = platformEnv();
    await this.spawn('etl', 'services/etl/src/main.ts', {
      INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET,
      WAREHOUSE_DB_URL: env.WAREHOUSE_DB_URL,
      USER_DB_READ_URL: env.USER_DB_READ_URL,
      ORDER_MONGO_URL: env.ORDER_MONGO_URL,
      PORT: String(this.ports.etl),
      SERVICE_INSTANCE: 'web-etl-1',
      // Every 5 seconds (croner's optional seconds field), so the reports soon show this test's sales.
      ETL_CRON: '*/5 * * * * *',
    }, `http://127.0.0.1:${this.ports.etl}/health`);
  }

  private async startWeb(): Promise<void> {
    await this.spawn('web', 'services/web/src/main.ts', { PORT: String(this.ports.web), SERVICE_INSTANCE: 'web-ui-1' }, `http://127.0.0.1:${this.ports.web}/status`);
  }

  private async startGateway(): Promise<void> {
    const env = platformEnv();
    await this.spawn('gateway', 'services/gateway/src/main.ts', {
      ...this.secrets,
      GATEWAY_PORT: String(this.ports.gateway),
      SERVICE_INSTANCE: 'web-gateway',
      REDIS_CLUSTER_NODES: env.REDIS_CLUSTER_NODES,
      CACHE_TOPOLOGY: 'cluster',
      // One browser from one address makes every request; the limits are not what these tests are about.
      RATE_LIMIT_CLIENT_MAX: '10000000',
      RATE_LIMIT_USER_MAX: '10000000',
    }, `http://127.0.0.1:${this.ports.gateway}/status/live`);
  }

  /** Stops one service (SIGTERM: it deregisters, then drains). */
  async stopService(name: 'order'): Promise<void> {
    await this.processes.get(name)?.stop();
    this.processes.delete(name);
  }

  /** Waits until the gateway's /status lists a serving instance of each upstream. */
  async waitForUpstreams(names: readonly string[]): Promise<void> {
    await eventually(`the gateway to find ${names.join(', ')}`, async () => {
      const report = (await (await fetch(`${this.url}/status`)).json()) as { dependencies: Record<string, { status: string }> };
      return names.every((name) => report.dependencies[`${name}-service`]?.status === 'up') ? true : undefined;
    }, 30_000, 250);
  }

  async stop(): Promise<void> {
    for (const name of ['gateway', 'web', 'etl', 'order', 'user']) await this.processes.get(name)?.stop();
    this.processes.clear();
  }

  // --- the public API, for setting the scene -------------------------------------------------

  async call<T>(method: string, path: string, options: { token?: string; body?: unknown; key?: string } = {}): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.key !== undefined) headers['idempotency-key'] = options.key;
    const response = await fetch(`${this.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  async login(email: string, password: string): Promise<{ token: string; userId: string }> {
    const { status, body } = await this.call<{ access_token: string; user: { id: string } }>('POST', '/user/login', { body: { email, password } });
    if (status !== 200) throw new Error(`login ${email}: ${status}`);
    return { token: body.access_token, userId: body.user.id };
  }

  /** A new account (buyer); its session. */
  async buyer(password = 'a-buyer-password-1'): Promise<{ email: string; password: string; token: string; userId: string }> {
    const email = `buyer-${randomUUID().slice(0, 8)}@example.test`;
    const registered = await this.call('POST', '/user/register', { body: { email, password } });
    if (registered.status !== 201) throw new Error(`register ${email}: ${registered.status}`);
    return { email, password, ...(await this.login(email, password)) };
  }

  /** An event created by the admin; its id. */
  async event(name: string, seats: number, price = 2_500, currency = 'EUR'): Promise<string> {
    const admin = await this.login(this.admin.email, this.admin.password);
    const { status, body } = await this.call<{ id: string }>('POST', '/event', {
      token: admin.token,
      body: {
        name, description: `${name}: an evening of tests in a real browser.`, date_time: new Date(Date.now() + 20 * 86_400_000).toISOString(),
        venue: { name: 'Chromium Hall', location: 'Loopback', capacity: Math.max(seats, 10) }, total_seats: seats, price, currency,
      },
    });
    if (status !== 201) throw new Error(`event ${name}: ${status}`);
    return body.id;
  }

  /** Places (and, when asked, pays) an order through the API; the order id. */
  async order(token: string, eventId: string, quantity: number, pay = false): Promise<string> {
    const placed = await this.call<{ id: string }>('POST', '/order', { token, key: randomUUID(), body: { event_id: eventId, quantity } });
    if (placed.status !== 201) throw new Error(`order: ${placed.status} ${JSON.stringify(placed.body)}`);
    if (pay) {
      const paid = await this.call('POST', '/payment', { token, key: randomUUID(), body: { order_id: placed.body.id, payment_method: 'card' } });
      if (paid.status !== 201) throw new Error(`payment: ${paid.status}`);
    }
    return placed.body.id;
  }
}
