import type { DependencyCheck } from '@eticket/service-kit';
import type { InstanceView, UpstreamDirectory, UpstreamName } from './upstreams/directory';

const PROBE_TIMEOUT_MS = 1_000;

interface InstanceHealth extends InstanceView {
  /** The instance's own /status verdict, or `unreachable`. */
  readonly health: string;
  /**
   * What the instance reported about its own dependencies (the User Service's
   * PostgreSQL nodes with their roles and lag, the order service's MongoDB,
   * the ETL's warehouse, ...): the operator page shows the whole system from
   * this one report.
   */
  readonly dependencies?: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function probe(instance: InstanceView): Promise<InstanceHealth> {
  try {
    const response = await fetch(`${instance.origin}/status`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    const report: unknown = await response.json().catch(() => ({}));
    const status = isRecord(report) && typeof report.status === 'string' ? report.status : `HTTP ${response.status}`;
    const dependencies = isRecord(report) && isRecord(report.dependencies) ? { dependencies: report.dependencies } : {};
    return { ...instance, health: status, ...dependencies };
  } catch {
    return { ...instance, health: 'unreachable' };
  }
}

/**
 * One dependency per upstream: every registered instance with its own health
 * (its /status, probed now), its breaker state and outstanding requests. The
 * upstream is up while at least one instance is healthy with a closed
 * breaker. Upstreams are not "required": with one service down the gateway
 * still serves the other's routes, so it reports itself degraded, not down.
 */
export function upstreamChecks(directory: UpstreamDirectory, mode: Readonly<Record<UpstreamName, 'discovery' | 'static'>>): DependencyCheck[] {
  return (Object.keys(mode) as UpstreamName[]).map((name) => ({
    name: `${name}-service`,
    required: false,
    check: async () => {
      const instances = await Promise.all(directory.describe()[name].map(probe));
      const serving = instances.filter((instance) => instance.health === 'up' || instance.health === 'degraded').filter((instance) => instance.breaker === 'closed');
      const details = { source: mode[name], instances };
      if (serving.length === 0) {
        throw Object.assign(new Error(instances.length === 0 ? `no ${name} instance is registered` : `no ${name} instance is healthy with a closed breaker`), { details });
      }
      return details;
    },
  }));
}
