// Where things live on disk: the repository, the default data folder and the
// binaries the runner starts. One module so every component agrees.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (platform/src/ is two levels below it). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Default data folder of `up`; gitignored through `.data/`. */
export const defaultDataDir = join(repoRoot, '.data', 'platform');

/** Debian's PostgreSQL 15 server binaries (postgresql-15 package). */
export const pgBinDir = process.env.ETICKET_PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';

/** Cache folder shared with platform/bootstrap.sh, which builds the FerretDB launcher into it. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.ETICKET_CACHE_DIR ?? join(env.HOME ?? homedir(), '.cache', 'e-ticket');
}

export function ferretdbLauncherPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.FERRETDB_LAUNCHER ?? join(cacheDir(env), 'bin', 'ferretdb-launcher');
}

/** Layout of one data folder. Everything the platform writes stays below `root`. */
export function dataLayout(root: string) {
  return {
    root,
    envFile: join(root, 'platform.env'),
    pidsFile: join(root, 'pids.json'),
    logs: join(root, 'logs'),
    run: join(root, 'run'),
    etcd: join(root, 'etcd'),
    patroni: join(root, 'patroni'),
    haproxy: join(root, 'haproxy'),
    warehouse: join(root, 'warehouse'),
    redis: join(root, 'redis'),
    redisRing: join(root, 'redis-ring'),
    sentinel: join(root, 'sentinel'),
    /** Unix socket of the running platform's control API (processes, kill, restart). */
    controlSocket: join(root, 'control.sock'),
    ferretdb: join(root, 'ferretdb'),
  } as const;
}

export type DataLayout = ReturnType<typeof dataLayout>;
