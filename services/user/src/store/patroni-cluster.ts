import type { DependencyCheck } from '@eticket/service-kit';

// The PostgreSQL cluster as Patroni sees it (GET /cluster on any member's
// REST API): every node's role, state, timeline and replication lag, for the
// User Service's /status. The service itself never needs this to work (it
// follows the primary through HAProxy); it is what an operator looks at
// during and after a failover.

export interface ClusterMember {
  readonly name: string;
  /** primary or standby, whatever Patroni's word (leader, master, sync_standby, replica, standby_leader). */
  readonly role: 'primary' | 'standby';
  readonly patroni_role: string;
  /** running, streaming, starting, stopped, crashed, ... */
  readonly state: string;
  readonly address: string;
  readonly timeline: number | null;
  /** Bytes of WAL behind the primary; null for the primary and when Patroni does not know. */
  readonly lag_bytes: number | null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseCluster(body: unknown): ClusterMember[] {
  if (!isRecord(body) || !Array.isArray(body.members)) throw new Error('unexpected answer from Patroni /cluster');
  return body.members.filter(isRecord).map((m) => {
    const patroniRole = typeof m.role === 'string' ? m.role : 'unknown';
    return {
      name: typeof m.name === 'string' ? m.name : '?',
      role: patroniRole === 'leader' || patroniRole === 'master' || patroniRole === 'standby_leader' ? 'primary' : 'standby',
      patroni_role: patroniRole,
      state: typeof m.state === 'string' ? m.state : 'unknown',
      address: `${typeof m.host === 'string' ? m.host : '?'}:${typeof m.port === 'number' ? m.port : '?'}`,
      timeline: typeof m.timeline === 'number' ? m.timeline : null,
      lag_bytes: typeof m.lag === 'number' ? m.lag : null,
    };
  });
}

const LIVE_STATES = new Set(['running', 'streaming']);

/**
 * What is wrong with the cluster, if anything: no primary, a node that is
 * not running, a standby whose lag is unknown or larger than `maxLagBytes`,
 * no synchronous standby (writes would not survive a failover), or fewer
 * members than expected (a node Patroni no longer even lists).
 */
export function clusterProblem(members: readonly ClusterMember[], expected: number, maxLagBytes: number): string | undefined {
  const primaries = members.filter((m) => m.role === 'primary' && LIVE_STATES.has(m.state));
  if (primaries.length !== 1) return `${primaries.length} running primaries`;
  if (members.length < expected) return `${members.length} of ${expected} nodes in the cluster`;
  const down = members.filter((m) => !LIVE_STATES.has(m.state));
  if (down.length > 0) return `not running: ${down.map((m) => `${m.name} (${m.state})`).join(', ')}`;
  const behind = members.filter((m) => m.role === 'standby' && (m.lag_bytes === null || m.lag_bytes > maxLagBytes));
  if (behind.length > 0) return `lagging: ${behind.map((m) => `${m.name} (${m.lag_bytes ?? 'unknown'} B)`).join(', ')}`;
  if (expected > 1 && !members.some((m) => m.patroni_role === 'sync_standby')) return 'no synchronous standby';
  return undefined;
}

/** Any member answers for the whole cluster: the first that does wins. */
export async function fetchCluster(restUrls: readonly string[], timeoutMs: number): Promise<ClusterMember[]> {
  let lastError: unknown = new Error('no Patroni REST URL configured');
  for (const url of restUrls) {
    try {
      const response = await fetch(`${url.replace(/\/$/, '')}/cluster`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`GET ${url}/cluster answered ${response.status}`);
      return parseCluster(await response.json());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Carries what the check saw, so /status shows the members even when the cluster is unhealthy. */
class ClusterUnhealthy extends Error {
  constructor(message: string, readonly details: Record<string, unknown>) {
    super(message);
  }
}

/** A standby this far behind is reported (1 MiB: Patroni's maximum_lag_on_failover, past which it would not be promoted). */
const MAX_LAG_BYTES = 1_048_576;

/**
 * `postgres-cluster` in /status: each node's role, state, timeline and lag.
 * Not required: the service works through HAProxy whatever this says; an
 * unhealthy cluster (a node down, no synchronous standby) makes the
 * instance `degraded`, with the members still shown.
 */
export function patroniClusterCheck(restUrls: readonly string[]): DependencyCheck {
  return {
    name: 'postgres-cluster',
    required: false,
    check: async () => {
      const members = await fetchCluster(restUrls, 1_000);
      const primary = members.find((m) => m.role === 'primary');
      const details = {
        primary: primary?.name ?? null,
        timeline: primary?.timeline ?? null,
        synchronous_standby: members.find((m) => m.patroni_role === 'sync_standby')?.name ?? null,
        members,
      };
      const problem = clusterProblem(members, restUrls.length, MAX_LAG_BYTES);
      if (problem !== undefined) throw new ClusterUnhealthy(problem, details);
      return details;
    },
  };
}
