// Process facts straight from /proc: liveness that treats zombies as dead
// (an orphan reparented to a non-reaping init lingers as one), command lines,
// and signalling a whole process group.
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3 follows the parenthesised command name, which may itself hold spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Every live process whose command line contains `needle` (excluding ourselves). */
export function processesMatching(needle: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmd = commandLine(pid);
    if (cmd.includes(needle) && isAlive(pid)) found.push({ pid, cmd });
  }
  return found;
}

/** The parent of `pid` (field 4 of /proc/<pid>/stat), undefined once it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/** Every live descendant of `pid` (children, their children, ...), read from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const child = Number(entry);
    if (!Number.isInteger(child)) continue;
    const parent = parentOf(child);
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    found.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return found;
}

/** Signals the group led by `pid` (our children are group leaders), else the pid alone. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
    return;
  } catch {
    // Not a group leader (or group gone): fall through to the single process.
  }
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export async function waitUntilDead(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Polite then firm: `signal` to each group, wait, then SIGKILL the groups of
 * whatever is still alive.
 */
export async function terminate(pids: number[], signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  const alive = pids.filter(isAlive);
  if (alive.length === 0) return;
  for (const pid of alive) signalGroup(pid, signal);
  if (await waitUntilDead(alive, timeoutMs)) return;
  for (const pid of alive.filter(isAlive)) signalGroup(pid, 'SIGKILL');
  await waitUntilDead(alive, 2000);
}
