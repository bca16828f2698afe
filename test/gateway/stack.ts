import { freePort } from '../support/free-port';
import { newSecrets, ServiceStack } from '../support/service-stack';
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

export async function startStack(name: string): Promise<Stack> {
  const secrets = newSecrets();
  const admin = { email: uniqueEmail('admin'), password: 'admin-e2e-password' };
  const limit = { BODY_LIMIT_BYTES: String(BODY_LIMIT) };
  const services = await ServiceStack.start({
    name,
    users: ['user'],
    gateway: true,
    secrets,
    admin,
    env: {
      all: limit,
      // Nothing listens there: the order service is not part of this stack.
      gateway: { ORDER_SERVICE_HTTP_URL: `http://127.0.0.1:${await freePort()}` },
    },
  });
  return {
    gatewayUrl: services.gatewayUrl,
    userUrl: services.get('user').url,
    jwtSecret: secrets.JWT_SECRET,
    admin,
    stop: () => services.stop(),
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
