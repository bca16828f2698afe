import { readdirSync, readFileSync } from 'node:fs';

// CPU time by component, from /proc: on a shared two-core machine, where the
// load generator and the gateway run beside the services, it shows where the
// CPU of an overload goes (what refusing and queueing cost next to confirming).

export interface CpuSample {
  readonly gateway: number;
  readonly services: number;
  readonly platform: number;
  readonly generator: number;
}

/** Clock ticks (utime + stime) per pid, and the children of each pid. */
function processTable(): { ticks: Map<number, number>; children: Map<number, number[]> } {
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
      // ended meanwhile
    }
  }
  return { ticks, children };
}

function treeTicks(root: number, table: ReturnType<typeof processTable>): number {
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += table.ticks.get(pid) ?? 0;
    stack.push(...(table.children.get(pid) ?? []));
  }
  return total;
}

/**
 * CPU ms used so far: the gateway process, the service processes, and every
 * other descendant of this process (the platform: PostgreSQL, Patroni,
 * HAProxy, FerretDB, Redis, etcd), plus this process itself (the load generator).
 */
export function cpuSample(gatewayPid: number, servicePids: readonly number[]): CpuSample {
  const table = processTable();
  const tick = 10; // ms per clock tick (CLK_TCK 100)
  const gateway = treeTicks(gatewayPid, table) * tick;
  const services = servicePids.reduce((sum, pid) => sum + treeTicks(pid, table), 0) * tick;
  const all = (table.children.get(process.pid) ?? []).reduce((sum, child) => sum + treeTicks(child, table), 0) * tick;
  const own = process.cpuUsage();
  return { gateway, services, platform: all - gateway - services, generator: (own.user + own.system) / 1000 };
}

export function cpuSince(before: CpuSample, after: CpuSample): CpuSample {
  return {
    gateway: after.gateway - before.gateway,
    services: after.services - before.services,
    platform: after.platform - before.platform,
    generator: after.generator - before.generator,
  };
}
