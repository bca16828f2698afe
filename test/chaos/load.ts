import { Agent } from 'undici';

export interface LoadResult {
  readonly total: number;
  /** Network errors and answers other than the expected status. */
  readonly failed: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly seconds: number;
}

export interface Load {
  /** Stops the workers after their current request and summarises every request made. */
  stop(): Promise<LoadResult>;
  /** Requests completed so far. */
  completed(): number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * A steady closed-loop load: `concurrency` workers, each sending the next
 * request as soon as the last one is answered, over keep-alive connections
 * (as browsers and API clients do). Every request's status and latency is
 * kept. `maxMs` bounds it even if a test forgets to stop it.
 */
export function startLoad(url: string, options: { concurrency: number; expectStatus?: number; maxMs?: number }): Load {
  const agent = new Agent({ connections: options.concurrency, keepAliveTimeout: 10_000 });
  const latencies: number[] = [];
  const byStatus: Record<string, number> = {};
  let failed = 0;
  let stopping = false;
  const started = performance.now();
  const expected = options.expectStatus ?? 200;
  const hardStop = setTimeout(() => {
    stopping = true;
  }, options.maxMs ?? 120_000);
  const worker = async (): Promise<void> => {
    while (!stopping) {
      const t0 = performance.now();
      let status = 'error';
      try {
        const response = await agent.request({ origin: new URL(url).origin, path: new URL(url).pathname + new URL(url).search, method: 'GET', headersTimeout: 30_000, bodyTimeout: 30_000 });
        await response.body.text();
        status = String(response.statusCode);
      } catch (error) {
        status = `error ${(error as { code?: string }).code ?? (error as Error).message}`;
      }
      latencies.push(performance.now() - t0);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status !== String(expected)) failed += 1;
    }
  };
  const workers = Array.from({ length: options.concurrency }, () => worker());
  return {
    completed: () => latencies.length,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      clearTimeout(hardStop);
      await agent.close();
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        total: sorted.length,
        failed,
        byStatus,
        p50: Math.round(percentile(sorted, 50)),
        p99: Math.round(percentile(sorted, 99)),
        max: Math.round(sorted.at(-1) ?? 0),
        seconds: Math.round((performance.now() - started) / 100) / 10,
      };
    },
  };
}
