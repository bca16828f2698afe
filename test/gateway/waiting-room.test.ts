import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, freePort, OrderStack } from '../order/support';
import { platformEnv } from '../setup/platform-env';
import { platformRedisCluster } from '../support/platform-redis';
import { spawnService, type ServiceProcess } from '../support/service-process';

// The on-sale waiting room with real processes: a User Service whose prepares
// take PREPARE_DELAY_MS (so an order stays in flight long enough to fill the
// room), a Ticket Order Service, and three gateways: two sharing the
// platform's Redis Cluster (one queue for both), one whose Redis address has
// nothing listening (Redis down). Every room holds exactly one order in flight.

const PREPARE_DELAY_MS = 1_200;
const namespace = `waitingroom-${randomUUID().slice(0, 8)}`;
let stack: OrderStack;
const gateways: ServiceProcess[] = [];
const urls: string[] = [];
let redisDownUrl = '';

interface Buyer {
  readonly identity: Identity;
  readonly token: string;
}

async function startGateway(name: string, redisNodes: string): Promise<string> {
  const port = await freePort();
  gateways.push(await spawnService({
    name,
    entry: 'services/gateway/src/main.ts',
    env: {
      ...stack.secrets,
      GATEWAY_PORT: String(port),
      SERVICE_INSTANCE: name,
      DISCOVERY_NAMESPACE: namespace,
      USER_SERVICE_HTTP_URL: stack.userUrl,
      ORDER_SERVICE_HTTP_URL: stack.orderUrl(0),
      REDIS_CLUSTER_NODES: redisNodes,
      CACHE_TOPOLOGY: 'cluster',
      RATE_LIMIT_CLIENT_MAX: '1000000',
      RATE_LIMIT_USER_MAX: '1000000',
      WAITING_ROOM_ENABLED: 'true',
      WAITING_ROOM_INITIAL_LIMIT: '1',
      WAITING_ROOM_MIN_LIMIT: '1',
      WAITING_ROOM_MAX_LIMIT: '1',
      WAITING_ROOM_FALLBACK_CONCURRENCY: '1',
      // Long enough that a long poll in these tests always ends with its admission, however slow the machine.
      WAITING_ROOM_LONG_POLL_MS: '20000',
      // Wide enough that a burst sent at once lands in one or two batches on a busy machine.
      WAITING_ROOM_ARRIVAL_BATCH_MS: '100',
    },
    healthUrl: `http://127.0.0.1:${port}/status/live`,
  }));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  stack = await OrderStack.start({
    name: 'waiting-room',
    userEnv: { NODE_ENV: 'test', RESERVATION_TEST_PREPARE_DELAY_MS: String(PREPARE_DELAY_MS), RESERVATION_TEST_DELAY_POINT: 'after-prepare', RESERVATION_PREPARED_MAX_AGE_MS: '5000' },
  });
  urls.push(await startGateway('waiting-room-gw-1', platformEnv().REDIS_CLUSTER_NODES));
  urls.push(await startGateway('waiting-room-gw-2', platformEnv().REDIS_CLUSTER_NODES));
  redisDownUrl = await startGateway('waiting-room-gw-no-redis', `127.0.0.1:${await freePort()}`);
}, 180_000);

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await stack?.stop();
});

async function buyer(): Promise<Buyer> {
  const identity = await stack.buyer();
  return { identity, token: await stack.token(identity) };
}

const order = (gateway: string, who: Buyer, eventId: string, key = randomUUID()) =>
  call(`${gateway}/order`, { method: 'POST', token: who.token, headers: { 'idempotency-key': key }, body: { event_id: eventId, quantity: 1 } });

const poll = (gateway: string, who: Buyer, ticket: string) => call(`${gateway}/queue/${ticket}`, { token: who.token });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Per room key of the event (the names in waiting-room/scripts.ts), whether it has a TTL of at most the room's hour. */
async function roomKeyTtls(eventId: string): Promise<Record<string, boolean>> {
  const redis = platformRedisCluster();
  try {
    const ttls: Record<string, boolean> = {};
    for (const name of ['slots', 'queue', 'ctl', 'seen']) {
      const ttl = await redis.pttl(`wr:{${namespace}:${eventId}}:${name}`);
      ttls[name] = ttl > 0 && ttl <= 3_600_000;
    }
    return ttls;
  } finally {
    redis.disconnect();
  }
}

