import { randomUUID } from 'node:crypto';
import { issueAccessToken } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitHealthy } from '../cache/support';
import { platformControl, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';
import { freePort } from '../support/free-port';
import { clusterCacheEnv, ServiceStack } from '../support/service-stack';

// The gateway's rate limiter when the Redis Cluster that holds its counts
// cannot answer: every node of the platform's cluster frozen (SIGSTOP: the
// connections stay open and commands hang, the nastier case) and then killed
// (SIGKILL: connections refused). The limiter must fail open — reads pass,
// even past the limits, each held at most about the Redis command timeout —
// and enforce the limits again once Redis is back. A User Service and a
// gateway as real processes; the counts of this file's gateway live under a
// deployment namespace of their own.

const USER_MAX = 5;
const CLIENT_MAX = 20;
const COMMAND_TIMEOUT_MS = 100;
/**
 * How long one read may take while Redis hangs: 50 times the command timeout
 * (a loaded two-core machine delays a request by far more than its own work).
 * Not a performance figure: a limiter waiting on the frozen Redis would hold
 * the request for as long as the outage lasts, and each outage here lasts
 * longer than this bound.
 */
const LATENCY_BOUND_MS = 50 * COMMAND_TIMEOUT_MS;
const OUTAGE_MS = 6_000;

const control = platformControl();
let stack: ServiceStack;
let eventId = '';
let admin = { token: '', userId: '' };

/** The Redis Cluster's server processes as the platform supervisor names them (`redis-<port>`; the ring's are `ring-redis-<port>`). */
async function clusterNodes(): Promise<string[]> {
  const names = (await control.processes()).map((process) => process.name).filter((name) => /^redis-\d+$/.test(name));
  if (names.length === 0) throw new Error('the platform runs no Redis Cluster node');
  return names;
}

async function rateLimitStore(): Promise<string> {
  const report = (await (await fetch(`${stack.gatewayUrl}/status`, { signal: AbortSignal.timeout(5_000) })).json()) as { dependencies: Record<string, { status: string }> };
  return report.dependencies['rate-limit-store']?.status ?? 'absent';
}

interface Read {
  readonly kind: 'public' | 'authenticated';
  readonly status: number;
  readonly ms: number;
}

/** One read through the gateway, with its status and how long it took (aborted at twice the bound, so a hang fails the test instead of stalling it). */
async function read(kind: Read['kind']): Promise<Read> {
  const started = performance.now();
  const response = kind === 'public'
    ? await fetch(`${stack.gatewayUrl}/event/${eventId}`, { signal: AbortSignal.timeout(2 * LATENCY_BOUND_MS) })
    : await fetch(`${stack.gatewayUrl}/user/${admin.userId}`, { headers: { authorization: `Bearer ${admin.token}` }, signal: AbortSignal.timeout(2 * LATENCY_BOUND_MS) });
  await response.arrayBuffer();
  return { kind, status: response.status, ms: performance.now() - started };
}

/** Public and authenticated reads one after the other for `OUTAGE_MS`, at least enough of each to pass both limits. */
async function readThroughOutage(): Promise<Read[]> {
  const reads: Read[] = [];
  const until = Date.now() + OUTAGE_MS;
  const count = (kind: Read['kind']) => reads.filter((one) => one.kind === kind).length;
  while (Date.now() < until || count('public') <= CLIENT_MAX || count('authenticated') <= USER_MAX) {
    reads.push(await read('public'), await read('authenticated'));
  }
  return reads;
}

function summary(reads: readonly Read[]): string {
  const sorted = reads.map((one) => one.ms).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
  const failed = reads.filter((one) => one.status !== 200).length;
  return `${reads.length} reads (${reads.filter((one) => one.kind === 'public').length} public, ${reads.filter((one) => one.kind === 'authenticated').length} authenticated), ${failed} not 200; latency median ${at(0.5)} ms, max ${at(1)} ms`;
}

/**
 * A user new to the limiter makes USER_MAX + 1 reads: the last must be refused with 429 RATE_LIMITED and
 * Retry-After. Retried with another new user until it holds (a command right after the outage may still fail open).
 */
async function limitsHoldAgain(): Promise<{ statuses: number[]; retryAfter: number; code: unknown }> {
  return eventually('the rate limits to hold again', async () => {
    const { token } = await issueAccessToken({ userId: randomUUID(), email: 'limited@example.test', roles: ['buyer'] }, stack.secrets.JWT_SECRET, 300);
    const responses: Response[] = [];
    for (let i = 0; i <= USER_MAX; i += 1) responses.push(await fetch(`${stack.gatewayUrl}/event/${eventId}`, { headers: { authorization: `Bearer ${token}` } }));
    const last = responses.at(-1)!;
    const statuses = responses.map((response) => response.status);
    const body = (await Promise.all(responses.map((response) => response.text()))).at(-1)!;
    if (last.status !== 429) return undefined;
    expect(last.headers.get('content-type')).toContain('application/problem+json');
    return { statuses, retryAfter: Number(last.headers.get('retry-after')), code: (JSON.parse(body) as { code?: unknown }).code };
  }, 30_000, 500);
}

/**
 * Puts every Redis Cluster node into the outage (`begin`), reads through it, reads /status, and ends the
 * outage (`end`) whatever happened; then the reads must all have succeeded within the bound with the store
 * shown down. Returns when the outage ended.
 */
async function readsSucceedThrough(outage: string, begin: (node: string) => Promise<unknown>, end: (node: string) => Promise<unknown>): Promise<number> {
  const nodes = await clusterNodes();
  await Promise.all(nodes.map(begin));
  let reads: Read[];
  let storeDuring: string;
  try {
    reads = await readThroughOutage();
    storeDuring = await rateLimitStore();
  } finally {
    await Promise.all(nodes.map(end));
  }
  const ended = Date.now();
  console.log(`[redis-outage] ${nodes.length} nodes ${outage}: ${summary(reads)}; /status rate-limit-store during the outage: ${storeDuring}`);
  expect(reads.filter((one) => one.status !== 200)).toEqual([]);
  expect(Math.max(...reads.map((one) => one.ms))).toBeLessThan(LATENCY_BOUND_MS);
  // Even with the connections still open to a frozen Redis, /status must say that the limits are not enforced.
  expect(storeDuring).toBe('down');
  return ended;
}

/** Once the cluster is healthy again, a user over the limit is refused with 429 RATE_LIMITED and Retry-After. */
async function expectLimitsHoldAgain(after: string, since: number): Promise<void> {
  await awaitHealthy(platformEnv(), 'cluster', 60_000);
  const again = await limitsHoldAgain();
  console.log(`[redis-outage] after ${after}: limits held again ${((Date.now() - since) / 1000).toFixed(1)} s after it: ${again.statuses.join(' ')}, Retry-After ${again.retryAfter}`);
  expect(again.statuses).toEqual([...Array.from({ length: USER_MAX }, () => 200), 429]);
  expect(again.code).toBe('RATE_LIMITED');
  expect(again.retryAfter).toBeGreaterThan(0);
}

beforeAll(async () => {
  const credentials = { email: `redis-outage-${randomUUID().slice(0, 8)}@example.test`, password: 'redis-outage-password' };
  stack = await ServiceStack.start({
    name: 'redis-outage',
    users: ['user'],
    gateway: true,
    admin: credentials,
    env: {
      gateway: {
        ...clusterCacheEnv(),
        // A deployment of its own: no other gateway counts against these keys.
        DISCOVERY_NAMESPACE: `redis-outage-${randomUUID().slice(0, 8)}`,
        // Nothing listens there: orders are not what this file is about.
        ORDER_SERVICE_HTTP_URL: `http://127.0.0.1:${await freePort()}`,
        RATE_LIMIT_USER_MAX: String(USER_MAX),
        RATE_LIMIT_CLIENT_MAX: String(CLIENT_MAX),
        RATE_LIMIT_WINDOW_MS: '60000',
        REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      },
    },
  });
  // The limiter fails open until its Redis client is connected.
  await eventually('the rate-limit store to be up', async () => ((await rateLimitStore()) === 'up' ? true : undefined));
  admin = await stack.session();
  eventId = await stack.event(100);
}, 120_000);

afterAll(async () => {
  // Whatever happened, leave the platform's cluster running and whole for the files after this one.
  for (const name of await clusterNodes()) await control.kill(name, 'SIGCONT').catch(() => undefined);
  await awaitHealthy(platformEnv(), 'cluster', 60_000);
  await stack?.stop();
}, 90_000);

describe('the gateway with its Redis Cluster unreachable (rate limiter fails open)', () => {
  it(`with every Redis Cluster node frozen (SIGSTOP), serves public and authenticated reads past both limits, each within ${LATENCY_BOUND_MS} ms, and /status shows the store down; after SIGCONT a user over the limit gets 429 RATE_LIMITED with Retry-After`, async () => {
    const thawed = await readsSucceedThrough('frozen', (name) => control.kill(name, 'SIGSTOP'), (name) => control.kill(name, 'SIGCONT'));
    await expectLimitsHoldAgain('SIGCONT', thawed);
  }, 80_000);

  it(`with every Redis Cluster node killed (SIGKILL), serves reads past both limits, each within ${LATENCY_BOUND_MS} ms, and /status shows the store down; once the nodes are restarted the limits hold again`, async () => {
    const restarted = await readsSucceedThrough('killed', (name) => control.kill(name, 'SIGKILL'), (name) => control.restart(name));
    await expectLimitsHoldAgain('the restart', restarted);
  }, 80_000);
});
