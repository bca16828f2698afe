import { randomBytes, randomUUID } from 'node:crypto';
import { platformEnv } from '../setup/platform-env';
import { freePort } from './free-port';
import { spawnService, type ServiceProcess } from './service-process';

// The services as real processes, as `npm start` runs them, against the
// platform's databases, on ports fixed for the stack's life so that a test
// can kill an instance and start it again where the others expect it. Each
// service's own environment is written here once; a test stack adds only what
// its tests are about (through `env`) and its helpers for setting the scene.

export type Env = Record<string, string>;
export type ServiceKind = 'user' | 'order' | 'etl' | 'web' | 'gateway';

export interface Secrets {
  readonly JWT_SECRET: string;
  readonly INTERNAL_AUTH_SECRET: string;
}

export function newSecrets(): Secrets {
  return { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
}

/** The gateway's shared state (rate limits, stale copies) in the platform's Redis Cluster. */
export function clusterCacheEnv(): Env {
  return { CACHE_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: platformEnv().REDIS_CLUSTER_NODES };
}

/** For a gateway whose load comes from one test process at one address: the rate limits are not what the tests are about. */
export const NO_RATE_LIMITS: Env = { RATE_LIMIT_CLIENT_MAX: '10000000', RATE_LIMIT_USER_MAX: '10000000' };

export interface ServiceInstance {
  readonly kind: ServiceKind;
  /** The stack's name for it; its output goes to .data/test-logs/<stack name>-<id>.log. */
  readonly id: string;
  /** Its SERVICE_INSTANCE: how it registers and reports itself. */
  readonly instance: string;
  readonly http: number;
  /** 0 for the services without a gRPC server. */
  readonly grpc: number;
  readonly url: string;
  /** The running process; undefined before the first start and after stop(). */
  process: ServiceProcess | undefined;
}

export interface ServiceStackOptions {
  /** Prefix of every log file name. */
  readonly name: string;
  /** User Service instance ids, started one after the other before anything else (the first creates the admin account, the others find it). */
  readonly users?: readonly string[];
  /** Ticket Order Service instance ids. */
  readonly orders?: readonly string[];
  readonly etl?: boolean;
  readonly web?: boolean;
  readonly gateway?: boolean;
  /**
   * With a namespace, the services find each other through the platform's
   * etcd under it (so no other test's instances join their pools). Without,
   * they are wired by address: every User Service to the first order
   * instance, every order instance to the first User Service, the gateway to
   * the first of each.
   */
  readonly registry?: { readonly namespace: string; readonly leaseTtlSeconds?: number };
  readonly secrets?: Secrets;
  /** The admin account the User Service creates at start-up. */
  readonly admin?: { readonly email: string; readonly password: string };
  /** Each instance's SERVICE_INSTANCE; its log name (`<name>-<id>`) unless given. */
  readonly instanceName?: (kind: ServiceKind, id: string) => string;
  /** Added to (and overriding) each service's own environment: `all` for every one, then its kind's. */
  readonly env?: Partial<Record<ServiceKind | 'all', Env>>;
  /** Starts everything after the User Services side by side instead of one after the other. */
  readonly concurrent?: boolean;
  /** Instance ids given their ports and names but not started: the test starts them later with `start()`. */
  readonly notStarted?: readonly string[];
}

const ENTRY: Readonly<Record<ServiceKind, string>> = {
  user: 'services/user/src/main.ts',
  order: 'services/order/src/main.ts',
  etl: 'services/etl/src/main.ts',
  web: 'services/web/src/main.ts',
  gateway: 'services/gateway/src/main.ts',
};

/** What each service answers 200 on once it is ready to serve. */
const HEALTH_PATH: Readonly<Record<ServiceKind, string>> = { user: '/health', order: '/health', etl: '/health', web: '/status', gateway: '/status/live' };

/** Stopped in this order: the callers first, the User Service (which the others call) last. */
const STOP_ORDER: readonly ServiceKind[] = ['gateway', 'web', 'etl', 'order', 'user'];

export class ServiceStack {
  readonly secrets: Secrets;

  private constructor(
    readonly options: ServiceStackOptions,
    readonly instances: readonly ServiceInstance[],
  ) {
    this.secrets = options.secrets ?? newSecrets();
  }

  /** Starts the stack; if any service fails to start, stops what did and rethrows. */
  static async start(options: ServiceStackOptions): Promise<ServiceStack> {
    const wanted: [ServiceKind, string][] = [
      ...(options.users ?? []).map((id): [ServiceKind, string] => ['user', id]),
      ...(options.orders ?? []).map((id): [ServiceKind, string] => ['order', id]),
      ...(options.etl === true ? [['etl', 'etl'] as [ServiceKind, string]] : []),
      ...(options.web === true ? [['web', 'web'] as [ServiceKind, string]] : []),
      ...(options.gateway === true ? [['gateway', 'gateway'] as [ServiceKind, string]] : []),
    ];
    const instances: ServiceInstance[] = [];
    for (const [kind, id] of wanted) {
      const http = await freePort();
      const grpc = kind === 'user' || kind === 'order' ? await freePort() : 0;
      const instance = options.instanceName?.(kind, id) ?? `${options.name}-${id}`;
      instances.push({ kind, id, instance, http, grpc, url: `http://127.0.0.1:${http}`, process: undefined });
    }
    const stack = new ServiceStack(options, instances);
    const now = instances.filter((instance) => !(options.notStarted ?? []).includes(instance.id));
    try {
      for (const user of now.filter((instance) => instance.kind === 'user')) await stack.start(user);
      const rest = now.filter((instance) => instance.kind !== 'user');
      if (options.concurrent === true) await Promise.all(rest.map((instance) => stack.start(instance)));
      else for (const instance of rest) await stack.start(instance);
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Every instance of a kind, in the order given. */
  all(kind: ServiceKind): ServiceInstance[] {
    return this.instances.filter((instance) => instance.kind === kind);
  }

  /** The instance of `kind` named `id`, or the first of its kind. */
  get(kind: ServiceKind, id?: string): ServiceInstance {
    const found = this.instances.find((instance) => instance.kind === kind && (id === undefined || instance.id === id));
    if (found === undefined) throw new Error(`no ${kind} instance${id === undefined ? '' : ` ${id}`} in stack ${this.options.name}`);
    return found;
  }

  get gatewayUrl(): string {
    return this.get('gateway').url;
  }

  /** The admin's access token and user id, from a login through the gateway (needs `admin` and `gateway`). */
  async session(): Promise<{ token: string; userId: string }> {
    if (this.options.admin === undefined) throw new Error(`stack ${this.options.name} has no admin account`);
    const response = await fetch(`${this.gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.options.admin) });
    if (response.status !== 200) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { access_token: string; user: { id: string } };
    return { token: body.access_token, userId: body.user.id };
  }

  /** A new event created by the admin through the gateway; its id. */
  async event(seats = 1_000): Promise<string> {
    const response = await fetch(`${this.gatewayUrl}/event`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'authorization': `Bearer ${(await this.session()).token}` },
      body: JSON.stringify({
        name: `${this.options.name} night ${randomUUID().slice(0, 6)}`,
        description: `an event of the ${this.options.name} tests`,
        date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        venue: { name: 'Test Arena', location: 'Localhost', capacity: seats },
        total_seats: seats,
        price: 2_500,
        currency: 'EUR',
      }),
    });
    if (response.status !== 201) throw new Error(`event failed: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  }

  /** (Re)starts an instance on its ports; `env` adds to or overrides its environment for this start only. */
  async start(instance: ServiceInstance, env: Env = {}): Promise<ServiceProcess> {
    instance.process = await spawnService({
      name: `${this.options.name}-${instance.id}`,
      entry: ENTRY[instance.kind],
      env: { ...this.ownEnv(instance), ...this.discoveryEnv(), ...this.options.env?.all, ...this.options.env?.[instance.kind], ...env },
      healthUrl: `${instance.url}${HEALTH_PATH[instance.kind]}`,
      timeoutMs: 60_000,
    });
    return instance.process;
  }

  /** SIGTERM (they deregister, then drain) to every running instance, callers first; their exit codes in that order. */
  async stop(): Promise<(number | null)[]> {
    const codes: (number | null)[] = [];
    for (const kind of STOP_ORDER) {
      for (const instance of this.all(kind)) {
        if (instance.process === undefined) continue;
        codes.push(await instance.process.stop());
        instance.process = undefined;
      }
    }
    return codes;
  }

  private discoveryEnv(): Env {
    const registry = this.options.registry;
    if (registry === undefined) return {};
    return {
      ETCD_ENDPOINTS: platformEnv().ETCD_ENDPOINTS,
      DISCOVERY_NAMESPACE: registry.namespace,
      ...(registry.leaseTtlSeconds === undefined ? {} : { DISCOVERY_LEASE_TTL_SECONDS: String(registry.leaseTtlSeconds) }),
    };
  }

  /** The first instance of `kind`, when the services are wired by address. */
  private staticPeer(kind: ServiceKind): ServiceInstance | undefined {
    return this.options.registry === undefined ? this.all(kind)[0] : undefined;
  }

  private ownEnv(instance: ServiceInstance): Env {
    const platform = platformEnv();
    const own = { PORT: String(instance.http), SERVICE_INSTANCE: instance.instance };
    const grpcPort = { GRPC_PORT: String(instance.grpc) };
    const user = this.staticPeer('user');
    const order = this.staticPeer('order');
    const admin = this.options.admin;
    switch (instance.kind) {
      case 'user':
        return {
          ...this.secrets,
          ...own,
          ...grpcPort,
          USER_DB_WRITE_URL: platform.USER_DB_WRITE_URL,
          USER_DB_READ_URL: platform.USER_DB_READ_URL,
          ...(admin === undefined ? {} : { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password }),
          ...(order === undefined ? {} : { ORDER_SERVICE_GRPC_ADDR: `127.0.0.1:${order.grpc}` }),
        };
      case 'order':
        return {
          INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET,
          ...own,
          ...grpcPort,
          ORDER_MONGO_URL: platform.ORDER_MONGO_URL,
          PAYMENT_SIM_LATENCY_MS: '20',
          ...(user === undefined ? {} : { USER_SERVICE_GRPC_ADDR: `127.0.0.1:${user.grpc}` }),
        };
      case 'etl':
        return {
          INTERNAL_AUTH_SECRET: this.secrets.INTERNAL_AUTH_SECRET,
          ...own,
          WAREHOUSE_DB_URL: platform.WAREHOUSE_DB_URL,
          USER_DB_READ_URL: platform.USER_DB_READ_URL,
          ORDER_MONGO_URL: platform.ORDER_MONGO_URL,
        };
      case 'web':
        return own;
      case 'gateway':
        return {
          ...this.secrets,
          GATEWAY_PORT: String(instance.http),
          SERVICE_INSTANCE: instance.instance,
          ...(user === undefined ? {} : { USER_SERVICE_HTTP_URL: user.url }),
          ...(order === undefined ? {} : { ORDER_SERVICE_HTTP_URL: order.url }),
        };
    }
  }
}

export const startServiceStack = (options: ServiceStackOptions): Promise<ServiceStack> => ServiceStack.start(options);
