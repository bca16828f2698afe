// tsx platform/src/cli.ts up [--fresh] [--infra-only] [--with-search] [--base-port N] [--data-dir DIR]
//                        status [--data-dir DIR]
//                        down [--data-dir DIR]
//                        kill NAME | restart NAME [--data-dir DIR]   (failover drills)
// `up` stays in the foreground; Ctrl-C (SIGINT) or SIGTERM stops everything it
// started, in order, and exits. Children run in process groups of their own,
// so a terminal's Ctrl-C reaches only this process, which does the stopping.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PlatformControl } from './control';
import { readEnvFile } from './env-contract';
import { startLocalSearch, type LocalSearch } from './search/local-search';
import { platformStatus, type ComponentRow } from './health';
import { startPlatform, type PlatformHandle } from './index';
import { dataLayout, defaultDataDir } from './paths';
import { liveSupervisor, readPidsFile, stopRecorded } from './pids-file';
import { basePortFromEnv, portOverridesFromEnv } from './ports';
import { waitUntilDead } from './proc';
import { DEV_ADMIN_EMAIL, DEV_ADMIN_PASSWORD, DEV_INTERNAL_AUTH_SECRET, DEV_JWT_SECRET, defaultServices, startServices, type StartedService } from './services';
import { formatTable } from './status-table';

const log = (line: string) => process.stdout.write(`[platform] ${line}\n`);

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'fresh': { type: 'boolean', default: false },
    'infra-only': { type: 'boolean', default: false },
    'with-search': { type: 'boolean', default: false },
    'base-port': { type: 'string' },
    'data-dir': { type: 'string' },
    'help': { type: 'boolean', short: 'h', default: false },
  },
});

const USAGE = `usage: tsx platform/src/cli.ts <up|status|down|kill NAME|restart NAME> [--fresh] [--infra-only] [--with-search] [--base-port N] [--data-dir DIR]
  up       start etcd, Patroni x3 + HAProxy, warehouse PostgreSQL, the cache (Redis Cluster or the Sentinel ring, see
           CACHE_TOPOLOGY), FerretDB (then the services unless --infra-only); stays in the foreground, Ctrl-C stops everything;
           --with-search adds a local OpenSearch (base+920) and a log collector (tcp base+922) the services ship logs to
  status   health table of a running platform (reads <data-dir>/platform.env)
  down     stop a running platform (reads <data-dir>/pids.json)
  kill     SIGKILL one process of a running platform by name (redis-<port>, ring-redis-<port>, sentinel-<port>, ...)
  restart  start that process again (a ring node rejoins as a replica of the primary Sentinel names)
env: ETICKET_PLATFORM_DATA_DIR (what --data-dir sets; default .data/platform, the directory the benches read);
     CACHE_TOPOLOGY=cluster|ring|both (default cluster); ETICKET_BASE_PORT, ETICKET_PORT_* / ETICKET_PORTS_* overrides;
     USER_DB_WRITE_URL, ETCD_ENDPOINTS, REDIS_CLUSTER_NODES, REDIS_SENTINELS (+ REDIS_RING_SHARDS), ORDER_MONGO_URL,
     WAREHOUSE_DB_URL point at external servers instead of starting ours`;

// The same variable the benches read the platform's env file by (bench/support/platform-env.ts); --data-dir wins.
const dataDir = resolve(values['data-dir'] ?? (process.env.ETICKET_PLATFORM_DATA_DIR || defaultDataDir));
const layout = dataLayout(dataDir);

