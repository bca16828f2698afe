import { randomUUID } from 'node:crypto';
import { platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { platformRedisCluster } from '../support/platform-redis';
import { clusterCacheEnv, NO_RATE_LIMITS, ServiceStack, type ServiceKind } from '../support/service-stack';

// Everything the browser UI needs, as `npm start` runs it: the User Service,
// the Ticket Order Service, the ETL service, the web service and the gateway
// as real processes that find each other through the platform's etcd (a
// registry namespace of their own), against the platform's databases and
// Redis Cluster. Ports stay fixed for the stack's life so an instance can be
// stopped and started again where it was.

/** SERVICE_INSTANCE of each service: the operator page the tests read lists them. */
const INSTANCE_NAMES: Readonly<Record<ServiceKind, string>> = { user: 'web-user-1', order: 'web-order-1', etl: 'web-etl-1', web: 'web-ui-1', gateway: 'web-gateway' };

export class WebStack {
  readonly namespace = `web-${randomUUID().slice(0, 8)}`;
  readonly admin = { email: `web-admin-${randomUUID().slice(0, 8)}@example.test`, password: 'web-admin-password' };
  private services: ServiceStack | undefined;

  private constructor() {}

  static async start(): Promise<WebStack> {
    const stack = new WebStack();
    try {
      // The User Service first (it creates the admin), then the rest side by side.
      stack.services = await ServiceStack.start({
        name: 'web-test',
        users: ['user'],
        orders: ['order'],
        etl: true,
        web: true,
        gateway: true,
        concurrent: true,
        registry: { namespace: stack.namespace },
        admin: stack.admin,
        instanceName: (kind) => INSTANCE_NAMES[kind],
        env: {
          user: { PATRONI_REST_URLS: platformEnv().PATRONI_REST_URLS },
          // Every 5 seconds (croner's optional seconds field), so the reports soon show this test's sales.
          etl: { ETL_CRON: '*/5 * * * * *' },
          // One browser from one address makes every request; the limits are not what these tests are about.
          gateway: { ...clusterCacheEnv(), ...NO_RATE_LIMITS },
        },
      });
      await stack.waitForUpstreams(['user', 'order', 'etl', 'web']);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  private get running(): ServiceStack {
    if (this.services === undefined) throw new Error('the web stack is not running');
    return this.services;
  }

  get url(): string {
    return this.running.gatewayUrl;
  }

  /** Starts (again) the Ticket Order Service where it was. */
  async startOrder(): Promise<void> {
    await this.running.start(this.running.get('order'));
  }

  /** Stops one service (SIGTERM: it deregisters, then drains). */
  async stopService(name: 'order'): Promise<void> {
    const instance = this.running.get(name);
    await instance.process?.stop();
    instance.process = undefined;
  }

  /** Waits until the gateway's /status lists a serving instance of each upstream. */
  async waitForUpstreams(names: readonly string[]): Promise<void> {
    await eventually(`the gateway to find ${names.join(', ')}`, async () => {
      const report = (await (await fetch(`${this.url}/status`)).json()) as { dependencies: Record<string, { status: string }> };
      return names.every((name) => report.dependencies[`${name}-service`]?.status === 'up') ? true : undefined;
    }, 30_000, 250);
  }

  async stop(): Promise<void> {
    await this.services?.stop();
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

  /**
   * A rush on one event: `count` other buyers' orders in flight, as the waiting room counts them (its slots in the
   * platform's Redis Cluster, leased for a minute), so the next buyer queues. `finish()` ends them.
   */
  async fillWaitingRoom(eventId: string, count: number): Promise<{ finish(): Promise<void> }> {
    const redis = platformRedisCluster();
    const slots = `wr:{${this.namespace}:${eventId}}:slots`;
    const others = Array.from({ length: count }, () => randomUUID());
    try {
      await redis.zadd(slots, ...others.flatMap((user) => [Date.now() + 60_000, user]));
    } catch (error) {
      redis.disconnect();
      throw error;
    }
    return {
      finish: async () => {
        try {
          await redis.zrem(slots, ...others);
        } finally {
          redis.disconnect();
        }
      },
    };
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
