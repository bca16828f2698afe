import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleService, type BundleResult } from './bundle/build';
import { SERVICE_TARGETS, type ServiceName } from './bundle/targets';
import { ROOT } from './checks/fixtures';

// The runtime tree of each image, built by the same function the Dockerfile's
// build stage runs (deploy/bundle.ts), into a folder outside the repository so
// nothing can be found in the repository's node_modules: what runs here is what
// the image's /app holds.
const outside = mkdtempSync(join(tmpdir(), 'eticket-bundle-'));
const results = new Map<ServiceName, BundleResult>();
const lock = JSON.parse(readFileSync(resolve(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
const names = Object.keys(SERVICE_TARGETS) as ServiceName[];

beforeAll(async () => {
  for (const service of names) results.set(service, await bundleService(service, ROOT, join(outside, service)));
}, 240_000);

// Generous limits: bundling and copying wait on the disk, which other work on a busy machine shares.
afterAll(() => rm(outside, { recursive: true, force: true }), 120_000);

const result = (service: ServiceName) => {
  const found = results.get(service);
  if (found === undefined) throw new Error(`${service} was not bundled`);
  return found;
};

describe('deploy/bundle.ts: the runtime tree of each image', () => {
  it('holds one bundle per entry and the files the code reads at run time, where the code looks for them', () => {
    for (const service of names) {
      const { outDir, bundles, assets } = result(service);
      for (const bundle of bundles) expect(existsSync(join(outDir, bundle)), bundle).toBe(true);
      expect(assets, service).toContain(`services/${service}/package.json`);
      for (const asset of assets) expect(existsSync(join(outDir, asset)), `${service}: ${asset}`).toBe(true);
    }
    for (const service of ['gateway', 'user', 'order', 'etl'] as const) expect(result(service).assets).toContain('packages/contracts/proto');
    expect(result('web').assets).toContain('services/web/dist');
    expect(result('web').assets).not.toContain('services/web/client');
    expect(result('user').assets).toContain('services/user/migrations');
    expect(result('etl').assets).toContain('services/etl/migrations');
  });

  it('ships only production packages, at the lockfile\'s versions (no dev dependency reaches an image)', () => {
    for (const service of names) {
      const { packages } = result(service);
      expect(packages.length, service).toBeGreaterThan(0);
      for (const folder of packages) {
        const entry = lock.packages[folder];
        expect(entry, `${service}: ${folder} is not in package-lock.json`).toBeDefined();
        expect(entry?.dev === true || entry?.devOptional === true, `${service}: ${folder} is a dev dependency`).toBe(false);
      }
    }
    expect(result('user').packages).toContain('node_modules/@node-rs/argon2');
    expect(result('gateway').packages).not.toContain('node_modules/@node-rs/argon2');
  });

  it('the gateway runs from its tree alone: serves /status/live and the Swagger UI\'s files, and its HEALTHCHECK script passes', async () => {
    const { outDir } = result('gateway');
    const env = {
      PATH: process.env.PATH ?? '',
      ETICKET_SERVICE: 'gateway',
      GATEWAY_PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: 'j'.repeat(40),
      INTERNAL_AUTH_SECRET: 'i'.repeat(40),
      USER_SERVICE_HTTP_URL: 'http://127.0.0.1:9',
      ORDER_SERVICE_HTTP_URL: 'http://127.0.0.1:9',
    };
    const child = spawn('sh', ['./docker-entrypoint.sh', 'dist/main.mjs'], { cwd: outDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolvePort, reject) => {
        let seen = '';
        const timer = setTimeout(() => reject(new Error(`the gateway did not listen within 60 s:\n${seen}`)), 60_000);
        child.stdout.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
          if (match) {
            clearTimeout(timer);
            resolvePort(Number(match[1]));
          }
        });
        child.on('exit', (code) => reject(new Error(`the gateway exited (${code}):\n${seen}`)));
      });
      expect((await fetch(`http://127.0.0.1:${port}/status/live`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/docs/static/swagger-ui-bundle.js`)).status).toBe(200);
      const health = await promisify(execFile)('node', ['healthcheck.mjs'], { cwd: outDir, env: { ...env, GATEWAY_PORT: String(port) } }).then(() => 0, (error: { code?: number }) => error.code ?? 1);
      expect(health).toBe(0);
    } finally {
      child.kill('SIGTERM');
      await new Promise((resolveExit) => (child.exitCode !== null ? resolveExit(undefined) : child.once('exit', resolveExit)));
    }
  }, 90_000);

  it('the other services load every module from their tree: without settings they stop at configuration, naming what is missing', async () => {
    for (const service of ['user', 'order', 'etl'] as const) {
      const { outDir } = result(service);
      const outcome = await promisify(execFile)('sh', ['./docker-entrypoint.sh', 'dist/main.mjs'], { cwd: outDir, env: { PATH: process.env.PATH ?? '', ETICKET_SERVICE: service } })
        .then(({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }), (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }));
      expect(outcome.output, service).toContain('Invalid configuration');
      expect(outcome.output, service).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
      expect(outcome.code, service).toBe(1);
    }
  }, 90_000);
});
