import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { spawnService, type ServiceProcess } from '../support/service-process';
import { platformEnv } from '../setup/platform-env';
import { uniqueEmail } from '../user/support';

// The User Service and the gateway as real processes, as `npm start` runs
// them, on free ports, against the platform's database. The order service is
// deliberately absent: its routes must answer 503 from the gateway.

export interface Stack {
  readonly gatewayUrl: string;
  readonly userUrl: string;
  readonly jwtSecret: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** SIGTERM to the gateway, then the service; resolves with their exit codes (0 = drained cleanly). Idempotent. */
  stop(): Promise<(number | null)[]>;
}

export const BODY_LIMIT = 16_384;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startStack(name: string): Promise<Stack> {
  const env = platformEnv();
  const [userPort, grpcPort, gatewayPort, orderPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const secrets = { JWT_SECRET: randomBytes(32).toString('hex'), INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex') };
  const admin = { email: uniqueEmail('admin'), password: 'admin-e2e-password' };
  const limit = { BODY_LIMIT_BYTES: String(BODY_LIMIT) };
  const userUrl = `http://127.0.0.1:${userPort}`;
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const user: ServiceProcess = await spawnService({
    name: `${name}-user`,
    entry: 'services/user/src/main.ts',
    env: {
      ...secrets,
      ...limit,
      USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
      USER_DB_READ_URL: env.USER_DB_READ_URL,
      PORT: String(userPort),
      GRPC_PORT: String(grpcPort),
      SERVICE_INSTANCE: `${name}-user`,
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    },
    healthUrl: `${userUrl}/status`,
    timeoutMs: 60_000,
  });
  let gateway: ServiceProcess;
  try {
    gateway = await spawnService({
      name: `${name}-gateway`,
      entry: 'services/gateway/src/main.ts',
      env: {
        ...secrets,
        ...limit,
        GATEWAY_PORT: String(gatewayPort),
        USER_SERVICE_HTTP_URL: userUrl,
        // Nothing listens there: the order service is not part of this stack.
        ORDER_SERVICE_HTTP_URL: `http://127.0.0.1:${orderPort}`,
        SERVICE_INSTANCE: `${name}-gateway`,
      },
      healthUrl: `${gatewayUrl}/status`,
    });
  } catch (error) {
    await user.stop();
    throw error;
  }
  return {
    gatewayUrl,
    userUrl,
    jwtSecret: secrets.JWT_SECRET,
    admin,
    stop: async () => [await gateway.stop(), await user.stop()],
  };
}

export interface Session {
  readonly token: string;
  readonly userId: string;
  readonly email: string;
}

/** JSON request helper: the parsed body (or undefined), status and headers. */
export async function call(url: string, init: { method?: string; body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
}

export async function login(stack: Stack, email: string, password: string): Promise<Session> {
  const response = await call(`${stack.gatewayUrl}/user/login`, { method: 'POST', body: { email, password } });
  if (response.status !== 200) throw new Error(`login ${email} failed: ${response.text}`);
  const body = response.body as { access_token: string; user: { id: string } };
  return { token: body.access_token, userId: body.user.id, email };
}
