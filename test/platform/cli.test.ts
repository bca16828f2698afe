// `cli up --infra-only` as a user runs it: a child process in the foreground
// until SIGINT, after which nothing it started may remain.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataLayout, PLATFORM_ENV_KEYS, repoRoot } from '../../platform/src/index';
import { readPidsFile, stopRecorded } from '../../platform/src/pids-file';
import { isAlive, processesMatching } from '../../platform/src/proc';

const dataDir = join(repoRoot, '.data', 'test-cli-platform');

describe('platform CLI', () => {
  it('starts the infrastructure on its own port block, prints the table, and on SIGINT stops every process it started', async () => {
    // Without the global setup's variables, or the CLI would take them as external servers and start nothing.
    const env = { ...process.env };
    for (const key of PLATFORM_ENV_KEYS) delete env[key];
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'tsx'), [
      'platform/src/cli.ts', 'up', '--infra-only', '--fresh', '--base-port', '19000', '--data-dir', dataDir,
    ], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    try {
      const deadline = Date.now() + 150_000;
      while (!output.includes('press Ctrl-C to stop')) {
        if (child.exitCode !== null) throw new Error(`CLI exited early:\n${output}`);
        if (Date.now() > deadline) throw new Error(`CLI not ready in time:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(output).toMatch(/COMPONENT\s+ADDRESS\s+STATUS/);
      expect(output).toContain('127.0.0.1:19500');
      expect(output).toContain('127.0.0.1:19601');
      expect(output).not.toMatch(/\bFAIL\b/);

      const recorded = readPidsFile(join(dataDir, 'pids.json'));
      expect(recorded).toBeDefined();
      const pids = recorded!.processes.flatMap((p) => [p.pid, ...p.companions]);
      // etcd, 3 Patroni + their 3 postmasters, HAProxy, 6 redis-server, FerretDB, warehouse postmaster.
      expect(pids.length).toBe(16);
      expect(pids.every(isAlive)).toBe(true);
      expect(readFileSync(join(dataDir, 'platform.env'), 'utf8')).toContain('USER_DB_WRITE_URL=postgres://eticket:eticket@127.0.0.1:19500/eticket_users');

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(output).toContain('stopped in');
      expect(pids.filter(isAlive)).toEqual([]);
      expect(processesMatching(dataDir)).toEqual([]);
    } finally {
      // Whatever happened above, leave nothing behind.
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await stopRecorded(dataLayout(dataDir), () => undefined);
      for (const { pid } of processesMatching(dataDir)) process.kill(pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 200_000);
});
