import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

/**
 * The OpenAPI document is generated from the schemas of the routes as they
 * are registered, i.e. from the very schemas that validate requests, so it
 * cannot drift from what the gateway enforces. Must be registered before the
 * routes. OpenAPI 3.1, because its schemas are JSON Schema (TypeBox's
 * literals are `const`).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'E-Ticket API',
        version,
        description: 'The public API of E-Ticket, served by the API gateway. Errors are RFC 9457 problem+json with a stable `code` (docs/errors.md).',
      },
      tags: [
        { name: 'users', description: 'Accounts, login and roles (User Service)' },
        { name: 'events', description: 'Events on sale (User Service)' },
        { name: 'orders', description: 'Orders (Ticket Order Service)' },
        { name: 'payments', description: 'Payments (Ticket Order Service)' },
        { name: 'status', description: 'Health' },
      ],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  // staticCSP: the UI's own pages get a CSP that allows its inline bootstrap script, the rest keeps helmet's strict default.
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
}
