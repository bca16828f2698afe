import { AppError } from '@eticket/errors';
import { createLogger } from '@eticket/logging';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { createHttpApp, createMetricsRegistry, registerStatusRoutes } from './index';

function buildApp() {
  const app = createHttpApp({ logger: createLogger({ service: 'test', instance: 't-1', level: 'silent' }), bodyLimit: 1024 });
  app.post('/things', { schema: { body: Type.Object({ quantity: Type.Integer({ minimum: 1 }), name: Type.String() }, { additionalProperties: false }) } }, (request) => request.body);
  app.get('/things/:id', { schema: { params: Type.Object({ id: Type.Integer() }), querystring: Type.Object({ limit: Type.Integer({ default: 10 }) }) } }, (request) => ({ id: request.params.id, limit: request.query.limit }));
  app.get('/conflict', () => {
    throw new AppError('NOT_ENOUGH_SEATS', 'Only 2 seats are left');
  });
  app.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  registerStatusRoutes(app, 'test', 't-1', [
    { name: 'db', required: true, check: () => Promise.resolve({ role: 'primary' }) },
    { name: 'cache', required: false, check: () => Promise.reject(new Error('connection refused')) },
    { name: 'peer', required: false, check: () => Promise.reject(Object.assign(new Error('no healthy instance'), { details: { instances: ['p-1'] } })) },
  ]);
  return app;
}

const json = { 'content-type': 'application/json' };

describe('createHttpApp', () => {
  it.each([
    ['malformed JSON', '{"quantity": 1,', json, 400, 'MALFORMED_JSON'],
    ['a wrong type (no coercion of bodies)', '{"quantity": "5", "name": "x"}', json, 400, 'VALIDATION_FAILED'],
    ['an unknown field', '{"quantity": 1, "name": "x", "admin": true}', json, 400, 'VALIDATION_FAILED'],
    ['a missing field', '{"quantity": 1}', json, 400, 'VALIDATION_FAILED'],
    ['a body over the limit', JSON.stringify({ quantity: 1, name: 'x'.repeat(2000) }), json, 413, 'PAYLOAD_TOO_LARGE'],
    ['an unsupported content type', 'quantity=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a prototype-poisoning body', '{"quantity": 1, "name": "x", "__proto__": {"admin": true}}', json, 400, 'MALFORMED_JSON'],
  ])('rejects %s with a problem+json %s', async (_case, payload, headers, status, code) => {
    const response = await buildApp().inject({ method: 'POST', url: '/things', payload, headers });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ status, code });
  });

  it('names the offending field in a validation problem', async () => {
    const response = await buildApp().inject({ method: 'POST', url: '/things', payload: { quantity: 0, name: 'x' } });
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'quantity' }] });
  });

  it.each([
    ['bad percent-encoding', '/things/%E0%A4%A'],
    ['a parameter longer than any id', `/things/${'9'.repeat(600)}`],
  ])('answers a path with %s with a VALIDATION_FAILED problem naming the path', async (_case, url) => {
    const response = await buildApp().inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'path' }] });
  });

  it('coerces path and query parameters to their declared types', async () => {
    const response = await buildApp().inject({ method: 'GET', url: '/things/7?limit=3' });
    expect(response.json()).toEqual({ id: 7, limit: 3 });
  });

  it('maps an AppError to its catalog status and code', async () => {
    const response = await buildApp().inject({ method: 'GET', url: '/conflict' });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'NOT_ENOUGH_SEATS', detail: 'Only 2 seats are left', instance: '/conflict' });
  });

  it('hides the details of an unexpected error behind a generic 500', async () => {
    const response = await buildApp().inject({ method: 'GET', url: '/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'INTERNAL' });
    expect(response.body).not.toContain('hunter2');
  });

  it('answers an unknown route with a ROUTE_NOT_FOUND problem', async () => {
    const response = await buildApp().inject({ method: 'GET', url: '/nope' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });

  it('echoes a safe caller correlation id and replaces an unsafe one', async () => {
    const app = buildApp();
    const kept = await app.inject({ method: 'GET', url: '/things/1', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await app.inject({ method: 'GET', url: '/things/1', headers: { 'x-request-id': '<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports a degraded status when only an optional dependency is down, with what a failing check saw', async () => {
    const response = await buildApp().inject({ method: 'GET', url: '/status' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'degraded', dependencies: { db: { status: 'up', details: { role: 'primary' } }, cache: { status: 'down', error: 'connection refused' } } });
    expect(response.json()).toMatchObject({ dependencies: { peer: { status: 'down', error: 'no healthy instance', details: { instances: ['p-1'] } } } });
  });
});

describe('createHttpApp with a metrics registry', () => {
  function appWithMetrics() {
    const metrics = createMetricsRegistry('test', { processMetrics: false });
    const app = createHttpApp({ logger: createLogger({ service: 'test', instance: 't-1', level: 'silent' }), metrics });
    app.get('/things/:id', () => ({ ok: true }));
    return app;
  }

  it('serves GET /metrics in the Prometheus text format with a latency histogram per route pattern, not per URL', async () => {
    const app = appWithMetrics();
    await app.inject({ method: 'GET', url: '/things/1' });
    await app.inject({ method: 'GET', url: '/things/2' });
    await app.inject({ method: 'GET', url: '/nowhere' });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('eticket_http_request_duration_seconds_count{service="test",method="GET",route="/things/:id",status_code="200"} 2');
    expect(response.body).toContain('route="unmatched",status_code="404"');
    expect(response.body).not.toContain('/things/1');
  });

  it('lets the service register its own metrics on app.metricsRegistry and exposes them', async () => {
    const app = appWithMetrics();
    new Counter({ name: 'eticket_test_things_total', help: 'things', registers: [app.metricsRegistry] }).inc(3);
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.body).toContain('eticket_test_things_total{service="test"} 3');
  });

  it('has no /metrics route without a registry, yet a registry to register on', async () => {
    const app = buildApp();
    expect(app.metricsRegistry).toBeDefined();
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404);
  });
});
