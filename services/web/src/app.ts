import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@eticket/logging';
import { createHttpApp, createMetricsRegistry, registerStatusRoutes, type HttpApp } from '@eticket/service-kit';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { WebConfig } from './config';
import { clientPathKind } from './spa';

/** Hashed file names (Vite's `assets/*-<hash>.js`) never change content: cached for a year. */
const IMMUTABLE_MAX_AGE_MS = 365 * 24 * 3600 * 1000;

/**
 * The web service: the built client as static files. Every path that is a
 * page of the single-page app gets index.html (the client's router takes it
 * from there), always revalidated so a new deployment shows at once; files
 * are served as they are, hashed assets cached for good; a missing file is a
 * 404 problem, never the page (a broken asset link must fail visibly).
 */
export async function buildWebApp(config: WebConfig, logger: Logger): Promise<HttpApp> {
  const app = createHttpApp({ logger, bodyLimit: 1024, metrics: createMetricsRegistry('web') });
  await app.register(helmet);
  // serve: false: only reply.sendFile (path traversal is refused by @fastify/send), routed by the handler below;
  // dot files (the build's .source-hash) are not part of the site.
  await app.register(fastifyStatic, { root: config.WEB_DIST_DIR, serve: false, dotfiles: 'ignore' });
  registerStatusRoutes(app, 'web', config.SERVICE_INSTANCE, [{
    name: 'client-build',
    required: true,
    check: () => (existsSync(join(config.WEB_DIST_DIR, 'index.html'))
      ? Promise.resolve({ dist: config.WEB_DIST_DIR })
      : Promise.reject(new Error(`no built client in ${config.WEB_DIST_DIR}: run npm run build -w services/web`))),
  }]);
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    switch (clientPathKind(path)) {
      case 'asset':
        return reply.sendFile(path.slice(1), { maxAge: IMMUTABLE_MAX_AGE_MS, immutable: true });
      case 'file':
        return reply.sendFile(path.slice(1), { maxAge: 3_600_000 });
      case 'page':
        return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    }
  });
  return app;
}
