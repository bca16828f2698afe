// What every component starter gets: where to put data, which ports, who to
// run as, and the supervisor that owns the processes.
import type { RunAs } from '../os-user';
import type { DataLayout } from '../paths';
import type { PortMap } from '../ports';
import type { Supervisor } from '../process-supervisor';

export interface ComponentContext {
  layout: DataLayout;
  ports: PortMap;
  supervisor: Supervisor;
  /** The database OS user when we are root; undefined = run as ourselves. */
  runAs: RunAs | undefined;
  log: (line: string) => void;
  signal: AbortSignal | undefined;
}

export const LOOPBACK = '127.0.0.1';
