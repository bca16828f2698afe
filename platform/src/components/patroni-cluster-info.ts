// Reading Patroni's `GET /cluster`: the one view that names every member's
// role, state, timeline and replication lag.
import { httpJson, isRecord } from '../http';

export interface PatroniMember {
  name: string;
  /** Patroni's own word: leader, sync_standby, replica, standby_leader. */
  patroniRole: string;
  role: 'primary' | 'standby';
  state: string;
  host: string;
  port: number;
  restUrl: string;
  timeline: number | null;
  /** Bytes behind the leader; null when Patroni does not know (or for the leader). */
  lagBytes: number | null;
}

export function parseCluster(body: unknown): PatroniMember[] {
  if (!isRecord(body) || !Array.isArray(body.members)) throw new Error('unexpected /cluster answer');
  return body.members.filter(isRecord).map((m) => {
    const patroniRole = typeof m.role === 'string' ? m.role : 'unknown';
    const apiUrl = typeof m.api_url === 'string' ? m.api_url : '';
    return {
      name: typeof m.name === 'string' ? m.name : '?',
      patroniRole,
      role: patroniRole === 'leader' || patroniRole === 'master' ? 'primary' : 'standby',
      state: typeof m.state === 'string' ? m.state : 'unknown',
      host: typeof m.host === 'string' ? m.host : '',
      port: typeof m.port === 'number' ? m.port : 0,
      restUrl: apiUrl.replace(/\/patroni$/, ''),
      timeline: typeof m.timeline === 'number' ? m.timeline : null,
      lagBytes: typeof m.lag === 'number' ? m.lag : null,
    } satisfies PatroniMember;
  });
}

/** Asks each REST endpoint in turn; the first that answers wins (any member knows the whole cluster). */
export async function fetchCluster(restUrls: string[], timeoutMs = 1000): Promise<PatroniMember[]> {
  let lastError: unknown = new Error('no Patroni REST URL');
  for (const url of restUrls) {
    try {
      return parseCluster(await httpJson(`${url.replace(/\/$/, '')}/cluster`, timeoutMs));
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/** Healthy = one running primary, every other member replicating with a known lag, one of them synchronous. */
export function clusterProblem(members: PatroniMember[], expected: number): string | undefined {
  const primaries = members.filter((m) => m.role === 'primary' && m.state === 'running');
  if (primaries.length !== 1) return `${primaries.length} running primaries`;
  const standbys = members.filter((m) => m.role === 'standby' && (m.state === 'running' || m.state === 'streaming') && m.lagBytes !== null);
  if (standbys.length !== expected - 1) return `${standbys.length}/${expected - 1} standbys replicating`;
  // synchronous_mode is on: a settled cluster has picked its synchronous standby.
  if (expected > 1 && !members.some((m) => m.patroniRole === 'sync_standby')) return 'no synchronous standby chosen yet';
  return undefined;
}
