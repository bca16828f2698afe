import { createLogger } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from './app';
import { loadConfig } from './config';
import { staticSource } from './upstreams/sources';

type Doc = { paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses?: Record<string, unknown> }>> };

let gateway: Awaited<ReturnType<typeof buildGateway>>['app'];
let doc: Doc;

beforeAll(async () => {
  const sources = { user: staticSource('user', 'http://127.0.0.1:9'), order: staticSource('order', 'http://127.0.0.1:9') };
  ({ app: gateway } = await buildGateway(loadConfig({ JWT_SECRET: 'j'.repeat(32), INTERNAL_AUTH_SECRET: 'i'.repeat(32) }), { logger: createLogger({ service: 'gateway', instance: 't', level: 'silent' }), sources }));
  doc = (await gateway.inject({ method: 'GET', url: '/openapi.json' })).json<Doc>();
});

afterAll(() => gateway.close());

/** Every schema of `type` anywhere in `value`. */
function schemasOfType(value: unknown, type: string): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap((item) => schemasOfType(item, type));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  return [...(record.type === type ? [record] : []), ...Object.values(record).flatMap((child) => schemasOfType(child, type))];
}

/** Every object schema anywhere in `value`. */
function objectSchemas(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(objectSchemas);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  const own = record.type === 'object' && typeof record.properties === 'object' ? [record] : [];
  return [...own, ...Object.values(record).flatMap(objectSchemas)];
}

describe('OpenAPI document', () => {
  it('documents every path of the seed', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations).toEqual(expect.arrayContaining([
      'POST /user/register', 'POST /user/login', 'GET /user/{id}', 'GET /user', 'POST /event', 'GET /event', 'GET /event/{id}',
      'PUT /user/{id}/roles/organizer', 'DELETE /user/{id}/roles/organizer', 'POST /order', 'GET /order/{id}', 'POST /payment', 'GET /payment/{id}',
    ]));
  });

  it('closes every object schema and never mentions a password in a response', () => {
    const userPaths = Object.entries(doc.paths).filter(([path]) => path.startsWith('/user') || path.startsWith('/event'));
    for (const schema of objectSchemas(userPaths)) expect(schema.additionalProperties, JSON.stringify(schema).slice(0, 120)).toBe(false);
    for (const [, methods] of userPaths) {
      for (const operation of Object.values(methods)) expect(JSON.stringify(operation.responses)).not.toMatch(/password/);
    }
  });

  it('bounds every string and every number of the User Service\'s API', () => {
    const userPaths = Object.entries(doc.paths).filter(([path]) => path.startsWith('/user') || path.startsWith('/event'));
    for (const schema of schemasOfType(userPaths, 'string')) expect(schema.maxLength ?? schema.const ?? schema.enum, JSON.stringify(schema)).toBeDefined();
    for (const schema of [...schemasOfType(userPaths, 'integer'), ...schemasOfType(userPaths, 'number')]) {
      expect(schema, JSON.stringify(schema)).toMatchObject({ minimum: expect.any(Number), maximum: expect.any(Number) });
    }
  });

  it('marks the routes that need a token with the bearer scheme', () => {
    expect(doc.paths['/user']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/user/login']?.post?.security).toEqual([]);
  });

  it('serves the interactive documentation at /docs', async () => {
    const response = await gateway.inject({ method: 'GET', url: '/docs/' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('swagger');
  });
});
