import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWebApp } from './app';
import { loadConfig } from './config';

// The web service over a small fake build: which answer each kind of path gets.

const dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
const empty = mkdtempSync(join(tmpdir(), 'web-empty-'));
const logger = createLogger({ service: 'web', instance: 'test', level: 'silent' });
type App = Awaited<ReturnType<typeof buildWebApp>>;
let app: App;
let unbuilt: App;

beforeAll(async () => {
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(dist, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dist, '.source-hash'), 'secret-ish');
  app = await buildWebApp(loadConfig({ WEB_DIST_DIR: dist }), logger);
  unbuilt = await buildWebApp(loadConfig({ WEB_DIST_DIR: empty }), logger);
});

afterAll(async () => {
  await app.close();
  await unbuilt.close();
  rmSync(dist, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

describe('the web service', () => {
  it('answers every page of the app with index.html, always revalidated', async () => {
    for (const url of ['/', '/events/6f1c2b0e-0000-4000-8000-000000000001', '/tickets?x=1', '/operator']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as cacheable for good, other files for an hour', async () => {
    const asset = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers a missing file with a 404 problem, never with the page', async () => {
    for (const url of ['/assets/gone.js', '/missing.png', '/.source-hash', '/assets/%2e%2e/%2e%2e/etc/hosts.txt']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('never serves a file from outside the build', async () => {
    for (const url of ['/assets/../../../../etc/passwd', '/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.body, url).not.toContain('root:');
    }
  });

  it('is not ready without a built client, and says how to build it', async () => {
    const status = await unbuilt.inject({ method: 'GET', url: '/status' });
    expect(status.statusCode).toBe(503);
    expect(status.json()).toMatchObject({ status: 'down', dependencies: { 'client-build': { error: expect.stringContaining('npm run build -w services/web') as unknown } } });
    expect((await app.inject({ method: 'GET', url: '/status' })).statusCode).toBe(200);
  });
});
