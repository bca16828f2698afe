import { readdirSync, readFileSync } from 'node:fs';

// CPU time of process trees, from /proc: on a machine shared with other work,
// CPU per confirmed order is a steadier measure than orders per second.
// Hand-written because no maintained npm package sums a process tree's
// utime + stime (pidusage reads one pid at a time and knows no process tree).

/** Linux counts in clock ticks of 10 ms (CLK_TCK 100). */
const MS_PER_TICK = 10;

export interface ProcessTable {
  /** utime + stime in clock ticks, per pid. */
  readonly ticks: Map<number, number>;
  readonly children: Map<number, number[]>;
}

/** One snapshot of every process's CPU ticks and its children. */
export function processTable(): ProcessTable {
  const ticks = new Map<number, number>();
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pid = Number(entry);
      ticks.set(pid, Number(fields[11]) + Number(fields[12]));
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), pid]);
    } catch {
      // the process ended meanwhile
    }
  }
  return { ticks, children };
}

/** CPU ms used so far by `roots` and all their descendants, each process counted once. */
export function treeCpuMs(roots: readonly number[], table: ProcessTable = processTable()): number {
  let total = 0;
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    total += table.ticks.get(pid) ?? 0;
    stack.push(...(table.children.get(pid) ?? []));
  }
  return total * MS_PER_TICK;
}
