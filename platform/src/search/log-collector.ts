// A local stand-in for Logstash: accepts the services' JSON lines on a TCP
// port (what LOGSTASH_URL points at) and bulk-indexes them into the local
// search server, one index per day (`eticket-logs-YYYY.MM.DD`, as the
// Compose pipeline names them). Logstash itself is not published on any
// registry this project can use; this is the part of it a developer needs.
// Bounded like the services' shipper: beyond MAX_QUEUED documents waiting
// for the search server, lines are dropped and counted.
import { createServer, type Server, type Socket } from 'node:net';

const MAX_QUEUED = 50_000;
const BATCH = 2_000;
const FLUSH_MS = 250;

/** Fields searched for exactly (by trace id, by service): keywords, not analysed text. */
const TEMPLATE = {
  index_patterns: ['eticket-logs-*'],
  template: {
    settings: { number_of_shards: 1, number_of_replicas: 0 },
    mappings: {
      properties: {
        '@timestamp': { type: 'date' },
        'message': { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
        'log': { properties: { level: { type: 'keyword' } } },
        'service': { properties: { name: { type: 'keyword' }, node: { properties: { name: { type: 'keyword' } } } } },
        'trace': { properties: { id: { type: 'keyword' } } },
        'span': { properties: { id: { type: 'keyword' } } },
      },
    },
  },
};

export interface CollectorStats {
  readonly received: number;
  readonly indexed: number;
  readonly dropped: number;
  readonly failedBatches: number;
  /** Why the last refused document was refused (a mapping conflict, a malformed line). */
  readonly lastError?: string;
}

export class LogCollector {
  private readonly queue: string[] = [];
  private readonly sockets = new Set<Socket>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private stats_: { -readonly [K in keyof CollectorStats]: CollectorStats[K] } = { received: 0, indexed: 0, dropped: 0, failedBatches: 0 };

  private constructor(private readonly server: Server, readonly port: number, private readonly searchUrl: string) {}

  /** Listens on 127.0.0.1:`port` (0: any free port) after installing the index template. */
  static async start(searchUrl: string, port = 0): Promise<LogCollector> {
    const response = await fetch(`${searchUrl}/_index_template/eticket-logs`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEMPLATE) });
    if (!response.ok) throw new Error(`index template refused: ${response.status} ${await response.text()}`);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const collector = new LogCollector(server, (server.address() as { port: number }).port, searchUrl);
    server.on('connection', (socket) => collector.accept(socket));
    collector.timer = setInterval(() => void collector.flush(), FLUSH_MS);
    collector.timer.unref();
    return collector;
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  stats(): CollectorStats {
    return { ...this.stats_ };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
    await this.flush();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    let pending = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        this.take(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private take(line: string): void {
    if (line.trim() === '') return;
    this.stats_.received += 1;
    if (this.queue.length >= MAX_QUEUED) {
      this.stats_.dropped += 1;
      return;
    }
    this.queue.push(line);
  }

  /** One bulk request at a time; a failed batch is counted and dropped (a collector must not pile up). */
  private async flush(): Promise<void> {
    if (this.flushing !== undefined) return this.flushing;
    this.flushing = (async () => {
      while (this.queue.length > 0) {
        const lines = this.queue.splice(0, BATCH);
        const body = lines.map((line) => `${JSON.stringify({ index: { _index: indexFor(line) } })}\n${asDocument(line)}\n`).join('');
        try {
          const response = await fetch(`${this.searchUrl}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body, signal: AbortSignal.timeout(10_000) });
          const result = (await response.json()) as { errors?: boolean; items?: Array<{ index?: { status?: number; error?: unknown } }> };
          const ok = (result.items ?? []).filter((item) => (item.index?.status ?? 500) < 300).length;
          const refused = (result.items ?? []).find((item) => item.index?.error !== undefined);
          if (refused !== undefined) this.stats_.lastError = JSON.stringify(refused.index?.error).slice(0, 500);
          this.stats_.indexed += ok;
          this.stats_.dropped += lines.length - ok;
        } catch {
          this.stats_.failedBatches += 1;
          this.stats_.dropped += lines.length;
        }
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }
}

/** The day of the line's own timestamp (UTC), as Logstash's `%{+YYYY.MM.dd}` would name it. */
function indexFor(line: string): string {
  const stamp = /"@timestamp":"(\d{4})-(\d{2})-(\d{2})/.exec(line);
  const [year, month, day] = stamp === null ? new Date().toISOString().slice(0, 10).split('-') : stamp.slice(1);
  return `eticket-logs-${year}.${month}.${day}`;
}

/** A JSON line as is; anything else (a crash before the logger existed) as a message. */
function asDocument(line: string): string {
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return line;
  } catch {
    // not JSON
  }
  return JSON.stringify({ '@timestamp': new Date().toISOString(), 'message': line, 'tags': ['not_json'] });
}
