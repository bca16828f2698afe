// vitest globalSetup of the "integration" project: one real platform for all
// integration test files, on its own port block (base 20000, or
// ETICKET_TEST_BASE_PORT so two test runs can share a machine) and data folder
// (<repo>/.data/test-platform[-<base>]), started fresh and stopped at the end.
//
// Tests read its env through `platformEnv()` from ./platform-env.ts (vitest's
// provide/inject) or plain `process.env` — both work, see that file.
//
// Both cache topologies run (cacheTopology 'both'), so the cache is tested
// against a real Redis Cluster and a real Sentinel ring. Failover tests kill
// and restart servers through the platform's control socket
// (`platformControl()`), so the supervisor here stays the owner of every process.
//
// ETICKET_TEST_REUSE_PLATFORM=1 is for fast local loops: reuse a healthy
// platform whose supervisor still answers (or start one without wiping) and
// leave it running afterwards. Stop it with
//   npx tsx platform/src/cli.ts down --data-dir .data/test-platform
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { stopRecorded } from '../../platform/src/pids-file';
import { dataLayout, PLATFORM_ENV_KEYS, PlatformControl, platformStatus, readEnvFile, repoRoot, startPlatform, type PlatformEnv } from '../../platform/src/index';

const TEST_BASE_PORT = Number(process.env.ETICKET_TEST_BASE_PORT ?? 20000);
const dataDir = join(repoRoot, '.data', TEST_BASE_PORT === 20000 ? 'test-platform' : `test-platform-${TEST_BASE_PORT}`);
const control = new PlatformControl(dataLayout(dataDir).controlSocket);

async function reusable(): Promise<PlatformEnv | undefined> {
  const envFile = dataLayout(dataDir).envFile;
  if (!existsSync(envFile)) return undefined;
  try {
    const env = readEnvFile(envFile);
    // Both cache topologies must run (an older platform may have only the cluster).
    if (env.REDIS_CLUSTER_NODES === '' || env.REDIS_SENTINELS === '') return undefined;
    // Failover tests restart what they kill through the supervisor: reuse only a supervised platform.
    if (!(await control.reachable())) return undefined;
    return (await platformStatus(env)).healthy ? env : undefined;
  } catch {
    return undefined;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[test-platform] ${line}\n`);
  const reuse = process.env.ETICKET_TEST_REUSE_PLATFORM === '1';
  let env = reuse ? await reusable() : undefined;
  let stop = async () => {};
  if (env) {
    log(`reusing the running platform in ${dataDir}`);
  } else {
    if (reuse) await stopRecorded(dataLayout(dataDir), log);
    const handle = await startPlatform({ dataDir, fresh: !reuse, basePort: TEST_BASE_PORT, log, cacheTopology: 'both' });
    env = handle.env;
    if (!reuse) stop = () => handle.stop();
  }
  for (const key of PLATFORM_ENV_KEYS) process.env[key] = env[key];
  project.provide('platformEnv', env);
  project.provide('platformControlSocket', control.socketPath);
  return async () => {
    await stop();
  };
}
