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
      // Measured on this machine: a standby takes over ~9 s after the leader dies with these.
      dcs: {
        ttl: 10,
        loop_wait: 2,
        retry_timeout: 4,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: true,
        postgresql: {
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
      },
      initdb: [{ encoding: 'UTF8' }, { locale: 'C.UTF-8' }],
    },
    postgresql: {
      listen: pg,
      connect_address: pg,
      data_dir: join(nodeDir, 'pgdata'),
      bin_dir: pgBinDir,
      pgpass: join(nodeDir, 'pgpass'),
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
  await ensureRoleAndDatabase(pgUrl(SUPERUSER, SUPERUSER_PASSWORD, leader.port, 'postgres'), USER_DB_NAME);
  return {
    processes,
    restUrls,
    nodeUrls: ctx.ports.pgNodes.map((port) => pgUrl(SUPERUSER, SUPERUSER_PASSWORD, port, USER_DB_NAME)),
    leader,
  };
}
