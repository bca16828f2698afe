import pg from 'pg';
import { clusterProblem, fetchCluster, type PatroniMember } from '../../platform/src/components/patroni-cluster-info';
import { listOf, platformControl, platformEnv } from '../setup/platform-env';
import { eventually } from '../support/eventually';

// The test platform's Patroni cluster, seen and hurt from a test: who leads,
// SIGKILL of a whole node (Patroni and its postmaster, through the platform's
// supervisor), its restart, and waiting until writes work again or the
// cluster is whole (one primary, two replicating standbys, one synchronous).

export const NODE_COUNT = 3;

export function members(): Promise<PatroniMember[]> {
  return fetchCluster(listOf(platformEnv().PATRONI_REST_URLS));
}

export async function roles(): Promise<{ primary: PatroniMember; sync: PatroniMember; async: PatroniMember }> {
  const all = await members();
  const primary = all.find((m) => m.role === 'primary');
  const sync = all.find((m) => m.patroniRole === 'sync_standby');
  const other = all.find((m) => m !== primary && m !== sync);
  if (primary === undefined || sync === undefined || other === undefined) throw new Error(`cluster not whole: ${JSON.stringify(all)}`);
  return { primary, sync, async: other };
}

/**
 * Waits for one running primary and two standbys replicating with known lag,
 * one of them synchronous. Meanwhile it writes a little now and then: a node
 * rewound by pg_rewind may only open once the primary has written past the
 * position it was rewound to (its minimum recovery point is the primary's
 * insert position at the time), and an idle test cluster writes nothing.
 */
export async function wholeCluster(timeoutMs = 90_000): Promise<PatroniMember[]> {
  return eventually('the Patroni cluster to be whole', async () => {
    const found = await members();
    if (clusterProblem(found, NODE_COUNT) === undefined) return found;
    await nudge();
    return undefined;
  }, timeoutMs, 250);
}

/** One tiny transaction with a transaction id: a commit record in the WAL. */
async function nudge(): Promise<void> {
  await withClient(platformEnv().USER_DB_ADMIN_URL, (client) => client.query('SELECT txid_current()'), 1_000).catch(() => undefined);
}

/** SIGKILL of the node's Patroni and postmaster (with its backends) at once, as a dead machine; resolves when both are gone. */
export async function killNode(member: PatroniMember): Promise<number> {
  await platformControl().kill(`patroni-${member.name}`, 'SIGKILL');
  return Date.now();
}

/** Starts the node's Patroni again with its own config; it rejoins the cluster by itself. */
export async function restartNode(member: PatroniMember): Promise<void> {
  await platformControl().restart(`patroni-${member.name}`);
}

/** The superuser URL straight to one node (no HAProxy). */
export function nodeUrl(member: PatroniMember): string {
  const url = listOf(platformEnv().USER_DB_NODE_URLS).find((candidate) => new URL(candidate).port === String(member.port));
  if (url === undefined) throw new Error(`no node URL for ${member.name} (port ${member.port})`);
  return url;
}

/** Runs `work` on a fresh connection to `url` and closes it whatever happens. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>, connectTimeoutMs = 2_000): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls a tiny write through HAProxy's write port until one succeeds; the moment it did. */
export async function writableAgain(timeoutMs = 60_000): Promise<number> {
  const url = platformEnv().USER_DB_ADMIN_URL;
  return eventually('a write through HAProxy to succeed', async () => {
    await withClient(url, (client) => client.query('SELECT txid_current()'), 1_000);
    return Date.now();
  }, timeoutMs, 100);
}

/**
 * Patroni's maintenance mode ("pause") on or off, resolved once every node's
 * Patroni reports it (GET /patroni carries `pause: true` only after the node's
 * own HA loop has seen the setting). A test that pauses WAL replay needs it:
 * Patroni 3 on PostgreSQL 14+ calls pg_wal_replay_resume() on a paused standby
 * at its next HA loop (every loop_wait, 1 s here), taking the pause for one
 * caused by a primary's parameter change (patroni/patroni#1926); in
 * maintenance mode it leaves the pause alone.
 */
export async function maintenanceMode(on: boolean): Promise<void> {
  const restUrls = listOf(platformEnv().PATRONI_REST_URLS);
  const response = await fetch(`${restUrls[0]}/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    // null removes the key, as `patronictl resume` does.
    body: JSON.stringify({ pause: on ? true : null }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`PATCH /config pause=${on} -> ${response.status}: ${await response.text()}`);
  await eventually(`every Patroni node to report maintenance mode ${on ? 'on' : 'off'}`, async () => {
    const states = await Promise.all(restUrls.map(async (url) => {
      const node = await fetch(`${url}/patroni`, { signal: AbortSignal.timeout(1_000) });
      return (await node.json() as { pause?: boolean }).pause === true;
    }));
    return states.every((paused) => paused === on) ? true : undefined;
  }, 10_000);
}
