import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLATFORM_ENV_KEYS, type PlatformEnv } from '../platform/src/env-contract';
import { pgBinDir } from '../platform/src/paths';
import { defaultServices } from '../platform/src/services';
import { NODE_TARGET } from './bundle/build';
import { SERVICE_TARGETS } from './bundle/targets';
import { readStages, type Stage } from './checks/dockerfile';
import { APP_SERVICES, exampleProject, ROOT } from './checks/fixtures';
import { parse } from 'yaml';

const project = exampleProject();
const services = project.compose.services;
const rootPackage = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };

function buildOf(name: string): { context: string; dockerfile: string; args: Record<string, string> } {
  const build = services[name]?.build;
  if (build === undefined) throw new Error(`${name} has no build section`);
  const context = resolve(project.dir, build.context);
  return { context, dockerfile: resolve(context, build.dockerfile ?? 'Dockerfile'), args: build.args ?? {} };
}

const stage = (stages: readonly Stage[], name: string) => {
  const found = stages.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no stage ${name}`);
  return found;
};

describe('every service image is built from a context and Dockerfile that exist', () => {
  it('each application service builds deploy/service.Dockerfile from the repository root, for itself', () => {
    for (const name of APP_SERVICES) {
      const { context, dockerfile, args } = buildOf(name);
      expect(context, name).toBe(ROOT);
      expect(existsSync(dockerfile), dockerfile).toBe(true);
      expect(args.SERVICE, name).toBe(name);
    }
  });

  it('every bundle target is a Compose service and the other way round', () => {
    expect(Object.keys(SERVICE_TARGETS).sort()).toEqual([...APP_SERVICES].sort());
  });

  it('every other built image (Patroni) has its context and Dockerfile', () => {
    const built = Object.keys(services).filter((name) => services[name]?.build !== undefined && !(APP_SERVICES as readonly string[]).includes(name));
    expect(built).toEqual(['patroni-1', 'patroni-2', 'patroni-3']);
    for (const name of built) expect(existsSync(buildOf(name).dockerfile), name).toBe(true);
  });

  it('the build context leaves out node_modules, build output, local data, git and .env', () => {
    const ignored = readFileSync(resolve(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    for (const pattern of ['**/node_modules', '**/dist', '.data', '.git', '.env']) expect(ignored, pattern).toContain(pattern);
  });
});

describe('the images run what the project itself runs', () => {
  const platformEnv = Object.fromEntries(PLATFORM_ENV_KEYS.map((key) => [key, ''])) as PlatformEnv;
  const platform = defaultServices(platformEnv, 21_000, {});

  it('each bundle\'s entry is the file the local platform starts with tsx, and its health path the one the platform waits on', () => {
    for (const name of APP_SERVICES) {
      const spec = platform.find((candidate) => candidate.service === name);
      expect(spec, name).toBeDefined();
      expect(SERVICE_TARGETS[name].entries.main, name).toBe(spec?.entry);
      expect(SERVICE_TARGETS[name].healthPath, name).toBe(new URL(spec?.healthUrl ?? 'http://x').pathname);
    }
  });

  it('each entry is also the one its package.json scripts run (start; the ETL\'s etl CLI)', () => {
    for (const name of APP_SERVICES) {
      const scripts = (JSON.parse(readFileSync(resolve(ROOT, 'services', name, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
      const entries: Record<string, string> = SERVICE_TARGETS[name].entries;
      expect(`tsx ${entries.main?.replace(`services/${name}/`, '')}`, name).toBe(scripts.start);
      if (entries.cli !== undefined) expect(`tsx ${entries.cli.replace(`services/${name}/`, '')}`).toBe(scripts.etl);
      for (const entry of Object.values(entries)) expect(existsSync(resolve(ROOT, entry)), entry).toBe(true);
    }
  });
});

describe('deploy/service.Dockerfile', () => {
  const stages = readStages(resolve(ROOT, 'deploy', 'service.Dockerfile'));
  const runtime = stage(stages, 'runtime');
  const steps = (name: string, keyword: string) => stage(stages, name).steps.filter((step) => step.keyword === keyword).map((step) => step.text);

  it('is multi-stage: dependencies from the lockfile, the bundle, then a runtime stage', () => {
    expect(stages.map((candidate) => candidate.name)).toEqual(['manifests', 'deps', 'build', 'runtime']);
    expect(steps('deps', 'RUN').some((text) => /\bnpm ci\b/.test(text))).toBe(true);
  });

  it('bundles with the project\'s own script, deploy/bundle.ts, for the SERVICE build argument', () => {
    expect(steps('build', 'RUN')).toContain('test -n "${SERVICE}" && npx tsx deploy/bundle.ts "${SERVICE}" --out /out');
    expect(existsSync(resolve(ROOT, 'deploy', 'bundle.ts'))).toBe(true);
  });

  it('runs on the Node.js major version the bundle targets and package.json allows', () => {
    const major = /^node:(\d+)[.-]/.exec(runtime.from)?.[1];
    expect(major).toBe(NODE_TARGET.replace('node', ''));
    expect(rootPackage.engines.node).toMatch(new RegExp(`^>=${major}\\.`));
    expect(stage(stages, 'deps').from).toBe(runtime.from);
  });

  it('keeps only the bundle tree in the runtime image: no npm install, no sources, no dev dependencies', () => {
    expect(steps('runtime', 'COPY')).toEqual(['--from=build /out/ /app/']);
    expect(steps('runtime', 'RUN')).toEqual([]);
  });

  it('runs as an unprivileged user, with a health check, through the entrypoint that names each replica', () => {
    const [user] = steps('runtime', 'USER');
    expect(user).toBe('1000:1000'); // `node` in the official Node.js images
    expect(user).not.toMatch(/^(0|root)\b/);
    expect(steps('runtime', 'HEALTHCHECK').join(' ')).toMatch(/CMD \["node", "\/app\/healthcheck\.mjs"\]/);
    expect(steps('runtime', 'ENTRYPOINT')).toEqual(['["/app/docker-entrypoint.sh"]']);
    expect(steps('runtime', 'CMD')).toEqual(['["dist/main.mjs"]']);
    for (const name of APP_SERVICES) expect(Object.keys(SERVICE_TARGETS[name].entries), name).toContain('main');
    accessSync(resolve(ROOT, 'deploy', 'runtime', 'docker-entrypoint.sh'), constants.X_OK);
    expect(existsSync(resolve(ROOT, 'deploy', 'runtime', 'healthcheck.ts'))).toBe(true);
  });
});

describe('deploy/patroni/Dockerfile', () => {
  const [only] = readStages(resolve(ROOT, 'deploy', 'patroni', 'Dockerfile'));
  const config = parse(readFileSync(resolve(ROOT, 'deploy', 'patroni', 'patroni.yml'), 'utf8')) as { postgresql: { bin_dir: string } };

  it('installs the PostgreSQL major version whose binaries patroni.yml and the local platform use', () => {
    const version = /postgresql\/(\d+)\/bin/.exec(pgBinDir)?.[1];
    expect(config.postgresql.bin_dir).toBe(pgBinDir);
    expect(only?.steps.some((step) => step.keyword === 'RUN' && step.text.includes(`postgresql-${version} patroni`))).toBe(true);
  });

  it('runs Patroni as the postgres user (uid 999, made before the packages), with a health check', () => {
    expect(only?.steps.filter((step) => step.keyword === 'USER').map((step) => step.text)).toEqual(['999:999']);
    expect(only?.steps.some((step) => step.keyword === 'RUN' && step.text.includes('useradd --system --uid 999 --gid postgres'))).toBe(true);
    expect(only?.steps.some((step) => step.keyword === 'HEALTHCHECK')).toBe(true);
  });
});
