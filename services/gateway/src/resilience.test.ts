import { randomUUID } from 'node:crypto';
import { issueAccessToken } from '@eticket/auth';
import { StaticSource, type ServiceInstance } from '@eticket/discovery';
import { createLogger } from '@eticket/logging';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from './app';
import { loadConfig } from './config';
import { StaleStore } from './stale/stale-store';

// Balancing, retries, breakers, the retry budget, stale-if-error and rate
// limits against fake upstream instances over real HTTP (the chaos tests in
// test/chaos do the same with real services, real processes and signals).

const JWT_SECRET = 'j'.repeat(32);
const logger = createLogger({ service: 'gateway', instance: 'test', level: 'silent' });

type Mode = 'ok' | 'slow' | 'fail503' | 'fail500' | 'hang';

interface Fake {
  instance: ServiceInstance;
  readonly server: FastifyInstance;
  mode: Mode;
  calls: number;
}

const fakes: Fake[] = [];
const gateways: Gateway[] = [];

async function fake(id: string, mode: Mode = 'ok'): Promise<Fake> {
  const server = Fastify();
  const state: Fake = { instance: undefined as unknown as ServiceInstance, server, mode, calls: 0 };
  server.all('/*', async (request, reply) => {
    if (request.url === '/status') return { status: 'up' };
    state.calls += 1;
    if (state.mode === 'hang') await new Promise(() => undefined);
    if (state.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 20));
    if (state.mode === 'fail503') return reply.status(503).type('application/problem+json').send({ code: 'UPSTREAM_UNAVAILABLE', from: id });
    if (state.mode === 'fail500') return reply.status(500).type('application/problem+json').send({ code: 'INTERNAL', from: id });
    return reply.status(request.method === 'POST' ? 201 : 200).send({ from: id, url: request.url });
  });
  const origin = new URL(await server.listen({ host: '127.0.0.1', port: 0 }));
  state.instance = { service: 'user', id, host: origin.hostname, httpPort: Number(origin.port), version: 't', protocols: ['http'], registeredAt: '' };
  fakes.push(state);
  return state;
}

/** A registered instance where nothing listens: connections are refused. */
const deadInstance = (id: string): ServiceInstance => ({ service: 'user', id, host: '127.0.0.1', httpPort: 9, version: 't', protocols: ['http'], registeredAt: '' });

async function gatewayFor(instances: ServiceInstance[], env: Record<string, string> = {}, stale?: StaleStore): Promise<Gateway> {
  const config = loadConfig({ JWT_SECRET, INTERNAL_AUTH_SECRET: 'i'.repeat(32), ...env });
  const sources = { user: new StaticSource('user', instances), order: new StaticSource('order', instances.map((instance) => ({ ...instance, service: 'order' }))) };
  const gateway = await buildGateway(config, { logger, sources, ...(stale === undefined ? {} : { stale }) });
  gateways.push(gateway);
  return gateway;
}

const eventUrl = () => `/event/${randomUUID()}`;
const bearer = async () => ({ authorization: `Bearer ${(await issueAccessToken({ userId: randomUUID(), email: 'b@example.com', roles: ['buyer'] }, JWT_SECRET, 60)).token}` });

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.app.close();
});

afterAll(async () => {
  for (const server of fakes.splice(0)) await server.server.close();
});

describe('balancing and failover', () => {
  it('spreads requests over the instances by least outstanding requests', async () => {
    // Answers that take 20 ms keep requests outstanding while the next ones are placed, whatever the machine's
    // load: instant answers let a busy test process finish each request before it picks for the next.
    const [a, b] = [await fake('a', 'slow'), await fake('b', 'slow')];
    const { app } = await gatewayFor([a.instance, b.instance]);
    await Promise.all(Array.from({ length: 40 }, () => app.inject({ method: 'GET', url: eventUrl() })));
    expect(a.calls + b.calls).toBe(40);
    expect(Math.min(a.calls, b.calls)).toBeGreaterThan(5);
  });

  it('moves any request, even a POST without Idempotency-Key, away from an instance that refuses connections', async () => {
    const live = await fake('live');
    const { app } = await gatewayFor([deadInstance('dead'), live.instance]);
    for (let i = 0; i < 20; i += 1) {
      expect((await app.inject({ method: 'GET', url: eventUrl() })).statusCode).toBe(200);
      const login = await app.inject({ method: 'POST', url: '/user/login', payload: { email: 'a@b.co', password: 'x' } });
      expect(login.statusCode).toBe(201);
    }
  });

  it('retries a GET that got 503 on the other instance', async () => {
    const [sick, well] = [await fake('sick', 'fail503'), await fake('well')];
    const { app } = await gatewayFor([sick.instance, well.instance], { BREAKER_MIN_RPS: '100000' });
    for (let i = 0; i < 20; i += 1) expect((await app.inject({ method: 'GET', url: eventUrl() })).statusCode).toBe(200);
    expect(sick.calls).toBeGreaterThan(0);
  });

  it('retries a POST that carries an Idempotency-Key, and never a POST without one once it reached an instance', async () => {
    const [sick, well] = [await fake('sick', 'fail503'), await fake('well')];
    const { app } = await gatewayFor([sick.instance, well.instance], { BREAKER_MIN_RPS: '100000' });
    const headers = { ...(await bearer()), 'idempotency-key': randomUUID() };
    for (let i = 0; i < 10; i += 1) {
      const order = await app.inject({ method: 'POST', url: '/order', headers, payload: { event_id: randomUUID(), quantity: 1 } });
      expect(order.statusCode).toBe(201);
    }
    const before = sick.calls + well.calls;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push((await app.inject({ method: 'POST', url: '/user/login', payload: { email: 'a@b.co', password: 'x' } })).statusCode);
    // Each login reached exactly one instance; the sick one's 503s were passed on, not retried.
    expect(sick.calls + well.calls - before).toBe(20);
    expect(statuses.filter((status) => status === 503).length + statuses.filter((status) => status === 201).length).toBe(20);
  });

  it('passes a 500 on without retrying it', async () => {
    const broken = await fake('broken', 'fail500');
    const { app } = await gatewayFor([broken.instance], { BREAKER_MIN_RPS: '100000' });
    const response = await app.inject({ method: 'GET', url: eventUrl() });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'INTERNAL', from: 'broken' });
    expect(broken.calls).toBe(1);
  });

  it('gives up on a hung instance at half the deadline and serves the GET from the other before the deadline', async () => {
    const [hung, well] = [await fake('hung', 'hang'), await fake('well')];
    const { app } = await gatewayFor([hung.instance, well.instance], { ROUTE_TIMEOUT_READ_MS: '1000' });
    const statuses = await Promise.all(Array.from({ length: 10 }, async () => (await app.inject({ method: 'GET', url: eventUrl() })).statusCode));
    // A request stuck on the hung instance until the deadline would be a 504: every one is a 200, some via the retry.
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 200));
    expect(hung.calls).toBeGreaterThan(0);
  });
});

