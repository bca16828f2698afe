import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

// The load generator: an undici connection pool to the gateway, a recorder of
// latencies and statuses per kind of request, and two ways of offering load:
// an open model (a fixed arrival rate: a new session starts on schedule
// whether or not earlier ones finished, as buyers arriving at an on-sale do)
// and a closed one (N sessions back to back, used to find the most the system
// confirms).

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** How long the gateway held the request in the waiting room before it went on (Server-Timing queue;dur), ms. */
  readonly queuedMs: number;
}

/** The Server-Timing entries the bench reads, compiled once (two per answer, at up to ~500 answers/s). */
const TIMING_ENTRIES = {
  queue: /(?:^|,)\s*queue\s*;\s*dur=([\d.]+)/,
  total: /(?:^|,)\s*total\s*;\s*dur=([\d.]+)/,
} as const;

/** The `<name>;dur=<ms>` entry of a Server-Timing header (undefined without one). */
function timing(header: string | string[] | undefined, name: keyof typeof TIMING_ENTRIES): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  const match = value === undefined ? null : TIMING_ENTRIES[name].exec(value);
  return match === null ? undefined : Number(match[1]);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Latencies (ms) and statuses per request kind, and the times orders were confirmed. */
export class Recorder {
  /** As this generator saw them: the gateway's time, the network's and this process's own delays. */
  readonly latencies = new Map<string, number[]>();
  /** As the gateway timed them (Server-Timing total less queue): the system's own time, without this process's delays. */
  readonly gatewayLatencies = new Map<string, number[]>();
  readonly statuses = new Map<string, Map<number, number>>();
  readonly confirmedAt: number[] = [];
  readonly queueWaits: number[] = [];
  abandoned = 0;
  transportErrors = 0;

  record(kind: string, status: number, ms: number, gatewayMs?: number): void {
    push(this.latencies, kind, ms);
    if (gatewayMs !== undefined) push(this.gatewayLatencies, kind, gatewayMs);
    let counts = this.statuses.get(kind);
    if (counts === undefined) this.statuses.set(kind, (counts = new Map<number, number>()));
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
}

function push(lists: Map<string, number[]>, kind: string, value: number): void {
  let list = lists.get(kind);
  if (list === undefined) lists.set(kind, (list = []));
  list.push(value);
}

/** How a request is sent: `held` (a long poll, a POST that may wait in the room) goes over a pool of its own; `signal` abandons it (not recorded). */
export interface CallOptions {
  readonly held?: boolean;
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
}

interface RawAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export class Client {
  private readonly pool: Pool;
  /**
   * Held requests: each on a connection of its own, as every waiting buyer's browser has (held requests
   * sharing the pool of the orders would make orders wait for a free connection here, and that wait would
   * be measured as the system's latency), closed after its answer (`Connection: close`). Node's own HTTP
   * client, not undici: an undici Pool of thousands scans every busy connection for a free one on each
   * request (~4 % of the generator's busy CPU with ~6,000 buyers held), and an undici Client per request
   * builds an Error with its stack trace each time it is closed (~8 % in the profile of a 10 X run) —
   * CPU the generator takes from the system it measures, on the same two cores.
   */
  private readonly heldAgent = new HttpAgent({ keepAlive: false, maxSockets: Infinity });
  /** Held requests not yet answered: the buyers still waiting, who leave together at the run's end (`leave`). */
  private readonly waiting = new Set<ClientRequest>();
  private left = false;
  private readonly target: URL;

  constructor(origin: string, readonly recorder: Recorder) {
    this.pool = new Pool(origin, { connections: 512, pipelining: 1, keepAliveTimeout: 30_000 });
    this.target = new URL(origin);
  }

  private held(method: string, path: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const request = httpRequest({
        host: this.target.hostname,
        port: this.target.port,
        method,
        path,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: this.heldAgent,
        timeout: 30_000,
        ...(signal === undefined ? {} : { signal }),
      }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, text }));
        response.on('error', reject);
      });
      this.waiting.add(request);
      request.once('close', () => this.waiting.delete(request));
      request.on('error', reject);
      request.on('timeout', () => request.destroy(new Error('no answer within 30 s')));
      request.end(body);
    });
  }

  /**
   * One request; recorded under `kind` (or the kind its status makes it; status 0 for a transport error),
   * with its latency less the time the gateway says it held the request in the waiting room (the
   * latency of the admitted request, as if it had been sent at its admission). Status -1 (not recorded)
   * when abandoned through `options.signal`.
   */
  async call(kind: string | ((status: number) => string), method: 'GET' | 'POST', path: string, token?: string, body?: unknown, key?: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key !== undefined) headers['idempotency-key'] = key;
    const started = performance.now();
    try {
      const json = body === undefined ? undefined : JSON.stringify(body);
      let response: RawAnswer;
      if (options.held === true) {
        response = await this.held(method, path, headers, json, options.signal);
      } else {
        const extra = { ...(json === undefined ? {} : { body: json }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
        const answer = await this.pool.request({ method, path, headers, ...extra, headersTimeout: 30_000, bodyTimeout: 30_000 });
        response = { statusCode: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
      }
      const { text } = response;
      const queuedMs = timing(response.headers['server-timing'], 'queue') ?? 0;
      const gatewayMs = timing(response.headers['server-timing'], 'total');
      const recordedKind = typeof kind === 'string' ? kind : kind(response.statusCode);
      const atGateway = gatewayMs === undefined ? undefined : gatewayMs - queuedMs;
      this.recorder.record(recordedKind, response.statusCode, performance.now() - started - queuedMs, atGateway);
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        // not JSON: status alone
      }
      return { status: response.statusCode, body: parsed, queuedMs };
    } catch {
      if (options.signal?.aborted === true || (options.held === true && this.left)) return { status: -1, body: {}, queuedMs: 0 };
      this.recorder.transportErrors += 1;
      this.recorder.record(typeof kind === 'string' ? kind : kind(0), 0, performance.now() - started);
      return { status: 0, body: {}, queuedMs: 0 };
    }
  }

  /**
   * The run is over: every buyer still held hangs up (their requests answer status -1, not recorded). A real
   * buyer's hold ends 20 s after their own arrival, so in an on-sale the ends are spread over time; ending
   * the holds with the run instead would answer every queued buyer of a 10 X run in its last second, a
   * burst no on-sale has, inside the window that is measured.
   */
  leave(): void {
    this.left = true;
    for (const request of this.waiting) request.destroy();
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.heldAgent.destroy();
    await this.pool.close();
  }
}

/**
 * Starts `session(i)` at a fixed rate for `seconds`, on schedule (a late tick
 * starts every session that was due), then waits for the sessions to end.
 * Sessions are told the end time and stop waiting in a queue after it.
 */
export async function openModel(ratePerSecond: number, seconds: number, session: (i: number, endsAt: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const endsAt = started + seconds * 1000;
  const running = new Set<Promise<void>>();
  let launched = 0;
  while (performance.now() < endsAt) {
    const due = Math.floor(((performance.now() - started) / 1000) * ratePerSecond);
    while (launched < due) {
      const run = session(launched, endsAt).finally(() => running.delete(run));
      running.add(run);
      launched += 1;
    }
    await sleep(2);
  }
  await Promise.all(running);
}

/** `concurrency` sessions back to back for `seconds`. */
export async function closedModel(concurrency: number, seconds: number, session: (i: number, endsAt: number) => Promise<void>): Promise<void> {
  const endsAt = performance.now() + seconds * 1000;
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < endsAt) {
      next += 1;
      await session(next, endsAt);
    }
  }));
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
