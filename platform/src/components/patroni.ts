// The User Service's PostgreSQL: three nodes managed by Patroni on our etcd
// (one primary, two streaming standbys, synchronous mode). All three start
// at once: whichever wins the initialize key bootstraps, the others wait and
// clone it with pg_basebackup.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { giveTo } from '../os-user';
import { pgBinDir } from '../paths';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';
import { clusterProblem, fetchCluster, type PatroniMember } from './patroni-cluster-info';
import { ensureRoleAndDatabase, pgUrl, SUPERUSER, SUPERUSER_PASSWORD } from './pg-admin';
import { postmasterPid } from './pg-files';
import { socketDir } from './pg-socket';

export const USER_DB_NAME = 'eticket_users';
const NODE_COUNT = 3;

export interface PatroniHandle {
  processes: ManagedProcess[];
  restUrls: string[];
  /** Direct superuser URLs to each node's PostgreSQL, node order. */
  nodeUrls: string[];
  leader: PatroniMember;
}

/**
 * The cluster-wide ("dynamic") settings, kept by Patroni in etcd. Bootstrap
 * writes them into a new cluster; `applyClusterSettings` PATCHes them into an
 * existing one, so a data folder made with older values gets these too.
 */
export const CLUSTER_SETTINGS = {
  // Failover speed: the leader renews its key every loop_wait; once the key is older than ttl
  // the synchronous standby promotes itself. Measured here (bench:failover): writes through
  // HAProxy resume a median of ~8 s after the leader's Patroni and postmaster are SIGKILLed.
  // Patroni needs loop_wait + 2 x retry_timeout <= ttl; lower still risks false failovers when
  // two busy cores delay a loop.
  ttl: 7,
  loop_wait: 1,
  retry_timeout: 3,
  // A standby further behind the last leader position it knows of than this may not be promoted.
  maximum_lag_on_failover: 1048576,
  // A commit returns only once one standby has flushed it, and only that standby may be
  // promoted: an acknowledged write survives the loss of the primary.
  synchronous_mode: true,
  synchronous_node_count: 1,
  // Not strict: with both standbys gone the primary keeps taking writes, unreplicated
  // (strict would stop every write until a standby returns). See docs/architecture.md.
  synchronous_mode_strict: false,
  postgresql: {
    // A killed old primary rejoins as a standby: pg_rewind cuts its WAL back to the
    // new timeline's fork point (see remove_data_directory_* below for when it cannot).
    use_pg_rewind: true,
    use_slots: true,
    parameters: {
      max_prepared_transactions: 100,
      wal_log_hints: 'on',
      max_connections: 100,
      max_wal_senders: 10,
      max_replication_slots: 10,
      wal_keep_size: '128MB',
    },
  },
} as const;

function nodeConfig(ctx: ComponentContext, index: number, etcdHosts: string[], sockets: string, logDir: string): unknown {
  const nodeDir = join(ctx.layout.patroni, `node${index + 1}`);
  const rest = `${LOOPBACK}:${ctx.ports.patroniRest[index]}`;
  const pg = `${LOOPBACK}:${ctx.ports.pgNodes[index]}`;
  return {
    scope: 'eticket-users',
    namespace: '/eticket/',
    name: `node${index + 1}`,
    log: { level: 'INFO' },
    restapi: { listen: rest, connect_address: rest },
    etcd3: { hosts: etcdHosts },
    bootstrap: {
      dcs: CLUSTER_SETTINGS,
      initdb: [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }],
    },
    postgresql: {
      listen: pg,
      connect_address: pg,
      data_dir: join(nodeDir, 'pgdata'),
      bin_dir: pgBinDir,
      pgpass: join(nodeDir, 'pgpass'),
      // Local rather than bootstrap settings, so they apply to a data folder made before them too:
      // an old primary that cannot be rewound is wiped and cloned from the new one, never left out.
      remove_data_directory_on_rewind_failure: true,
      remove_data_directory_on_diverged_timelines: true,
      authentication: {
        superuser: { username: SUPERUSER, password: SUPERUSER_PASSWORD },
        replication: { username: 'replicator', password: 'replicator' },
        rewind: { username: 'rewinder', password: 'rewinder' },
      },
      parameters: {
        unix_socket_directories: sockets,
        // Four PostgreSQL servers share two cores and the memory with everything else.
        shared_buffers: '32MB',
        logging_collector: 'on',
        log_directory: logDir,
        log_filename: 'postgresql.log',
      },
      pg_hba: [
        'local all all trust',
        'host replication replicator 127.0.0.1/32 scram-sha-256',
        'host all all 127.0.0.1/32 scram-sha-256',
      ],
    },
    tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false },
  };
}

