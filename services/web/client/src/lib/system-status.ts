import type { DependencyReport, GatewayStatus } from '../api/endpoints';

// The gateway's /status, read into what the operator page shows. The report
// is JSON built by several services, so every field is checked here rather
// than trusted: a missing or odd field shows as unknown, never crashes the page.

export interface InstanceRow {
  readonly upstream: string;
  readonly id: string;
  readonly origin: string;
  readonly version: string;
  /** The instance's own /status verdict: up, degraded, down, unreachable. */
  readonly health: string;
  /** closed, open, half-open (the gateway's breaker for this instance). */
  readonly breaker: string;
  readonly inFlight: number;
  /** The instance's dependencies with their state, e.g. "mongodb: up". */
  readonly dependencies: readonly { name: string; status: string }[];
}

export interface UpstreamView {
  readonly name: string;
  readonly status: string;
  readonly error: string | undefined;
  readonly instances: readonly InstanceRow[];
}

export interface PostgresMember {
  readonly name: string;
  readonly role: string;
  readonly patroniRole: string;
  readonly state: string;
  readonly address: string;
  readonly timeline: number | null;
  readonly lagBytes: number | null;
}

export interface PostgresView {
  readonly status: string;
  readonly error: string | undefined;
  readonly primary: string | null;
  readonly synchronousStandby: string | null;
  readonly members: readonly PostgresMember[];
}

export interface CacheNodeView {
  readonly address: string;
  readonly role: string;
  readonly up: boolean;
  readonly shard: string | undefined;
}

export interface SystemView {
  readonly overall: string;
  readonly gateway: string;
  readonly upstreams: readonly UpstreamView[];
  readonly postgres: PostgresView | undefined;
  readonly cache: { readonly topology: string; readonly status: string; readonly nodes: readonly CacheNodeView[] } | undefined;
  /** The gateway's other dependencies (rate-limit store, discovery). */
  readonly others: readonly { name: string; status: string; detail: string }[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown, fallback = 'unknown'): string => (typeof value === 'string' && value !== '' ? value : fallback);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function instanceRow(upstream: string, raw: unknown): InstanceRow {
  const instance = isRecord(raw) ? raw : {};
  const dependencies = isRecord(instance.dependencies)
    ? Object.entries(instance.dependencies).map(([name, report]) => ({ name, status: isRecord(report) ? str(report.status) : 'unknown' }))
    : [];
  return {
    upstream,
    id: str(instance.id),
    origin: str(instance.origin, ''),
    version: str(instance.version),
    health: str(instance.health),
    breaker: str(instance.breaker),
    inFlight: num(instance.outstanding) ?? 0,
    dependencies,
  };
}

function postgresFrom(upstreams: Record<string, DependencyReport>): PostgresView | undefined {
  // Every User Service instance reports the same cluster (Patroni's view); the first that has it answers.
  for (const instance of list(upstreams['user-service']?.details?.instances)) {
    const cluster = isRecord(instance) && isRecord(instance.dependencies) ? instance.dependencies['postgres-cluster'] : undefined;
    if (!isRecord(cluster) || !isRecord(cluster.details)) continue;
    const details = cluster.details;
    return {
      status: str(cluster.status),
      error: typeof cluster.error === 'string' ? cluster.error : undefined,
      primary: typeof details.primary === 'string' ? details.primary : null,
      synchronousStandby: typeof details.synchronous_standby === 'string' ? details.synchronous_standby : null,
      members: list(details.members).filter(isRecord).map((member) => ({
        name: str(member.name),
        role: str(member.role),
        patroniRole: str(member.patroni_role),
        state: str(member.state),
        address: str(member.address, ''),
        timeline: num(member.timeline),
        lagBytes: num(member.lag_bytes),
      })),
    };
  }
  return undefined;
}

export function readSystemStatus(report: GatewayStatus): SystemView {
  const dependencies = isRecord(report.dependencies) ? report.dependencies : {};
  const upstreams = Object.entries(dependencies)
    .filter(([name]) => name.endsWith('-service'))
    .map(([name, dependency]) => ({
      name: name.replace(/-service$/, ''),
      status: str(dependency.status),
      error: dependency.error,
      instances: list(dependency.details?.instances).map((instance) => instanceRow(name.replace(/-service$/, ''), instance)),
    }));
  const cacheReport = dependencies['stale-cache'];
  const cache = cacheReport === undefined ? undefined : {
    topology: str(cacheReport.details?.topology),
    status: str(cacheReport.status),
    nodes: list(cacheReport.details?.nodes).filter(isRecord).map((node) => ({
      address: str(node.address),
      role: str(node.role),
      up: node.up === true,
      shard: typeof node.shard === 'string' ? node.shard : undefined,
    })),
  };
  const others = Object.entries(dependencies)
    .filter(([name]) => !name.endsWith('-service') && name !== 'stale-cache')
    .map(([name, dependency]) => ({ name, status: str(dependency.status), detail: dependency.error ?? summary(dependency.details) }));
  return { overall: str(report.status), gateway: str(report.instance), upstreams, postgres: postgresFrom(dependencies), cache, others };
}

function summary(details: Record<string, unknown> | undefined): string {
  if (details === undefined) return '';
  const text = (value: unknown): string => {
    if (Array.isArray(value)) return value.map(text).join(', ');
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return JSON.stringify(value) ?? '';
  };
  return Object.entries(details).map(([key, value]) => `${key}: ${text(value)}`).join('; ');
}

/** "0 B", "12.5 KiB", "3.0 MiB": replication lag as an operator reads it. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
