// Facts read from PostgreSQL data folders. The postmaster.pid file is how we
// find a postmaster that Patroni started in its own session.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataLayout } from '../paths';

export function postmasterPid(pgdata: string): number | undefined {
  try {
    const first = readFileSync(join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0];
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Data folders of every PostgreSQL we may have started under this layout. */
export function pgDataDirs(layout: DataLayout): string[] {
  const dirs = [join(layout.warehouse, 'pgdata')];
  if (existsSync(layout.patroni)) {
    for (const node of readdirSync(layout.patroni)) dirs.push(join(layout.patroni, node, 'pgdata'));
  }
  return dirs;
}

export function allPostmasterPids(layout: DataLayout): number[] {
  return pgDataDirs(layout).map(postmasterPid).filter((pid): pid is number => pid !== undefined);
}
