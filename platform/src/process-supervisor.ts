// A minimal process supervisor on node:child_process.spawn. Small enough to
// own: we need exactly spawn-as-another-user (uid/gid, so the pid we track IS
// the server's, unlike `runuser` which forks), log-to-file, own process group
// per child (so Ctrl-C in the terminal reaches only the CLI, which then stops
// things in order), and SIGTERM-then-SIGKILL on stop. A dependency would add
// features we do not need and hide the pids we must account for.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { RunAs } from './os-user';
import { descendantsOf, isAlive, signalGroup, terminate, waitUntilDead } from './proc';

export interface SpawnSpec {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  runAs?: RunAs;
  /** SIGTERM unless the program wants another (PostgreSQL: SIGINT = fast shutdown). */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /**
   * Pids that belong to this component but live outside its process group:
   * Patroni starts the postmaster in a session of its own so it survives a
   * Patroni crash. They are stopped after the main process if still alive.
   */
  companions?: () => number[];
  companionStopSignal?: NodeJS.Signals;
  /** When set, output is piped through this (line by line) as well as logged. */
  onLine?: (line: string) => void;
  /**
   * Runs before `Supervisor.restart` starts the process again, e.g. a ring
   * node asks Sentinel who the primary is now and rejoins as its replica.
   */
  beforeRestart?: () => Promise<void>;
}

/** One line of `Supervisor.describe()`, also what the control socket answers. */
export interface ProcessInfo {
  name: string;
  pid: number;
  running: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly command: string;
  readonly logFile: string;
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;
  private stopping: Promise<void> | undefined;

