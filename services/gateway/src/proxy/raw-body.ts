import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The JSON body exactly as the client sent it; what the gateway validated is what the service receives. */
    rawBody?: string;
  }
}

/**
 * Replaces Fastify's JSON parser with one that keeps the text it parsed. The
 * parsing itself stays Fastify's (prototype-poisoning protection included);
 * re-serialising the parsed object instead would forward something subtly
 * different (key order, duplicate keys, number formatting).
 */
export function keepRawJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = typeof body === 'string' ? body : body.toString('utf8');
    // Fastify's default parser answers through `done`; it returns nothing to await.
    void parseJson(request, request.rawBody, done);
  });
}