/** eticket_gateway_waiting_room_total of one gateway, all outcomes that let an order through. */
async function admittedSoFar(gateway: string): Promise<number> {
  const text = await (await fetch(`${gateway}/metrics`)).text();
  return text.split('\n')
    .filter((line) => line.startsWith('eticket_gateway_waiting_room_total{') && /outcome="(admitted|fallback_admitted)"/.test(line))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** eticket_gateway_waiting_room_arrival_batch_size of one gateway: scripts sent (count) and arrivals they entered (sum). */
async function arrivalBatches(gateway: string): Promise<{ scripts: number; arrivals: number }> {
  const text = await (await fetch(`${gateway}/metrics`)).text();
  const value = (suffix: string) => {
    const line = text.split('\n').find((row) => row.startsWith(`eticket_gateway_waiting_room_arrival_batch_size_${suffix}`));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return { scripts: value('count'), arrivals: value('sum') };
}

/** Sends the first order and returns once the gateway has let it into the room's only slot (its prepare then lasts PREPARE_DELAY_MS). */
async function firstOrder(gateway: string, who: Buyer, eventId: string): Promise<{ answer: ReturnType<typeof order> }> {
  const before = await admittedSoFar(gateway);
  const answer = order(gateway, who, eventId);
  const deadline = Date.now() + 10_000;
  while ((await admittedSoFar(gateway)) === before) {
    if (Date.now() > deadline) throw new Error('the first order never entered the room');
    await sleep(20);
  }
  // Wrapped: an async function returning the promise itself would wait for the order.
  return { answer };
}

/** Polls as a client would (honouring poll_after_ms, at most 250 ms apart here) until admitted; then places the order. */
async function waitAndOrder(gateway: string, who: Buyer, eventId: string, ticket: string, admissions: string[], name: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const place = await poll(gateway, who, ticket);
    expect(place.status).toBe(200);
    if (place.body.status === 'admitted') {
      admissions.push(name);
      return (await order(gateway, who, eventId)).status;
    }
    expect(place.body.status).toBe('queued');
    await sleep(Math.min(250, Number(place.body.poll_after_ms)));
  }
  throw new Error(`${name} was never admitted`);
}

describe('waiting room (gateway + Redis Cluster)', () => {
  it('queues buyers first come first served behind a full room, shared by two gateways, with position, estimate and a ticket; admits them in that order', async () => {
    const eventId = await stack.event(100);
    const [a, b, c, d] = await Promise.all([buyer(), buyer(), buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    const queued = [];
    for (const [who, gateway] of [[b, urls[0]!], [c, urls[1]!], [d, urls[0]!]] as const) queued.push(await order(gateway, who, eventId));
    expect(queued.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(queued.map((answer) => answer.body.position)).toEqual([1, 2, 3]);
    const estimates = queued.map((answer) => Number(answer.body.estimated_wait_seconds));
    expect(estimates[0]).toBeGreaterThan(0);
    expect(estimates[1]).toBeGreaterThanOrEqual(estimates[0]!);
    expect(estimates[2]).toBeGreaterThanOrEqual(estimates[1]!);
    for (const answer of queued) {
      expect(answer.headers.get('location')).toBe(`/queue/${String(answer.body.ticket)}`);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // The other gateway sees the same queue.
    const seenElsewhere = await poll(urls[1]!, c, String(queued[1]!.body.ticket));
    expect(seenElsewhere.body).toMatchObject({ status: 'queued', position: 2, event_id: eventId });

    const admissions: string[] = [];
    const outcomes = await Promise.all([
      waitAndOrder(urls[0]!, b, eventId, String(queued[0]!.body.ticket), admissions, 'b'),
      waitAndOrder(urls[1]!, c, eventId, String(queued[1]!.body.ticket), admissions, 'c'),
      waitAndOrder(urls[0]!, d, eventId, String(queued[2]!.body.ticket), admissions, 'd'),
    ]);
    expect((await first.answer).status).toBe(201);
    expect(outcomes).toEqual([201, 201, 201]);
    expect(admissions).toEqual(['b', 'c', 'd']);
    const report = await stack.invariants(eventId);
    expect(report.problems).toEqual([]);
  }, 60_000);

  it('keeps a buyer\'s original place however often they (or a bot in a retry loop) ask again, on either gateway', async () => {
    const eventId = await stack.event(100);
    const [a, b, bot] = await Promise.all([buyer(), buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    const botPlace = await order(urls[1]!, bot, eventId);
    const bPlace = await order(urls[0]!, b, eventId);
    expect([botPlace.body.position, bPlace.body.position]).toEqual([1, 2]);
    // B hammers both gateways with new requests (new keys): B never moves ahead of the bot nor gets a second place.
    const retries = await Promise.all(Array.from({ length: 20 }, (_, i) => order(urls[i % 2]!, b, eventId)));
    expect(new Set(retries.map((answer) => `${answer.status}:${String(answer.body.position)}`))).toEqual(new Set(['202:2']));
    const botAgain = await order(urls[0]!, bot, eventId);
    expect(botAgain.body.position).toBe(1);
    // The room's keys still expire on their own (their TTL is set once, not on every ask): none is left without one.
    expect(await roomKeyTtls(eventId)).toEqual({ slots: true, queue: true, ctl: true, seen: true });
    expect((await first.answer).status).toBe(201);
  }, 60_000);

  it('enters buyers arriving together at a crowded room with fewer Redis scripts than buyers, each at a place of their own, kept when they ask again', async () => {
    const eventId = await stack.event(100);
    const [a, ...others] = await Promise.all(Array.from({ length: 14 }, () => buyer()));
    const first = await firstOrder(urls[0]!, a!, eventId);
    // One by one, three queue: the third stands beyond two rounds of the room's one slot, so the room is crowded.
    const early = [];
    for (const who of others.slice(0, 3)) early.push(await order(urls[0]!, who, eventId));
    expect(early.map((answer) => answer.body.position)).toEqual([1, 2, 3]);
    const before = await arrivalBatches(urls[0]!);
    const burst = others.slice(3);
    const answers = await Promise.all(burst.map((who) => order(urls[0]!, who, eventId)));
    const after = await arrivalBatches(urls[0]!);
    expect(answers.map((answer) => answer.status)).toEqual(burst.map(() => 202));
    expect(answers.map((answer) => Number(answer.body.position)).sort((x, y) => x - y)).toEqual([4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(after.arrivals - before.arrivals).toBe(burst.length);
    expect(after.scripts - before.scripts).toBeLessThan(burst.length);
    // Asked again (in a batch too), every buyer of the burst keeps the place they were given.
    const again = await Promise.all(burst.map((who) => order(urls[0]!, who, eventId)));
    expect(again.map((answer) => answer.body.position)).toEqual(answers.map((answer) => answer.body.position));
    expect((await first.answer).status).toBe(201);
  }, 60_000);

  it('refuses to show a place to any account but the one that queued (403 QUEUE_TICKET_NOT_YOURS) and refuses forged tickets (400)', async () => {
    const eventId = await stack.event(100);
    const [a, b, thief] = await Promise.all([buyer(), buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    const place = await order(urls[0]!, b, eventId);
    expect(place.status).toBe(202);
    const ticket = String(place.body.ticket);
    const stolen = await poll(urls[1]!, thief, ticket);
    expect(stolen.status).toBe(403);
    expect(stolen.body.code).toBe('QUEUE_TICKET_NOT_YOURS');
    const [header, payload] = ticket.split('.');
    const forged = await poll(urls[0]!, b, `${header}.${payload}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('QUEUE_TICKET_INVALID');
    expect((await call(`${urls[0]}/queue/${ticket}`)).status).toBe(401);
    // The thief's own order does not ride on the ticket: it queues behind.
    const thiefOrder = await order(urls[0]!, thief, eventId);
    expect(thiefOrder.body.position).toBe(2);
    expect((await first.answer).status).toBe(201);
  }, 60_000);

  it('answers a long poll near the head the moment the buyer is admitted, even when it is held by the other gateway', async () => {
    const eventId = await stack.event(100);
    const [a, b] = await Promise.all([buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    const place = await order(urls[0]!, b, eventId);
    expect(place.body.position).toBe(1);
    // Held on gateway 2 while gateway 1 finishes A's order and admits B: one request, answered 'admitted'.
    const answer = await call(`${urls[1]}/queue/${String(place.body.ticket)}?wait=true`, { token: b.token });
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('admitted');
    expect((await first.answer).status).toBe(201);
    expect((await order(urls[1]!, b, eventId)).status).toBe(201);
  }, 60_000);

  it('holds a queued POST /order that asks Prefer: wait until the buyer is admitted, then places the order in the same request', async () => {
    const eventId = await stack.event(100);
    const [a, b] = await Promise.all([buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    // Held by gateway 2 while gateway 1 finishes A's order: one request, answered with B's order.
    const held = await call(`${urls[1]}/order`, { method: 'POST', token: b.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=15' }, body: { event_id: eventId, quantity: 1 } });
    expect(held.status).toBe(201);
    expect(held.body.event_id).toBe(eventId);
    expect(held.headers.get('preference-applied')).toBe('wait=15');
    expect(Number(/queue;dur=([\d.]+)/.exec(held.headers.get('server-timing') ?? '')?.[1])).toBeGreaterThan(0);
    expect((await first.answer).status).toBe(201);
    const report = await stack.invariants(eventId);
    expect(report.problems).toEqual([]);
  }, 60_000);

  it('counts the order of a buyer admitted from a hold as in flight with the order\'s lease, not the admit window, and frees the slot when it ends', async () => {
    const eventId = await stack.event(100);
    const [a, b] = await Promise.all([buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    // Both on gateway 1: A's release there admits B, and gateway 1 lets B's held request go on (CLAIM_LUA).
    const held = call(`${urls[0]}/order`, { method: 'POST', token: b.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=15' }, body: { event_id: eventId, quantity: 1 } });
    const redis = platformRedisCluster();
    try {
      const tag = `wr:{${namespace}:${eventId}}`;
      // B's order is in flight for PREPARE_DELAY_MS once A's has ended: read the room then.
      let leaseLeftMs: number | undefined;
      const deadline = Date.now() + 10_000;
      while (leaseLeftMs === undefined && Date.now() < deadline) {
        const [score, [seconds, micros], member] = await Promise.all([
          redis.zscore(`${tag}:slots`, b.identity.userId),
          redis.time(),
          redis.sismember(`${tag}:admitted`, b.identity.userId),
        ]);
        // A claimed slot's lease is the order's (ROUTE_TIMEOUT_WRITE_MS + 5 s = 15 s); an unclaimed admission's, the admit window (5 s).
        if (score !== null && member === 0) leaseLeftMs = Number(score) - (Number(seconds) * 1000 + Math.floor(Number(micros) / 1000));
        else await sleep(10);
      }
      expect(leaseLeftMs).toBeGreaterThan(8_000);
      expect((await held).status).toBe(201);
      expect((await first.answer).status).toBe(201);
      // Both orders done: their slots are given back (after the answers have gone out).
      const freedBy = Date.now() + 5_000;
      while ((await redis.zcard(`${tag}:slots`)) > 0 && Date.now() < freedBy) await sleep(20);
      expect(await redis.zcard(`${tag}:slots`)).toBe(0);
    } finally {
      redis.disconnect();
    }
    expect((await stack.invariants(eventId)).problems).toEqual([]);
  }, 60_000);

  it('answers a held POST /order whose hold ran out with the buyer\'s place, moved on by the admissions heard meanwhile, and "ask again at once"', async () => {
    const eventId = await stack.event(100);
    const [a, b, c] = await Promise.all([buyer(), buyer(), buyer()]);
    const first = await firstOrder(urls[0]!, a, eventId);
    expect((await order(urls[0]!, b, eventId)).body.position).toBe(1);
    const queued = await order(urls[0]!, c, eventId);
    expect(queued.body.position).toBe(2);
    // C is held by gateway 2. A's order ends during the hold and admits B (who does not come back): gateway 2
    // hears the admission. Nobody else asks, so nothing admits C before the hold runs out.
    const started = Date.now();
    const held = await call(`${urls[1]}/order`, { method: 'POST', token: c.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=8' }, body: { event_id: eventId, quantity: 1 } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(7_500);
    expect((await first.answer).status).toBe(201);
    expect(held.status).toBe(202);
    expect(held.body).toMatchObject({ status: 'queued', position: 1, poll_after_ms: 0 });
    // Asking again reads the room: C keeps the place (next in line, or admitted once B's admission has lapsed).
    const again = await poll(urls[0]!, c, String(queued.body.ticket));
    expect(again.status).toBe(200);
    expect(again.body.status === 'admitted' || (again.body.status === 'queued' && again.body.position === 1)).toBe(true);
  }, 60_000);

  it('tells a buyer far back in a slow line when to come back instead of holding them, lets the next buyer go while they are away, and admits them first once back', async () => {
    const eventId = await stack.event(100);
    const [a, b, c] = await Promise.all([buyer(), buyer(), buyer()]);
    const redis = platformRedisCluster();
    const setRate = (perSecond: number) => redis.hset(`wr:{${namespace}:${eventId}}:ctl`, 'rate', String(perSecond));
    try {
      const first = await firstOrder(urls[0]!, a, eventId);
      // One admission per 25 s: B, first in line, expects 25 s, more than a hold (WAITING_ROOM_PACE_BEYOND_MS, 20 s).
      await setRate(0.04);
      const started = Date.now();
      const paced = await call(`${urls[0]}/order`, { method: 'POST', token: b.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=20' }, body: { event_id: eventId, quantity: 1 } });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(paced.status).toBe(202);
      expect(paced.body).toMatchObject({ status: 'queued', position: 1, estimated_wait_seconds: 25, poll_after_ms: 12_500 });
      expect(paced.headers.get('retry-after')).toBe('13');
      // The line moves fast now: C, second, is held; A's order ends while B is away, and C goes first.
      await setRate(100);
      const held = await call(`${urls[1]}/order`, { method: 'POST', token: c.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=20' }, body: { event_id: eventId, quantity: 1 } });
      expect(held.status).toBe(201);
      // Admitted when A's order ended, not after an admission kept for the sleeping B had lapsed (the 5 s admit window).
      expect(Number(/queue;dur=([\d.]+)/.exec(held.headers.get('server-timing') ?? '')?.[1])).toBeLessThan(4_000);
      expect((await first.answer).status).toBe(201);
      // B comes back before they were due: still first in line, and the slot C's order gave back is theirs at once.
      const back = await call(`${urls[0]}/order`, { method: 'POST', token: b.token, headers: { 'idempotency-key': randomUUID(), 'prefer': 'wait=20' }, body: { event_id: eventId, quantity: 1 } });
      expect(back.status).toBe(201);
      expect(back.headers.get('preference-applied')).toBeNull();
    } finally {
      redis.disconnect();
    }
    expect((await stack.invariants(eventId)).problems).toEqual([]);
  }, 60_000);

  it('with Redis down admits up to the fallback bound of orders per gateway and refuses the rest at once with 503 WAITING_ROOM_UNAVAILABLE', async () => {
    const eventId = await stack.event(100);
    const [a, b] = await Promise.all([buyer(), buyer()]);
    const first = await firstOrder(redisDownUrl, a, eventId);
    const refused = await order(redisDownUrl, b, eventId);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('WAITING_ROOM_UNAVAILABLE');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await first.answer).status).toBe(201);
    // The slot is back: the next order goes through.
    expect((await order(redisDownUrl, b, eventId)).status).toBe(201);
    const report = await stack.invariants(eventId);
    expect(report.problems).toEqual([]);
  }, 60_000);
});
