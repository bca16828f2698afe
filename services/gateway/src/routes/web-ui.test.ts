import { createLogger } from '@eticket/logging';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../app';
import { loadConfig } from '../config';
import { staticSource } from '../upstreams/sources';
import { ROUTES } from './table';
import { apiSegments, isApiPath } from './web-ui';

// The gateway in front of a fake web UI and a fake API service, over real
// HTTP: which requests reach the UI, and that the API always wins.

type App = Awaited<ReturnType<typeof buildGateway>>['app'];
let web: FastifyInstance;
let api: FastifyInstance;
let gateway: App;
let withoutWeb: App;
const webSaw: string[] = [];

beforeAll(async () => {
  web = Fastify();
  web.get('/*', (request, reply) => {
    webSaw.push(request.url);
    if (request.url === '/status') return { status: 'up' };
    if (request.url.startsWith('/assets/')) return reply.type('text/javascript').send('console.log(1)');
    return reply.type('text/html').send('<!doctype html><title>E-Ticket</title>');
  });
  api = Fastify();
  api.all('/*', (request) => (request.url === '/status' ? { status: 'up' } : { from: 'api', url: request.url }));
  const [webOrigin, apiOrigin] = [await web.listen({ host: '127.0.0.1', port: 0 }), await api.listen({ host: '127.0.0.1', port: 0 })];
  const logger = createLogger({ service: 'gateway', instance: 'test', level: 'silent' });
  const config = loadConfig({ JWT_SECRET: 'j'.repeat(32), INTERNAL_AUTH_SECRET: 'i'.repeat(32) });
  const sources = { user: staticSource('user', apiOrigin), order: staticSource('order', apiOrigin) };
  ({ app: gateway } = await buildGateway(config, { logger, sources: { ...sources, web: staticSource('web', webOrigin) } }));
  ({ app: withoutWeb } = await buildGateway(config, { logger, sources }));
});

afterAll(async () => {
  await gateway.close();
  await withoutWeb.close();
  await web.close();
  await api.close();
});

describe('the web UI behind the gateway', () => {
  it('serves the UI at / and at its client-side paths, with the gateway\'s security headers', async () => {
    for (const url of ['/', '/events/6f1c2b0e-0000-4000-8000-000000000001', '/tickets?page=2', '/operator']) {
      const response = await gateway.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['content-security-policy']).toContain('default-src \'self\'');
      expect(webSaw).toContain(url);
    }
  });

  it('passes the UI\'s static assets through with their content type', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/javascript');
    expect(response.body).toBe('console.log(1)');
  });

  it('lets every API route win over the UI', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/event?limit=1' });
    expect(response.json()).toMatchObject({ from: 'api' });
    const status = await gateway.inject({ method: 'GET', url: '/status' });
    expect(status.json()).toMatchObject({ service: 'gateway' });
  });

  it('answers an unknown path under an API segment with a 404 problem, never with the UI', async () => {
    const before = webSaw.length;
    for (const url of ['/event/a/b', '/order/x/y/z', '/reports/nothing', '/notification/x', '/subscribe/event/a/b']) {
      const response = await gateway.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
    }
    expect(webSaw.length).toBe(before);
  });

  it('answers an over-long id under an API segment with 400 naming the path, as without the UI, never with the UI', async () => {
    for (const url of [`/user/${'x'.repeat(2_000)}`, `/event/${'x'.repeat(2_000)}`]) {
      const response = await gateway.inject({ method: 'GET', url });
      expect(response.statusCode, url.slice(0, 12)).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'path' }] });
    }
    expect(webSaw.some((url) => url.length > 1_000)).toBe(false);
  });

  it('sends only reads to the UI: other methods on unknown paths stay 404', async () => {
    const response = await gateway.inject({ method: 'POST', url: '/operator', payload: {} });
    expect(response.statusCode).toBe(404);
  });

  it('answers 503 with a problem when no web instance exists, while the API keeps working', async () => {
    const ui = await withoutWeb.inject({ method: 'GET', url: '/' });
    expect(ui.statusCode).toBe(503);
    expect(ui.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    const apiAnswer = await withoutWeb.inject({ method: 'GET', url: '/event' });
    expect(apiAnswer.statusCode).toBe(200);
  });

  it('lists the web instances on /status only when a web upstream is configured', async () => {
    const status = (await gateway.inject({ method: 'GET', url: '/status' })).json<{ dependencies: Record<string, unknown> }>();
    expect(status.dependencies['web-service']).toMatchObject({ status: 'up', details: { instances: [{ health: 'up', breaker: 'closed' }] } });
    const other = (await withoutWeb.inject({ method: 'GET', url: '/status' })).json<{ dependencies: Record<string, unknown> }>();
    expect(other.dependencies).not.toHaveProperty('web-service');
  });
});

describe('isApiPath', () => {
  const segments = apiSegments(ROUTES);

  it('knows the first segment of every route of the table and the gateway\'s own pages', () => {
    for (const route of ROUTES) expect(isApiPath(route.url, segments), route.url).toBe(true);
    for (const path of ['/status', '/metrics', '/docs/static/index.html', '/openapi.json', '/notifications?after=3']) expect(isApiPath(path, segments), path).toBe(true);
  });

  it('leaves the UI\'s own paths to the UI', () => {
    for (const path of ['/', '/events/1', '/login', '/register', '/tickets', '/organizer', '/operator', '/assets/index.js', '/favicon.svg']) {
      expect(isApiPath(path, segments), path).toBe(false);
    }
  });
});
