// bench:failover's database write stream: workers INSERTing one row each,
// through HAProxy's write port, with the User Service's own pool and query
// code (store/db.ts: bounded connects and statements, broken connections
// discarded, a commit the synchronous standby did not confirm reported as a
// failure). A row counts as acknowledged only when its INSERT returned.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@eticket/logging';
import { createDatabase, query, type Database } from '../services/user/src/store/db';

interface Attempt {
  readonly startedAt: number;
  readonly endedAt: number;
  readonly ok: boolean;
}

export class InsertStream {
  readonly acknowledged: string[] = [];
  private readonly attempts: Attempt[] = [];
  private running = true;
  private workers: Promise<void>[] = [];

  private constructor(private readonly db: Database) {}

  static async start(url: string, workers: number, pauseMs: number): Promise<InsertStream> {
    const logger = createLogger({ service: 'bench', instance: 'failover-writes', level: 'silent' });
    const db = createDatabase({ writeUrl: url, readUrl: url, poolSize: workers, applicationName: 'bench-failover', logger });
    await query(db.write, 'CREATE TABLE IF NOT EXISTS failover_probe (id uuid PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())');
    const stream = new InsertStream(db);
    stream.workers = Array.from({ length: workers }, () => stream.loop(pauseMs));
    return stream;
  }

  private async loop(pauseMs: number): Promise<void> {
    while (this.running) {
      const id = randomUUID();
      const startedAt = Date.now();
      let ok = true;
      try {
        await query(this.db.write, 'INSERT INTO failover_probe (id) VALUES ($1)', [id]);
        this.acknowledged.push(id);
      } catch {
        ok = false;
      }
      this.attempts.push({ startedAt, endedAt: Date.now(), ok });
      await sleep(pauseMs);
    }
  }

  /** From `killedAt` until the first INSERT sent after it succeeded; undefined while none has. */
  recoveryMs(killedAt: number): number | undefined {
    const first = this.attempts.filter((a) => a.ok && a.startedAt >= killedAt).sort((a, b) => a.endedAt - b.endedAt)[0];
    return first === undefined ? undefined : first.endedAt - killedAt;
  }

  failed(since: number): Attempt[] {
    return this.attempts.filter((a) => !a.ok && a.startedAt >= since);
  }

  /** Acknowledged rows the current primary does not have (retried while it is unreachable). */
  async missing(): Promise<number> {
    const ids = [...this.acknowledged];
    for (let attempt = 0; ; attempt += 1) {
      try {
        let found = 0;
        for (let i = 0; i < ids.length; i += 5_000) {
          const [row] = await query<{ n: string }>(this.db.write, 'SELECT count(*) AS n FROM failover_probe WHERE id = ANY($1::uuid[])', [ids.slice(i, i + 5_000)]);
          found += Number(row?.n ?? 0);
        }
        return ids.length - found;
      } catch (error) {
        if (attempt >= 50) throw error;
        await sleep(200);
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
