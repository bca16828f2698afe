// The local search server process: one OpenSearch 2.19.6 node on loopback
// (HTTP on `port`, transport on port + 1), data under `home`. The platform
// runner starts it through its supervisor (`up --with-search`); tests start
// it directly with startSearchServer().
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SpawnSpec } from '../process-supervisor';
import { ensureSearchInstalled } from './install';

/** Small heap: a developer machine runs it next to everything else; the logs of a test run are small. */
const JVM_OPTIONS = ['-Xms256m', '-Xmx512m', '-XX:+UseSerialGC', '-Dopensearch.set.netty.runtime.available.processors=false', '-Dlog4j2.disable.jmx=true'];

export function searchSpawnSpec(classpath: string, home: string, port: number): SpawnSpec {
  mkdirSync(join(home, 'data'), { recursive: true });
  mkdirSync(join(home, 'logs'), { recursive: true });
  return { name: 'search', command: 'java', args: [...JVM_OPTIONS, '-cp', classpath, 'EmbeddedSearch', home, String(port)], cwd: home, stopTimeoutMs: 20_000 };
}

/** Resolves once the cluster answers with a green or yellow health, within `timeoutMs`. */
export async function waitForSearch(url: string, timeoutMs: number, alive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error('the search server exited during start-up');
    try {
      const response = await fetch(`${url}/_cluster/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        const health = (await response.json()) as { status?: string };
        if (health.status === 'green' || health.status === 'yellow') return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`search server at ${url} not healthy after ${timeoutMs} ms`);
}

export interface RunningSearch {
  readonly url: string;
  stop(): Promise<void>;
}

/** Builds (if needed) and starts a search server outside the platform supervisor; output in `<home>/server.log`. */
export async function startSearchServer(
  home: string,
  port: number,
  log: (line: string) => void = () => undefined,
  timeoutMs = 120_000,
): Promise<RunningSearch> {
  const { classpath } = await ensureSearchInstalled(log);
  const spec = searchSpawnSpec(classpath, home, port);
  const output = createWriteStream(join(home, 'server.log'), { flags: 'a' });
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(output);
  child.stderr.pipe(output);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForSearch(url, timeoutMs, () => child.exitCode === null);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop };
}