describe('breakers and the retry budget', () => {
  it('opens the breaker of a failing instance and then answers 503 CIRCUIT_OPEN with Retry-After without calling it', async () => {
    const broken = await fake('broken', 'fail500');
    const { app, metrics } = await gatewayFor([broken.instance], { BREAKER_MIN_RPS: '1', BREAKER_WINDOW_MS: '1000', BREAKER_OPEN_MS: '3000' });
    for (let i = 0; i < 5; i += 1) await app.inject({ method: 'GET', url: eventUrl() });
    const calls = broken.calls;
    const refused = await app.inject({ method: 'GET', url: eventUrl() });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(broken.calls).toBe(calls);
    expect(await metrics.registry.getSingleMetricAsString('eticket_breaker_transitions_total')).toContain('state="open"');
  });

  it('lets retries add at most the budget on top of the requests', async () => {
    const sick = await fake('sick', 'fail503');
    const { app } = await gatewayFor([sick.instance], { BREAKER_MIN_RPS: '100000', RETRY_BUDGET_RATIO: '0.1', RETRY_MAX_ATTEMPTS: '3' });
    for (let i = 0; i < 100; i += 1) await app.inject({ method: 'GET', url: eventUrl() });
    // 100 requests; without a budget 300 calls. With it: 100 + the 20-token reserve + 10 % of 100.
    expect(sick.calls).toBeLessThanOrEqual(130);
    expect(sick.calls).toBeGreaterThan(100);
  });
});

describe('stale-if-error', () => {
  it('answers an event read from the last good copy, marked stale, when no instance can answer', async () => {
    const user = await fake('u1');
    const stale = new StaleStore(undefined, { ttlSeconds: 60, refreshSeconds: 0 });
    const { app } = await gatewayFor([user.instance], {}, stale);
    const url = eventUrl();
    const fresh = await app.inject({ method: 'GET', url });
    expect(fresh.statusCode).toBe(200);
    user.mode = 'fail503';
    const served = await app.inject({ method: 'GET', url });
    expect(served.statusCode).toBe(200);
    expect(served.json()).toEqual(fresh.json());
    expect(served.headers).toMatchObject({ 'x-cache': 'stale', 'warning': expect.stringContaining('111') as string, 'cache-status': expect.stringContaining('stale-if-error') as string });
    expect(Number(served.headers.age)).toBeGreaterThanOrEqual(0);
    // Nothing stored for a page never read: the failure goes through.
    expect((await app.inject({ method: 'GET', url: eventUrl() })).statusCode).toBe(503);
  });
});

describe('rate limits', () => {
  it('limits anonymous callers per address and signed-in callers per user, with 429 and Retry-After', async () => {
    const user = await fake('u1');
    const { app } = await gatewayFor([user.instance], { RATE_LIMIT_CLIENT_MAX: '3', RATE_LIMIT_USER_MAX: '2', RATE_LIMIT_WINDOW_MS: '60000' });
    const anonymous = [];
    for (let i = 0; i < 4; i += 1) anonymous.push(await app.inject({ method: 'GET', url: eventUrl() }));
    expect(anonymous.map((response) => response.statusCode)).toEqual([200, 200, 200, 429]);
    const limited = anonymous[3]!;
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // A signed-in user from the same address has a budget of their own.
    const headers = await bearer();
    const signedIn = [];
    for (let i = 0; i < 3; i += 1) signedIn.push((await app.inject({ method: 'GET', url: eventUrl(), headers })).statusCode);
    expect(signedIn).toEqual([200, 200, 429]);
  });
});
