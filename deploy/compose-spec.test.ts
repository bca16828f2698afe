import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, readEnvFile } from './checks/compose-project';
import { APP_SERVICES, ENV_EXAMPLE, exampleProject, ROOT } from './checks/fixtures';

// compose-go is the library `docker compose` itself loads projects with
// (include, interpolation, the Compose specification's JSON schema).
// deploy/tools/compose-validate wraps it; Go fetches it from the module proxy
// on the first build and caches it.
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'eticket-compose-go-'));
const tool = join(work, 'compose-validate');
const project = exampleProject();

interface ResolvedProject {
  services: Record<string, { environment?: Record<string, string | null> }>;
}

async function resolveProject(env: Record<string, string>, profiles = ''): Promise<ResolvedProject> {
  const envFile = join(work, `env-${Math.random().toString(36).slice(2)}`);
  writeFileSync(envFile, Object.entries(env).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join('\n'));
  const { stdout } = await run(tool, ['-env-file', envFile, '-profiles', profiles, resolve(ROOT, 'compose.yaml')], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ResolvedProject;
}

beforeAll(async () => {
  await run('go', ['build', '-o', tool, '.'], { cwd: resolve(ROOT, 'deploy', 'tools', 'compose-validate') });
}, 600_000);

afterAll(() => rm(work, { recursive: true, force: true }));

describe('compose-go (docker compose\'s own loader) accepts the project', () => {
  it('as .env.example with its secrets filled in: valid against the Compose specification, every service present', async () => {
    const resolved = await resolveProject(project.env);
    const always = Object.keys(project.compose.services).filter((name) => project.compose.services[name]?.profiles === undefined);
    expect(Object.keys(resolved.services).sort()).toEqual(always.sort());
  }, 60_000);

  it('with the ring profile: its Sentinels and shard nodes too', async () => {
    const resolved = await resolveProject({ ...project.env, CACHE_TOPOLOGY: 'ring' }, 'ring');
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(project.compose.services).sort());
  }, 60_000);

  it('resolves each service\'s environment exactly as the checks here do (their interpolation agrees with Compose\'s)', async () => {
    const resolved = await resolveProject(project.env);
    for (const name of APP_SERVICES) {
      const theirs = Object.fromEntries(Object.entries(resolved.services[name]?.environment ?? {}).map(([key, value]) => [key, value ?? '']));
      expect(theirs, name).toEqual(environmentOf(project.compose.services[name] ?? {}));
    }
  }, 60_000);

  it('refuses .env.example as it is, naming the secret to set', async () => {
    await expect(resolveProject(readEnvFile(ENV_EXAMPLE))).rejects.toThrow(/set [A-Z_]+(SECRET|PASSWORD) in \.env/);
  }, 60_000);
});
