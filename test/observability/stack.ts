import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ServiceProcess } from '../support/service-process';
import { NO_RATE_LIMITS, ServiceStack } from '../support/service-stack';

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
  const run = `obs-${randomUUID().slice(0, 8)}`;
  const admin = { email: `${run}-admin@example.test`, password: 'observability-admin-password' };
  const services = await ServiceStack.start({
    name: run,
    users: ['user'],
    orders: ['order'],
    gateway: true,
    admin,
    instanceName: (_kind, id) => `${run}-${id}-1`,
    env: { all: { LOG_LEVEL: 'info', ...extraEnv }, gateway: NO_RATE_LIMITS },
  });
  const gatewayUrl = services.gatewayUrl;
  const running = (kind: 'gateway' | 'user' | 'order'): ServiceProcess => {
    const process = services.get(kind).process;
    if (process === undefined) throw new Error(`${kind} is not running`);
    return process;
  };
  const rawLog = (service: string) => readFileSync(`${LOG_DIR}${run}-${service}.log`, 'utf8');
  const token = async () => (await services.session()).token;
  return {
    gatewayUrl,
    userUrl: services.get('user').url,
    orderUrl: services.get('order').url,
    processes: { gateway: running('gateway'), user: running('user'), order: running('order') },
    rawLog,
    logLines: (service) => rawLog(service).split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine),
    token,
    event: (seats) => services.event(seats),
    stop: async () => {
      await services.stop();
    },
  };
}
