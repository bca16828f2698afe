// Unix socket folder for the PostgreSQL servers. Sockets live in the data
// folder (the default /var/run/postgresql may not be writable), unless the
// path would exceed the kernel's 107-byte limit for socket paths: then TCP
// only (Patroni and our clients use TCP anyway).
import { mkdirSync } from 'node:fs';
import { giveTo, type RunAs } from '../os-user';

export function socketDir(runDir: string, runAs: RunAs | undefined): string {
  // ".s.PGSQL.NNNNN.lock" is the longest name PostgreSQL puts there.
  if (Buffer.byteLength(`${runDir}/.s.PGSQL.65535.lock`) > 107) return '';
  mkdirSync(runDir, { recursive: true });
  giveTo(runDir, runAs);
  return runDir;
}