async function up(): Promise<void> {
  const started = Date.now();
  const basePort = values['base-port'] !== undefined ? Number(values['base-port']) : basePortFromEnv(process.env);
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 64000) throw new Error(`bad base port ${values['base-port']}`);
  const aborter = new AbortController();
  const running: { handle?: PlatformHandle; search?: LocalSearch } = {};
  let stopping = false;
  const shutdown = async (why: string, exitCode = 0) => {
    if (stopping) {
      log(`${why} again: still stopping, please wait`);
      return;
    }
    stopping = true;
    const handle = running.handle;
    if (!handle) {
      log(`${why}: aborting start-up`);
      aborter.abort();
      return;
    }
    log(`${why}: stopping everything`);
    const t = Date.now();
    await running.search?.close();
    await handle.stop();
    log(`stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    process.exit(exitCode);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(sig));

  const handle = await startPlatform({
    dataDir, fresh: values.fresh, basePort, ports: portOverridesFromEnv(process.env), log, signal: aborter.signal,
  });
  running.handle = handle;
  if (values['with-search']) {
    try {
      running.search = await startLocalSearch(handle, basePort, log);
    } catch (error) {
      log(`search server failed: ${error instanceof Error ? error.message : String(error)}`);
      await shutdown('search start-up failure', 1);
      return;
    }
  }
  let services: StartedService[] = [];
  if (!values['infra-only']) {
    const specs = defaultServices(handle.env, basePort);
    const logstashUrl = running.search?.logstashUrl;
    if (logstashUrl !== undefined) for (const spec of specs) spec.env.LOGSTASH_URL = logstashUrl;
    const shown = (key: string, fallback: string) => `${key}=${process.env[key] ? '(from your environment)' : fallback}`;
    log(`services get ${shown('JWT_SECRET', DEV_JWT_SECRET)}, ${shown('INTERNAL_AUTH_SECRET', DEV_INTERNAL_AUTH_SECRET)}, ${shown('ADMIN_EMAIL', DEV_ADMIN_EMAIL)}, ${shown('ADMIN_PASSWORD', DEV_ADMIN_PASSWORD)}`);
    try {
      services = await startServices(handle, specs, log, aborter.signal);
    } catch (error) {
      log(`services failed: ${error instanceof Error ? error.message : String(error)}`);
      await shutdown('service start-up failure', 1);
      return;
    }
  }
  const status = await handle.status();
  const serviceRows: ComponentRow[] = services.map((s) => ({ component: `service ${s.spec.name}`, address: s.spec.healthUrl, healthy: true, status: `pid ${s.process.pid}` }));
  if (running.search !== undefined) {
    serviceRows.push({ component: 'search (OpenSearch)', address: running.search.searchUrl, healthy: true, status: 'logs in eticket-logs-*' });
    serviceRows.push({ component: 'log collector', address: running.search.logstashUrl, healthy: true, status: 'LOGSTASH_URL of every service' });
  }
  process.stdout.write(`\n${formatTable([...status.rows, ...serviceRows])}\n\n`);
  log(`env written to ${layout.envFile}; logs in ${layout.logs}`);
  log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; press Ctrl-C to stop`);
  // Say so when a component dies on its own; keep running so the others can be inspected.
  const reported = new Set<string>();
  setInterval(() => {
    if (stopping) return;
    for (const note of services.map((s) => s.process.deathNote())) {
      if (note && !reported.has(note)) {
        reported.add(note);
        log(`warning: ${note}`);
      }
    }
  }, 2000);
}

async function status(): Promise<void> {
  if (!existsSync(layout.envFile)) throw new Error(`no platform.env in ${dataDir}: is a platform running there? (tsx platform/src/cli.ts up)`);
  const supervisor = liveSupervisor(readPidsFile(layout.pidsFile));
  const result = await platformStatus(readEnvFile(layout.envFile));
  process.stdout.write(`${formatTable(result.rows)}\n`);
  log(`${result.healthy ? 'healthy' : 'NOT healthy'}; supervisor ${supervisor !== undefined ? `pid ${supervisor}` : 'not running'}`);
  process.exitCode = result.healthy ? 0 : 1;
}

async function down(): Promise<void> {
  const supervisor = liveSupervisor(readPidsFile(layout.pidsFile));
  if (supervisor !== undefined) {
    // The supervisor knows the stop order; let it do the work.
    log(`asking supervisor pid ${supervisor} to stop`);
    process.kill(supervisor, 'SIGTERM');
    if (!(await waitUntilDead([supervisor], 90_000))) log('supervisor did not exit in 90 s; stopping its processes directly');
  }
  const count = await stopRecorded(layout, log);
  log(supervisor === undefined && count === 0 ? `nothing running in ${dataDir}` : 'stopped');
}

/** kill/restart go through the running platform's control socket, so its supervisor stays the owner. */
async function drill(action: 'kill' | 'restart', name: string | undefined): Promise<void> {
  if (name === undefined) throw new Error(`${action} needs a process name; running: ${(await new PlatformControl(layout.controlSocket).processes().catch(() => [])).map((p) => p.name).join(', ')}`);
  const control = new PlatformControl(layout.controlSocket);
  if (!(await control.reachable())) throw new Error(`no running platform answers on ${layout.controlSocket}`);
  if (action === 'kill') await control.kill(name, 'SIGKILL');
  else await control.restart(name);
  log(`${action === 'kill' ? 'killed (SIGKILL)' : 'restarted'} ${name}`);
}

async function main(): Promise<void> {
  const command = positionals[0];
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command === 'up') return up();
  if (command === 'status') return status();
  if (command === 'down') return down();
  if (command === 'kill' || command === 'restart') return drill(command, positionals[1]);
  throw new Error(`unknown command ${command}\n${USAGE}`);
}

main().catch((error: unknown) => {
  const aborted = error instanceof Error && error.name === 'AbortError';
  process.stderr.write(`[platform] ${aborted ? 'start-up aborted' : `error: ${error instanceof Error ? error.message : String(error)}`}\n`);
  process.exit(aborted ? 130 : 1);
});
