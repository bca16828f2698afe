// PostgreSQL (and so Patroni) refuses to run as root, and CI runs as root.
// When we are root, etcd, Patroni and PostgreSQL run as the `postgres` OS user
// (created by Debian's postgresql-common) and get their folders chowned to it.
import { chmodSync, chownSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunAs {
  uid: number;
  gid: number;
  user: string;
  home: string;
}

function lookupUser(name: string): RunAs | undefined {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { user, uid: Number(uid), gid: Number(gid), home: home ?? '/' };
    }
  }
  return undefined;
}

/**
 * The identity to run database processes as: `postgres` when we are root,
 * undefined (= ourselves) otherwise.
 */
export function databaseUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = lookupUser(process.env.ETICKET_DB_OS_USER ?? 'postgres');
  if (!user) {
    throw new Error('running as root but there is no `postgres` OS user; install postgresql-15 (bash platform/bootstrap.sh) or set ETICKET_DB_OS_USER');
  }
  return user;
}

/** chown when we run as someone else; a no-op for a non-root run. */
export function giveTo(path: string, runAs: RunAs | undefined): void {
  if (runAs) chownSync(path, runAs.uid, runAs.gid);
}

function canTraverse(path: string, runAs: RunAs): boolean {
  const st = statSync(path);
  if (st.uid === runAs.uid) return (st.mode & 0o100) !== 0;
  if (st.gid === runAs.gid) return (st.mode & 0o010) !== 0;
  return (st.mode & 0o001) !== 0;
}

/**
 * The database user must be able to reach the data folder. A checkout under
 * /root (mode 700) is the usual trap: add the search bit (o+x, not read) on
 * each ancestor that lacks it, and say so.
 */
export function ensureTraversable(dir: string, runAs: RunAs | undefined, log: (line: string) => void): void {
  if (!runAs) return;
  let current = dir;
  for (;;) {
    if (!canTraverse(current, runAs)) {
      const mode = statSync(current).mode & 0o7777;
      chmodSync(current, mode | 0o001);
      log(`note: added o+x to ${current} so the ${runAs.user} user can reach the data folder`);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
