import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../chaos/stack';
import { platformEnv } from '../setup/platform-env';
import { spawnService, type ServiceProcess } from '../support/service-process';

// The gateway, one User Service and one Ticket Order Service as real
// processes logging at info, wired by static addresses (order → user over
// gRPC, user → order for 2PC decisions). Each process's output lands in
// .data/test-logs/<run>-<service>.log, which the tests read back.

const LOG_DIR = fileURLToPath(new URL('../../.data/test-logs/', import.meta.url));

export type LogLine = Record<string, unknown>;

export interface ObservedStack {
  readonly gatewayUrl: string;
  readonly userUrl: string;
  readonly orderUrl: string;
  readonly processes: Readonly<Record<'gateway' | 'user' | 'order', ServiceProcess>>;
  /** Every JSON line a service has written to stdout so far. */
  logLines(service: 'gateway' | 'user' | 'order'): LogLine[];
  /** The raw output of a service (JSON or not), for "never appears" checks. */
  rawLog(service: 'gateway' | 'user' | 'order'): string;
  /** An access token of the bootstrapped admin (buyer and organizer). */
  token(): Promise<string>;
  /** A new event with this many seats; its id. */
  event(seats: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startObservedStack(extraEnv: Readonly<Record<string, string>> = {}): Promise<ObservedStack> {
  const env = platformEnv();
  const run = `obs-${randomUUID().slice(0, 8)}`;
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const admin = { email: `${run}-admin@example.test`, password: 'observability-admin-password' };
  const ports = { userHttp: await freePort(), userGrpc: await freePort(), orderHttp: await freePort(), orderGrpc: await freePort(), gateway: await freePort() };
  const common = { LOG_LEVEL: 'info', ...extraEnv };
  const started: ServiceProcess[] = [];
  const stopAll = async () => {
    for (const process of started.reverse()) await process.stop();
  };
  try {
    const user = await spawnService({
      name: `${run}-user`,
      entry: 'services/user/src/main.ts',
      env: {
        ...common,
        ...secrets,
        USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
        USER_DB_READ_URL: env.USER_DB_READ_URL,
        PORT: String(ports.userHttp),
        GRPC_PORT: String(ports.userGrpc),
        SERVICE_INSTANCE: `${run}-user-1`,
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
        ORDER_SERVICE_GRPC_ADDR: `127.0.0.1:${ports.orderGrpc}`,
      },
      healthUrl: `http://127.0.0.1:${ports.userHttp}/health`,
      timeoutMs: 60_000,
    });
    started.push(user);
    const order = await spawnService({
      name: `${run}-order`,
      entry: 'services/order/src/main.ts',
      env: {
        ...common,
        INTERNAL_AUTH_SECRET: secrets.INTERNAL_AUTH_SECRET,
        ORDER_MONGO_URL: env.ORDER_MONGO_URL,
        PORT: String(ports.orderHttp),
        GRPC_PORT: String(ports.orderGrpc),
        SERVICE_INSTANCE: `${run}-order-1`,
        USER_SERVICE_GRPC_ADDR: `127.0.0.1:${ports.userGrpc}`,
        PAYMENT_SIM_LATENCY_MS: '20',
      },
      healthUrl: `http://127.0.0.1:${ports.orderHttp}/health`,
      timeoutMs: 60_000,
    });
    started.push(order);
    const gateway = await spawnService({
      name: `${run}-gateway`,
      entry: 'services/gateway/src/main.ts',
      env: {
        ...common,
        ...secrets,
        GATEWAY_PORT: String(ports.gateway),
        SERVICE_INSTANCE: `${run}-gateway-1`,
        USER_SERVICE_HTTP_URL: `http://127.0.0.1:${ports.userHttp}`,
        ORDER_SERVICE_HTTP_URL: `http://127.0.0.1:${ports.orderHttp}`,
        RATE_LIMIT_CLIENT_MAX: '10000000',
        RATE_LIMIT_USER_MAX: '10000000',
      },
      healthUrl: `http://127.0.0.1:${ports.gateway}/status/live`,
    });
    started.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const rawLog = (service: string) => readFileSync(`${LOG_DIR}${run}-${service}.log`, 'utf8');
    const token = async () => {
      const response = await fetch(`${gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
      if (response.status !== 200) throw new Error(`admin login failed: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    return {
      gatewayUrl,
      userUrl: `http://127.0.0.1:${ports.userHttp}`,
      orderUrl: `http://127.0.0.1:${ports.orderHttp}`,
      processes: { gateway, user, order },
      rawLog,
      logLines: (service) => rawLog(service).split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine),
      token,
      event: async (seats) => {
        const response = await fetch(`${gatewayUrl}/event`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'authorization': `Bearer ${await token()}` },
          body: JSON.stringify({
            name: `Observed night ${randomUUID().slice(0, 6)}`,
            description: 'an event whose orders are traced',
            date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
            venue: { name: 'Trace Hall', location: 'Localhost', capacity: seats },
            total_seats: seats,
            price: 2_500,
            currency: 'EUR',
          }),
        });
        if (response.status !== 201) throw new Error(`event failed: ${response.status} ${await response.text()}`);
        return ((await response.json()) as { id: string }).id;
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