export function startPatroniNodes(ctx: ComponentContext, etcdEndpoints: string[]): PatroniHandle['processes'] {
  const hosts = etcdEndpoints.map((url) => url.replace(/^https?:\/\//, '').replace(/\/$/, ''));
  const sockets = socketDir(ctx.layout.run, ctx.runAs);
  mkdirSync(ctx.layout.patroni, { recursive: true });
  giveTo(ctx.layout.patroni, ctx.runAs);
  const processes: ManagedProcess[] = [];
  for (let i = 0; i < NODE_COUNT; i++) {
    const name = `patroni-node${i + 1}`;
    const nodeDir = join(ctx.layout.patroni, `node${i + 1}`);
    const logDir = join(ctx.layout.logs, `postgres-node${i + 1}`);
    mkdirSync(nodeDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    giveTo(nodeDir, ctx.runAs);
    giveTo(logDir, ctx.runAs);
    const configFile = join(nodeDir, 'patroni.yml');
    // JSON is valid YAML, and JSON.stringify quotes everything exactly.
    writeFileSync(configFile, `${JSON.stringify(nodeConfig(ctx, i, hosts, sockets, logDir), null, 2)}\n`);
    const pgdata = join(nodeDir, 'pgdata');
    processes.push(ctx.supervisor.spawn({
      name,
      command: 'patroni',
      args: [configFile],
      cwd: nodeDir,
      runAs: ctx.runAs,
      stopTimeoutMs: 20_000,
      companions: () => {
        const pid = postmasterPid(pgdata);
        return pid === undefined ? [] : [pid];
      },
      companionStopSignal: 'SIGINT',
    }));
  }
  return processes;
}

/** Waits for one primary and two replicating standbys, then provisions the application database. */
export async function awaitPatroniCluster(ctx: ComponentContext, processes: ManagedProcess[]): Promise<PatroniHandle> {
  const restUrls = ctx.ports.patroniRest.map((port) => `http://${LOOPBACK}:${port}`);
  const members = await waitFor(async () => {
    const found = await fetchCluster(restUrls);
    const problem = clusterProblem(found, NODE_COUNT);
    if (problem !== undefined) throw new Error(problem);
    return found;
  }, {
    what: 'the Patroni cluster (1 primary + 2 standbys)',
    timeoutMs: 120_000,
    intervalMs: 500,
    signal: ctx.signal,
    failFast: () => processes.map((p) => p.deathNote()).find((note) => note !== undefined),
  });
  const leader = members.find((m) => m.role === 'primary');
  if (!leader) throw new Error('Patroni cluster has no primary');
  await applyClusterSettings(leader.restUrl);
  await ensureRoleAndDatabase(pgUrl(SUPERUSER, SUPERUSER_PASSWORD, leader.port, 'postgres'), USER_DB_NAME);
  return {
    processes,
    restUrls,
    nodeUrls: ctx.ports.pgNodes.map((port) => pgUrl(SUPERUSER, SUPERUSER_PASSWORD, port, USER_DB_NAME)),
    leader,
  };
}

/**
 * PATCHes CLUSTER_SETTINGS into the running cluster's dynamic configuration:
 * bootstrap settings only reach a new cluster, and `up` without --fresh
 * reuses the data folder of an older one. Idempotent; Patroni applies a
 * change on its next loop.
 */
async function applyClusterSettings(restUrl: string): Promise<void> {
  const response = await fetch(`${restUrl.replace(/\/$/, '')}/config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(CLUSTER_SETTINGS),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`PATCH ${restUrl}/config -> ${response.status}: ${text}`);
}
