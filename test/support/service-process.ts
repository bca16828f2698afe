import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LOG_DIR = `${REPO_ROOT}.data/test-logs`;

export interface ServiceProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** Sends a signal and waits for the exit (SIGTERM drains; SIGKILL is a crash). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface SpawnServiceOptions {
  readonly name: string;
  /** Path from the repository root, e.g. `services/user/src/main.ts`. */
  readonly entry: string;
  readonly env: Readonly<Record<string, string>>;
  /** Polled until it answers 200. */
  readonly healthUrl: string;
  readonly timeoutMs?: number;
  /** Extra Node.js options before the entry (e.g. `--cpu-prof`; NODE_OPTIONS does not accept every flag). */
  readonly nodeArgs?: readonly string[];
}

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} was healthy`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} not healthy after ${timeoutMs} ms`);
}

/**
 * Runs a service as a real process, as `npm start` does, with its output in
 * .data/test-logs/<name>.log, and waits until its health URL answers 200.
 */
export async function spawnService(options: SpawnServiceOptions): Promise<ServiceProcess> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(`${LOG_DIR}/${options.name}.log`, { flags: 'a' });
  // `node --import tsx` rather than the tsx CLI: the CLI runs the program in a
  // child process, so a SIGKILL of the CLI would orphan the real service.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  try {
    await waitForHealthy(options.healthUrl, child, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  if (child.pid === undefined) throw new Error(`${options.name} has no pid`);
  return { name: options.name, child, pid: child.pid, exited, stop };
}
