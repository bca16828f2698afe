// pids.json: which processes a platform started, so `down` (from another
// shell) and the next `up` can stop leftovers even if the supervisor died.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { allPostmasterPids } from './components/pg-files';
import type { DataLayout } from './paths';
import { commandLine, isAlive, terminate, waitUntilDead } from './proc';

export interface PidRecord {
  name: string;
  pid: number;
  command: string;
  companions: number[];
}

export interface PidsFile {
  supervisorPid: number;
  supervisorCommand: string;
  dataDir: string;
  updatedAt: string;
  processes: PidRecord[];
}

export function writePidsFile(path: string, content: PidsFile): void {
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`);
}

function isPidRecord(value: unknown): value is PidRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<PidRecord>;
  return typeof v.name === 'string' && typeof v.pid === 'number' && typeof v.command === 'string' && Array.isArray(v.companions);
}

export function readPidsFile(path: string): PidsFile | undefined {
  if (!existsSync(path)) return undefined;
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof raw !== 'object' || raw === null) return undefined;
  const v = raw as Partial<PidsFile>;
  if (typeof v.supervisorPid !== 'number' || !Array.isArray(v.processes)) return undefined;
  return {
    supervisorPid: v.supervisorPid,
    supervisorCommand: typeof v.supervisorCommand === 'string' ? v.supervisorCommand : '',
    dataDir: typeof v.dataDir === 'string' ? v.dataDir : '',
    updatedAt: typeof v.updatedAt === 'string' ? v.updatedAt : '',
    processes: v.processes.filter(isPidRecord),
  };
}

/** A recorded pid is ours only if it still runs the recorded program (pids get reused). */
function stillOurs(record: PidRecord): boolean {
  const program = basename(record.command.split(' ')[0] ?? '');
  return isAlive(record.pid) && program !== '' && commandLine(record.pid).includes(program);
}

/** The supervisor is alive and is another process than us. */
export function liveSupervisor(file: PidsFile | undefined): number | undefined {
  if (!file || file.supervisorPid === process.pid || !isAlive(file.supervisorPid)) return undefined;
  const cmd = commandLine(file.supervisorPid);
  return file.supervisorCommand !== '' && cmd === file.supervisorCommand ? file.supervisorPid : undefined;
}

/**
 * Stops every recorded process (and any postmaster found in the data folder)
 * that is still alive: services and servers first, then postmasters (SIGINT =
 * fast shutdown), etcd last because Patroni talks to it while stopping.
 */
export async function stopRecorded(layout: DataLayout, log: (line: string) => void): Promise<number> {
  const file = readPidsFile(layout.pidsFile);
  const records = (file?.processes ?? []).filter(stillOurs);
  const postmasters = [...new Set([...allPostmasterPids(layout), ...(file?.processes ?? []).flatMap((r) => r.companions)])].filter(isAlive);
  const etcd = records.filter((r) => r.name === 'etcd').map((r) => r.pid);
  const others = records.filter((r) => r.name !== 'etcd').map((r) => r.pid);
  const count = etcd.length + others.length + postmasters.length;
  if (count > 0) log(`stopping ${count} leftover process(es) recorded in ${layout.pidsFile}`);
  await terminate(others, 'SIGTERM', 15_000);
  await terminate(postmasters.filter(isAlive), 'SIGINT', 10_000);
  await terminate(etcd, 'SIGTERM', 10_000);
  await waitUntilDead([...etcd, ...others, ...postmasters], 2000);
  return count;
}
