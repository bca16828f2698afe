import type { DependencyCheck } from '@eticket/service-kit';
import type { UpstreamResolver } from './proxy/upstream-resolver';

/**
 * Each upstream's own /status as a dependency of the gateway. Upstreams are
 * not "required": with one service down the gateway still serves the other's
 * routes, so it reports itself degraded rather than down.
 */
export function upstreamChecks(resolver: UpstreamResolver): DependencyCheck[] {
  return resolver.describe().map(({ name, origin }) => ({
    name: `${name}-service`,
    required: false,
    check: async () => {
      const response = await fetch(`${origin}/status`, { signal: AbortSignal.timeout(1_000) });
      const report = (await response.json().catch(() => ({}))) as { status?: unknown; instance?: unknown };
      if (!response.ok) throw new Error(`${origin} reports ${typeof report.status === 'string' ? report.status : `HTTP ${response.status}`}`);
      return { origin, status: report.status, instance: report.instance };
    },
  }));
}
