import { randomUUID } from 'node:crypto';

// Steady traffic through the gateway while servers die: buyers placing
// one-seat orders (each with a fresh Idempotency-Key) and anonymous event
// reads, every attempt recorded with its start, end and answer, so a test
// can compute when writes stopped and resumed and which orders were
// acknowledged.

export interface Attempt {
  readonly startedAt: number;
  readonly endedAt: number;
  /** HTTP status; 0 when no answer came (connection refused, reset, timed out). */
  readonly status: number;
  readonly code: string | undefined;
  /** The order's id, for an acknowledged (201) order. */
  readonly orderId: string | undefined;
}

export interface Buyer {
  readonly userId: string;
  readonly token: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

abstract class Stream {
  readonly attempts: Attempt[] = [];
  private running = false;
  private workers: Promise<void>[] = [];

  constructor(private readonly concurrency: number, private readonly pauseMs: number) {}

  start(): this {
    this.running = true;
    this.workers = Array.from({ length: this.concurrency }, (_unused, worker) => this.loop(worker));
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  protected abstract once(worker: number, sequence: number): Promise<Omit<Attempt, 'startedAt' | 'endedAt'>>;

  private async loop(worker: number): Promise<void> {
    for (let sequence = 0; this.running; sequence += 1) {
      const startedAt = Date.now();
      let outcome: Omit<Attempt, 'startedAt' | 'endedAt'>;
      try {
        outcome = await this.once(worker, sequence);
      } catch {
        outcome = { status: 0, code: undefined, orderId: undefined };
      }
      this.attempts.push({ startedAt, endedAt: Date.now(), ...outcome });
      await sleep(this.pauseMs);
    }
  }

  between(from: number, to = Number.POSITIVE_INFINITY): Attempt[] {
    return this.attempts.filter((attempt) => attempt.startedAt >= from && attempt.startedAt < to);
  }

  failed(from = 0, to = Number.POSITIVE_INFINITY): Attempt[] {
    return this.between(from, to).filter((attempt) => attempt.status < 200 || attempt.status >= 300);
  }

  /** Status (and error code) counts, e.g. { "201": 130, "503 UPSTREAM_UNAVAILABLE": 12 }. */
  summary(from = 0, to = Number.POSITIVE_INFINITY): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const attempt of this.between(from, to)) {
      const key = attempt.code === undefined ? String(attempt.status) : `${attempt.status} ${attempt.code}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }
}

/** Orders for one seat each, round-robin over the buyers (the gateway limits requests per user). */
export class OrderStream extends Stream {
  constructor(private readonly gatewayUrl: string, private readonly eventId: string, private readonly buyers: readonly Buyer[], concurrency = 4, pauseMs = 50) {
    super(concurrency, pauseMs);
  }

  acknowledged(): string[] {
    return this.attempts.filter((attempt) => attempt.status === 201 && attempt.orderId !== undefined).map((attempt) => attempt.orderId!);
  }

  protected async once(worker: number, sequence: number) {
    const buyer = this.buyers[(worker + sequence * 7) % this.buyers.length]!;
    const response = await fetch(`${this.gatewayUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'authorization': `Bearer ${buyer.token}`, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ event_id: this.eventId, quantity: 1 }),
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await response.json().catch(() => ({}))) as { id?: unknown; code?: unknown };
    return {
      status: response.status,
      code: typeof body.code === 'string' ? body.code : undefined,
      orderId: response.status === 201 && typeof body.id === 'string' ? body.id : undefined,
    };
  }
}

/** Anonymous GET /event/{id}: served by a standby, or the primary when none answers. */
export class ReadStream extends Stream {
  constructor(private readonly gatewayUrl: string, private readonly eventId: string, concurrency = 2, pauseMs = 50) {
    super(concurrency, pauseMs);
  }

  protected async once() {
    const response = await fetch(`${this.gatewayUrl}/event/${this.eventId}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json().catch(() => ({}))) as { code?: unknown };
    return { status: response.status, code: typeof body.code === 'string' ? body.code : undefined, orderId: undefined };
  }
}

/**
 * Recovery time after `killedAt`: until the first acknowledged write among
 * those sent after the kill. Undefined if none was.
 */
export function recoveryMs(stream: OrderStream, killedAt: number): number | undefined {
  const first = stream.between(killedAt).filter((attempt) => attempt.status === 201).sort((a, b) => a.endedAt - b.endedAt)[0];
  return first === undefined ? undefined : first.endedAt - killedAt;
}
