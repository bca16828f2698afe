// The running platform's control API on a Unix socket in its data folder
// (<dataDir>/control.sock): list processes, crash one on purpose, restart one.
// It exists for failover tests: vitest's globalSetup owns the platform handle
// but the test files run in worker processes, and a test that SIGKILLs a
// Redis master must be able to bring it back through the supervisor (a
// process the test started itself would be unknown to stop() and outlive the
// platform). `cli restart NAME` uses it too. A socket file, not a TCP port:
// only local users with access to the data folder can reach it.
import { existsSync, rmSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ProcessInfo } from './process-supervisor';

export interface ControlHandlers {
  processes(): ProcessInfo[];
  kill(name: string, signal: NodeJS.Signals): Promise<void>;
  restart(name: string): Promise<void>;
}

const SIGNALS = new Set<string>(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGSTOP', 'SIGCONT']);

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function route(handlers: ControlHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://control');
  const name = url.searchParams.get('name') ?? '';
  if (req.method === 'GET' && url.pathname === '/processes') return reply(res, 200, handlers.processes());
  if (req.method === 'POST' && url.pathname === '/kill') {
    const signal = url.searchParams.get('signal') ?? 'SIGKILL';
    if (!SIGNALS.has(signal)) return reply(res, 400, { error: `signal ${signal} not allowed` });
    await handlers.kill(name, signal as NodeJS.Signals);
    return reply(res, 200, { killed: name, signal });
  }
  if (req.method === 'POST' && url.pathname === '/restart') {
    await handlers.restart(name);
    return reply(res, 200, { restarted: name });
  }
  return reply(res, 404, { error: `${req.method ?? '?'} ${url.pathname}: not a control route` });
}

export async function startControlServer(socketPath: string, handlers: ControlHandlers): Promise<Server> {
  // A socket file left by a platform that was killed would make listen() fail with EADDRINUSE.
  if (existsSync(socketPath)) rmSync(socketPath, { force: true });
  const server = createServer((req, res) => {
    route(handlers, req, res).catch((error: unknown) => reply(res, 500, { error: error instanceof Error ? error.message : String(error) }));
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(socketPath, () => resolveListen());
  });
  // Like the supervisor's children: never what keeps the owner's event loop alive.
  server.unref();
  return server;
}

export async function stopControlServer(server: Server, socketPath: string): Promise<void> {
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  rmSync(socketPath, { force: true });
}

/** Client side, for test workers and `cli restart`. Every call fails with the server's message. */
export class PlatformControl {
  constructor(readonly socketPath: string) {}

  processes(): Promise<ProcessInfo[]> {
    return this.call('GET', '/processes') as Promise<ProcessInfo[]>;
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.call('POST', `/kill?name=${encodeURIComponent(name)}&signal=${signal}`);
  }

  async restart(name: string): Promise<void> {
    await this.call('POST', `/restart?name=${encodeURIComponent(name)}`);
  }

  /** True when a platform answers on the socket (a leftover file of a dead one does not). */
  async reachable(): Promise<boolean> {
    if (!existsSync(this.socketPath)) return false;
    return this.processes().then(() => true, () => false);
  }

  private call(method: string, path: string, timeoutMs = 60_000): Promise<unknown> {
    return new Promise((resolveCall, rejectCall) => {
      const req = request({ socketPath: this.socketPath, method, path, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          try {
            const parsed: unknown = JSON.parse(body);
            if ((res.statusCode ?? 500) >= 400) {
              const message = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String(parsed.error) : body;
              rejectCall(new Error(`platform control ${method} ${path}: ${message}`));
            } else {
              resolveCall(parsed);
            }
          } catch (error) {
            rejectCall(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`platform control ${method} ${path}: no answer in ${timeoutMs} ms`)));
      req.on('error', rejectCall);
      req.end();
    });
  }
}
