// The application services `up` starts after the infrastructure: each
// instance is `tsx services/<service>/src/main.ts` as a child process, given
// the platform env plus its own ports, and waited for on its health URL. Two
// instances of the User and Ticket Order Services run by default; nobody is
// told where another is: every instance registers in etcd (ETCD_ENDPOINTS is
// in the platform env) and the gateway and the gRPC clients discover them.
// The list is plain data so it is easy to change; ETICKET_SERVICES=gateway,user
// picks a subset (by service, or by instance: user-1), ETICKET_INSTANCES=1 runs
// one instance of each.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PlatformEnv } from './env-contract';
import { httpStatus } from './http';
import type { PlatformHandle } from './index';
import { repoRoot } from './paths';
import type { ManagedProcess } from './process-supervisor';
import { waitFor } from './wait';

export interface ServiceSpec {
  /** The instance, e.g. `user-2` (its SERVICE_INSTANCE); `gateway` for the single gateway. */
  name: string;
  /** The service it is an instance of. */
  service: string;
  /** Entry file relative to the repository root. */
  entry: string;
  /** Working directory: the repository root, so tsx finds the root tsconfig.json. */
  cwd: string;
  /** Variables on top of the inherited environment. */
  env: Record<string, string>;
  port: number;
  healthUrl: string;
}

export const DEV_JWT_SECRET = 'dev-only-jwt-secret-do-not-use-in-production-0123456789';
/** Services sign internal (service-to-service) assertions with this; >= 32 characters like JWT_SECRET. */
export const DEV_INTERNAL_AUTH_SECRET = 'dev-only-internal-auth-secret-not-for-production-012345';
export const DEV_ADMIN_EMAIL = 'admin@e-ticket.local';
export const DEV_ADMIN_PASSWORD = 'admin-dev-password';

export function defaultServices(platformEnv: PlatformEnv, basePort: number, env: NodeJS.ProcessEnv = process.env): ServiceSpec[] {
  // Instance i (1, 2) of the User Service listens on base+100+i (HTTP) and base+110+i (gRPC), of the order
  // service on base+200+i and base+210+i (its TransactionCoordinator gRPC server).
  const instances = env.ETICKET_INSTANCES === '1' ? [1] : [1, 2];
  const gatewayPort = Number(env.GATEWAY_PORT ?? 8080);
  const shared: Record<string, string> = {
    ...platformEnv,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    JWT_SECRET: env.JWT_SECRET ?? DEV_JWT_SECRET,
    INTERNAL_AUTH_SECRET: env.INTERNAL_AUTH_SECRET ?? DEV_INTERNAL_AUTH_SECRET,
    ADMIN_EMAIL: env.ADMIN_EMAIL ?? DEV_ADMIN_EMAIL,
    ADMIN_PASSWORD: env.ADMIN_PASSWORD ?? DEV_ADMIN_PASSWORD,
  };
  const spec = (service: string, name: string, port: number, healthPath: string, own: Record<string, string>): ServiceSpec => ({
    name,
    service,
    entry: `services/${service}/src/main.ts`,
    cwd: repoRoot,
    env: { ...shared, SERVICE_INSTANCE: name, ...own },
    port,
    healthUrl: `http://127.0.0.1:${port}${healthPath}`,
  });
  const all = [
    ...instances.map((i) => spec('user', `user-${i}`, basePort + 100 + i, '/health', { PORT: String(basePort + 100 + i), GRPC_PORT: String(basePort + 110 + i) })),
    ...instances.map((i) => spec('order', `order-${i}`, basePort + 200 + i, '/health', { PORT: String(basePort + 200 + i), GRPC_PORT: String(basePort + 210 + i) })),
    spec('gateway', 'gateway', gatewayPort, '/status', { GATEWAY_PORT: String(gatewayPort), PORT: String(gatewayPort), SERVICE_INSTANCE: 'gateway-1' }),
    // The ETL service (base+301): scheduled warehouse loads and the admin reports, found by the gateway through etcd.
    spec('etl', 'etl-1', basePort + 301, '/health', { PORT: String(basePort + 301) }),
    // The browser UI's static files (base+401), served by the gateway at / for every path no API route takes.
    spec('web', 'web-1', basePort + 401, '/status', { PORT: String(basePort + 401) }),
  ];
  const only = env.ETICKET_SERVICES?.split(',').map((s) => s.trim()).filter(Boolean);
  return only ? all.filter((s) => only.includes(s.service) || only.includes(s.name)) : all;
}

export interface StartedService {
  spec: ServiceSpec;
  process: ManagedProcess;
}

/** Starts the services whose entry exists, concurrently; resolves when every one answers 200. */
export async function startServices(
  handle: Pick<PlatformHandle, 'spawn'>,
  specs: ServiceSpec[],
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<StartedService[]> {
  const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');
  const present = specs.filter((spec) => {
    const exists = existsSync(resolve(repoRoot, spec.entry));
    if (!exists) log(`note: service ${spec.name} skipped: ${spec.entry} does not exist yet`);
    return exists;
  });
  const started = present.map((spec) => ({
    spec,
    process: handle.spawn({
      name: `service-${spec.name}`,
      command: tsx,
      args: [spec.entry],
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      onLine: (line) => process.stdout.write(`[${spec.name}] ${line}\n`),
    }),
  }));
  await Promise.all(started.map(async ({ spec, process: child }) => {
    const t = Date.now();
    await waitFor(async () => (await httpStatus(spec.healthUrl)) === 200, {
      what: `service ${spec.name} at ${spec.healthUrl}`, timeoutMs: 60_000, intervalMs: 300, signal, failFast: () => child.deathNote(),
    });
    log(`service ${spec.name} ready on port ${spec.port} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }));
  return started;
}
