import { processTable, treeCpuMs } from '../support/process-cpu';

// CPU time by component, from /proc: on a shared two-core machine, where the
// load generator and the gateway run beside the services, it shows where the
// CPU of an overload goes (what refusing and queueing cost next to confirming).

export interface CpuSample {
  readonly gateway: number;
  readonly services: number;
  readonly platform: number;
  readonly generator: number;
}

/**
 * CPU ms used so far: the gateway process, the service processes, and every
 * other descendant of this process (the platform: PostgreSQL, Patroni,
 * HAProxy, FerretDB, Redis, etcd), plus this process itself (the load generator).
 */
export function cpuSample(gatewayPid: number, servicePids: readonly number[]): CpuSample {
  const table = processTable();
  const gateway = treeCpuMs([gatewayPid], table);
  const services = treeCpuMs(servicePids, table);
  const all = treeCpuMs(table.children.get(process.pid) ?? [], table);
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