  constructor(child: ChildProcess, readonly spec: SpawnSpec, logFile: string) {
    if (child.pid === undefined) throw new Error(`${spec.name}: cannot start ${spec.command} (not installed? run bash platform/bootstrap.sh)`);
    this.name = spec.name;
    this.pid = child.pid;
    this.command = [spec.command, ...spec.args].join(' ');
    this.logFile = logFile;
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolveExit(this.exitInfo);
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** undefined while running, else a one-line reason naming the log file. */
  deathNote(): string | undefined {
    if (!this.exitInfo) return undefined;
    const how = this.exitInfo.signal ? `signal ${this.exitInfo.signal}` : `code ${this.exitInfo.code}`;
    return `${this.name} exited with ${how}; see ${this.logFile}`;
  }

  companionPids(): number[] {
    return (this.spec.companions?.() ?? []).filter(isAlive);
  }

  /** Live pids of this component: the main process and its companions. */
  pids(): number[] {
    return [...(this.running ? [this.pid] : []), ...this.companionPids()];
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /**
   * A crash on purpose (failover drills): `signal` to the whole group and to
   * its companions with all their descendants, then wait for the exit
   * (SIGSTOP/SIGCONT: freeze and thaw, no wait). Unlike stop() there is no
   * grace period. A Patroni node's postmaster lives in a session of its own;
   * the node is only "lost", as with a dead machine, when it goes too (a
   * postmaster that outlived its Patroni would still take writes from anyone
   * connected to it directly), and only frozen when its walreceiver is.
   */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 5000): Promise<void> {
    if (!this.running) return;
    // Read first: once Patroni is gone nothing else names the postmaster. Each PostgreSQL child
    // (backends, walreceiver, ...) calls setsid(), so neither the postmaster's group nor its
    // session holds them: they are found as its descendants and signalled one by one, all at
    // once with the postmaster (a frozen node must not keep streaming through its walreceiver).
    const companions = this.companionPids();
    const members = companions.flatMap((pid) => [pid, ...descendantsOf(pid)]);
    signalGroup(this.pid, signal);
    for (const pid of members) signalGroup(pid, signal);
    // A freeze (SIGSTOP) or thaw (SIGCONT) ends nothing: there is no exit to wait for.
    if (signal === 'SIGSTOP' || signal === 'SIGCONT') return;
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<false>((r) => {
        timer = setTimeout(() => r(false), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!exited) throw new Error(`${this.name} (pid ${this.pid}) did not exit ${timeoutMs} ms after ${signal}`);
    if (signal === 'SIGKILL' && !(await waitUntilDead(members, timeoutMs))) {
      throw new Error(`${this.name}: companions ${members.filter(isAlive).join(', ')} still alive ${timeoutMs} ms after SIGKILL`);
    }
  }

  private async doStop(): Promise<void> {
    // Read companions first: once Patroni is gone nothing else knows the postmaster pid.
    const companionsBefore = this.companionPids();
    if (this.running) {
      signalGroup(this.pid, this.spec.stopSignal ?? 'SIGTERM');
      const timeout = this.spec.stopTimeoutMs ?? 10_000;
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([
        this.exited.then(() => true),
        new Promise<false>((r) => {
          timer = setTimeout(() => r(false), timeout);
        }),
      ]);
      // A pending timer would keep a caller's event loop (e.g. vitest's) alive for its full length.
      clearTimeout(timer);
      if (!done) {
        signalGroup(this.pid, 'SIGKILL');
        // Poll rather than only await 'exit': an unref'd child alone would not keep the loop alive.
        await waitUntilDead([this.pid], 5000);
      }
    }
    // Members of our group may outlive the leader for a moment (or forever if they ignore TERM).
    signalGroup(this.pid, 'SIGKILL');
    const companions = [...new Set([...companionsBefore, ...this.companionPids()])];
    await terminate(companions, this.spec.companionStopSignal ?? 'SIGTERM', 10_000);
    await waitUntilDead(companions, 1000);
  }
}

export interface SupervisorOptions {
  logDir: string;
  /** Called after every spawn, e.g. to rewrite pids.json so even a crash mid-start leaves a record. */
  onChange?: () => void;
}

export class Supervisor {
  private readonly processes: ManagedProcess[] = [];

  constructor(private readonly options: SupervisorOptions) {}

  spawn(spec: SpawnSpec): ManagedProcess {
    const managed = this.start(spec);
    this.processes.push(managed);
    this.options.onChange?.();
    return managed;
  }

  /** The current process of that name (after a restart: the new one). */
  find(name: string): ManagedProcess | undefined {
    return this.processes.find((p) => p.name === name);
  }

  describe(): ProcessInfo[] {
    return this.processes.map((p) => ({ name: p.name, pid: p.pid, running: p.running }));
  }

  /**
   * Stops the named process if it still runs, then starts it again from the
   * same spec (after its beforeRestart hook). The new process takes the old
   * one's place, so stop order and pids.json stay right.
   */
  async restart(name: string): Promise<ManagedProcess> {
    const index = this.processes.findIndex((p) => p.name === name);
    const old = this.processes[index];
    if (old === undefined) throw new Error(`no process named ${name}`);
    if (old.running) await old.stop();
    await old.spec.beforeRestart?.();
    const fresh = this.start(old.spec);
    this.processes[index] = fresh;
    this.options.onChange?.();
    return fresh;
  }

  private start(spec: SpawnSpec): ManagedProcess {
    const logFile = join(this.options.logDir, `${spec.name}.log`);
    const env = { ...(spec.env ?? process.env) };
    if (spec.runAs) {
      env.HOME = spec.runAs.home;
      env.USER = spec.runAs.user;
      env.LOGNAME = spec.runAs.user;
    }
    let child: ChildProcess;
    let stream: WriteStream | undefined;
    if (spec.onLine) {
      stream = createWriteStream(logFile, { flags: 'a' });
      child = spawn(spec.command, spec.args, {
        cwd: spec.cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
        ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
      });
      const onLine = spec.onLine;
      for (const output of [child.stdout, child.stderr]) {
        if (!output) continue;
        createInterface({ input: output }).on('line', (line) => {
          stream?.write(`${line}\n`);
          onLine(line);
        });
      }
      child.once('exit', () => stream?.end());
    } else {
      // Hand the log file to the child directly: output keeps flowing even if
      // this process dies, and no pipe can fill up and block the server.
      const fd = openSync(logFile, 'a');
      try {
        child = spawn(spec.command, spec.args, {
          cwd: spec.cwd, env, detached: true, stdio: ['ignore', fd, fd],
          ...(spec.runAs ? { uid: spec.runAs.uid, gid: spec.runAs.gid } : {}),
        });
      } finally {
        closeSync(fd);
      }
    }
    // Without a listener a failed exec (ENOENT, EACCES) would be an uncaught
    // 'error' event; the missing pid below reports it instead.
    child.once('error', () => undefined);
    // The supervisor must not be what keeps its owner's event loop alive (a
    // vitest run that leaves the platform up must still exit); 'exit' events
    // still arrive while the owner runs, and `up` keeps itself alive.
    child.unref();
    return new ManagedProcess(child, spec, logFile);
  }

  notifyChange(): void {
    this.options.onChange?.();
  }

  list(): readonly ManagedProcess[] {
    return this.processes;
  }

  pids(): number[] {
    return this.processes.flatMap((p) => p.pids());
  }

  /** Stops groups in order; processes within one group stop concurrently. */
  async stopInOrder(groups: Array<readonly ManagedProcess[]>): Promise<void> {
    const seen = new Set<ManagedProcess>();
    for (const group of groups) {
      await Promise.all(group.map((p) => {
        seen.add(p);
        return p.stop();
      }));
    }
    // Anything not named in the order (should not happen) goes last, together.
    await Promise.all(this.processes.filter((p) => !seen.has(p)).map((p) => p.stop()));
    this.options.onChange?.();
  }
}
