// HAProxy in front of the Patroni cluster, the classic Patroni pattern:
// services connect to one write port and one read port and follow a new
// primary without knowing node addresses. Health checks ask each node's
// Patroni REST API (GET /primary, GET /replica answer 200 only on a node in
// that role), every second; two misses mark a node down and cut its sessions
// so clients reconnect to the new primary instead of hanging on the old one.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { httpStatus } from '../http';
import type { ManagedProcess } from '../process-supervisor';
import { waitFor } from '../wait';
import { LOOPBACK, type ComponentContext } from './context';
import { pgPing } from './pg-admin';

export interface HaproxyHandle {
  process: ManagedProcess;
  statsUrl: string;
}

export function haproxyConfig(ctx: ComponentContext): string {
  const { ports } = ctx;
  const servers = ports.pgNodes.map((pgPort, i) => `  server node${i + 1} ${LOOPBACK}:${pgPort} check port ${ports.patroniRest[i]}`);
  const checks = [
    '  option httpchk',
    // Checked every second; a failing node is re-checked after 0.5 s, a node that is down (a
    // standby, in the primary backend) every 0.25 s, so a promoted standby takes writes within
    // a quarter of a second of its promotion.
    '  default-server inter 1s fastinter 500ms downinter 250ms fall 2 rise 1 on-marked-down shutdown-sessions',
  ];
  return [
    'global',
    '  maxconn 512',
    '',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    // A connection refused by a node that died since its last check goes to another server
    // of the backend (a standby's readers to the other standby) instead of failing.
    '  option redispatch',
    '  retries 2',
    // PostgreSQL connections sit idle in pools for long stretches.
    '  timeout client 30m',
    '  timeout server 30m',
    '  timeout check 1s',
    '',
    'listen stats',
    '  mode http',
    `  bind ${LOOPBACK}:${ports.haproxyStats}`,
    '  stats enable',
    '  stats uri /',
    '  stats refresh 5s',
    '',
    'frontend user_db_write',
    `  bind ${LOOPBACK}:${ports.haproxyWrite}`,
    '  default_backend user_db_primary',
    '',
    'frontend user_db_read',
    `  bind ${LOOPBACK}:${ports.haproxyRead}`,
    // Reads go to standbys; with none left, the primary serves them too.
    '  use_backend user_db_replicas if { nbsrv(user_db_replicas) gt 0 }',
    '  default_backend user_db_primary',
    '',
    'backend user_db_primary',
    ...checks,
    '  http-check send meth GET uri /primary',
    '  http-check expect status 200',
    ...servers,
    '',
    'backend user_db_replicas',
    '  balance roundrobin',
    ...checks,
    '  http-check send meth GET uri /replica',
    '  http-check expect status 200',
    ...servers,
    '',
  ].join('\n');
}

export async function startHaproxy(ctx: ComponentContext): Promise<HaproxyHandle> {
  mkdirSync(ctx.layout.haproxy, { recursive: true });
  const configFile = join(ctx.layout.haproxy, 'haproxy.cfg');
  writeFileSync(configFile, haproxyConfig(ctx));
  // -db: stay in the foreground, so the pid we track is HAProxy's.
  const process = ctx.supervisor.spawn({
    name: 'haproxy',
    command: 'haproxy',
    args: ['-db', '-f', configFile],
    cwd: ctx.layout.haproxy,
    stopTimeoutMs: 5000,
  });
  const statsUrl = `http://${LOOPBACK}:${ctx.ports.haproxyStats}/`;
  await waitFor(async () => (await httpStatus(statsUrl)) === 200, {
    what: 'HAProxy stats page', timeoutMs: 10_000, signal: ctx.signal, failFast: () => process.deathNote(),
  });
  return { process, statsUrl };
}

/** Waits until HAProxy's checks have found the primary (write port) and a standby (read port). */
export async function awaitRouting(ctx: ComponentContext, writeUrl: string, readUrl: string, process: ManagedProcess): Promise<void> {
  await waitFor(async () => {
    const [write, read] = await Promise.all([pgPing(writeUrl, 1000), pgPing(readUrl, 1000)]);
    if (!write.ok) throw new Error(`write port: ${write.detail}`);
    if (!read.ok) throw new Error(`read port: ${read.detail}`);
    return write.inRecovery === false && read.inRecovery === true;
  }, { what: 'HAProxy routing to primary and standby', timeoutMs: 20_000, intervalMs: 300, signal: ctx.signal, failFast: () => process.deathNote() });
}
