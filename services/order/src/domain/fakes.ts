import { AppError } from '@eticket/errors';
import type { Closure, CommitDecision, Decision, OrderRecord, Placement } from './order';
import type { Clock, Leases, Notifier, OrderNotice, OrderStore, SeatParticipant, SeatPrepareRequest, TransactionLog, Vote, Watermarks } from './ports';

// In-memory stand-ins for the adapters, with the same semantics where it
// matters (first insert wins), for the domain's unit tests.

export class FakeClock implements Clock {
  constructor(public current = new Date('2030-01-01T10:00:00Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export class MemoryLog implements TransactionLog {
  readonly decisions = new Map<string, Decision>();
  readonly ended = new Map<string, Date>();

  constructor(private readonly clock: Clock) {}

  /** Runs before a decision is stored: lets a test slip a competing decision in. */
  beforeDecide: ((proposal: Decision) => void) | undefined;

  decide(proposal: Decision): Promise<Decision> {
    this.beforeDecide?.(proposal);
    const existing = this.decisions.get(proposal.txId);
    if (existing !== undefined) return Promise.resolve(existing);
    this.decisions.set(proposal.txId, proposal);
    return Promise.resolve(proposal);
  }

  find(txId: string): Promise<Decision | null> {
    return Promise.resolve(this.decisions.get(txId) ?? null);
  }

  markEnded(txIds: readonly string[]): Promise<void> {
    for (const id of txIds) if (!this.ended.has(id)) this.ended.set(id, this.clock.now());
    return Promise.resolve();
  }

  isEnded(txId: string): Promise<boolean> {
    return Promise.resolve(this.ended.has(txId));
  }

  decisionsSince(since: Date, limit: number): Promise<Decision[]> {
    const found = [...this.decisions.values()]
      .filter((d) => d.decidedAt.getTime() >= since.getTime())
      .sort((a, b) => a.decidedAt.getTime() - b.decidedAt.getTime());
    return Promise.resolve(found.slice(0, limit));
  }

  endedSince(since: Date): Promise<Set<string>> {
    return Promise.resolve(new Set([...this.ended].filter(([, at]) => at.getTime() >= since.getTime()).map(([id]) => id)));
  }

  holdsEndingBetween(from: Date, to: Date, limit: number): Promise<CommitDecision[]> {
    const found = [...this.decisions.values()]
      .filter((d): d is CommitDecision => d.outcome === 'commit')
      .filter((d) => d.holdExpiresAt.getTime() >= from.getTime() && d.holdExpiresAt.getTime() < to.getTime())
      .sort((a, b) => a.holdExpiresAt.getTime() - b.holdExpiresAt.getTime());
    return Promise.resolve(found.slice(0, limit));
  }
}

export class MemoryOrders implements OrderStore {
  readonly placements = new Map<string, Placement>();
  readonly closures = new Map<string, Closure>();
  readonly released = new Set<string>();

  constructor(private readonly log: MemoryLog) {}

  insertPlacement(placement: Placement): Promise<{ created: true } | { created: false; existing: Placement }> {
    const existing = this.placements.get(placement.id);
    if (existing !== undefined) return Promise.resolve({ created: false, existing });
    this.placements.set(placement.id, placement);
    return Promise.resolve({ created: true });
  }

  findPlacement(orderId: string): Promise<Placement | null> {
    return Promise.resolve(this.placements.get(orderId) ?? null);
  }

  load(orderId: string): Promise<OrderRecord | null> {
    const placement = this.placements.get(orderId);
    if (placement === undefined) return Promise.resolve(null);
    return Promise.resolve({ placement, decision: this.log.decisions.get(orderId) ?? null, closure: this.closures.get(orderId) ?? null });
  }

  async listForUser(userId: string, limit: number, offset: number): Promise<{ items: OrderRecord[]; total: number }> {
    const mine = [...this.placements.values()].filter((p) => p.userId === userId).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const items = await Promise.all(mine.slice(offset, offset + limit).map(async (p) => (await this.load(p.id))!));
    return { items, total: mine.length };
  }

  placementsSince(since: Date, limit: number): Promise<Placement[]> {
    const found = [...this.placements.values()]
      .filter((p) => p.createdAt.getTime() >= since.getTime())
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    return Promise.resolve(found.slice(0, limit));
  }

  close(closure: Closure): Promise<Closure> {
    const existing = this.closures.get(closure.orderId);
    if (existing !== undefined) return Promise.resolve(existing);
    this.closures.set(closure.orderId, closure);
    return Promise.resolve(closure);
  }

  findClosure(orderId: string): Promise<Closure | null> {
    return Promise.resolve(this.closures.get(orderId) ?? null);
  }

  closuresSince(since: Date, limit: number): Promise<Closure[]> {
    return Promise.resolve([...this.closures.values()].filter((c) => c.at.getTime() >= since.getTime()).slice(0, limit));
  }

  markSeatsReleased(orderId: string): Promise<void> {
    this.released.add(orderId);
    return Promise.resolve();
  }

  seatsReleased(orderId: string): Promise<boolean> {
    return Promise.resolve(this.released.has(orderId));
  }
}

type SeatState = 'prepared' | 'committed' | 'aborted' | 'released';

/** A seat participant with a fixed number of seats and the protocol's idempotency rules. */
export class FakeSeats implements SeatParticipant {
  readonly states = new Map<string, SeatState>();
  readonly quantities = new Map<string, number>();
  readonly calls: string[] = [];
  /** Set to make the next prepare fail as if the participant had not answered. */
  failPrepare: AppError | undefined;
  /** Set to make commits fail as if the participant were down. */
  down = false;
  unitPriceMinor = 2_500;

  constructor(public available: number) {}

  prepare(request: SeatPrepareRequest): Promise<Vote> {
    this.calls.push(`prepare ${request.txId}`);
    if (this.failPrepare !== undefined) {
      this.states.set(request.txId, 'prepared');
      this.quantities.set(request.txId, request.quantity);
      this.available -= request.quantity;
      return Promise.reject(this.failPrepare);
    }
    if (this.states.get(request.txId) === 'aborted') return Promise.resolve({ kind: 'no', reasonCode: 'CONFLICT', reason: 'already aborted' });
    if (request.quantity > this.available) return Promise.resolve({ kind: 'no', reasonCode: 'NOT_ENOUGH_SEATS', reason: `Only ${this.available} seats are left` });
    this.available -= request.quantity;
    this.states.set(request.txId, 'prepared');
    this.quantities.set(request.txId, request.quantity);
    return Promise.resolve({ kind: 'yes', unitPrice: { amountMinor: this.unitPriceMinor, currency: 'EUR' } });
  }

  async reserveLocal(request: SeatPrepareRequest): Promise<Vote> {
    const vote = await this.prepare(request);
    if (vote.kind === 'yes') this.states.set(request.txId, 'committed');
    return vote;
  }

  commit(txId: string): Promise<void> {
    this.calls.push(`commit ${txId}`);
    if (this.down) return Promise.reject(new AppError('UPSTREAM_UNAVAILABLE', 'down'));
    if (this.states.get(txId) === 'prepared') this.states.set(txId, 'committed');
    return Promise.resolve();
  }

  abort(txId: string): Promise<void> {
    this.calls.push(`abort ${txId}`);
    if (this.down) return Promise.reject(new AppError('UPSTREAM_UNAVAILABLE', 'down'));
    if (this.states.get(txId) === 'prepared') this.available += this.quantities.get(txId) ?? 0;
    if (this.states.get(txId) !== 'committed') this.states.set(txId, 'aborted');
    return Promise.resolve();
  }

  release(txId: string): Promise<void> {
    this.calls.push(`release ${txId}`);
    if (this.down) return Promise.reject(new AppError('UPSTREAM_UNAVAILABLE', 'down'));
    if (this.states.get(txId) === 'prepared') this.states.set(txId, 'committed');
    if (this.states.get(txId) === 'committed') {
      this.available += this.quantities.get(txId) ?? 0;
      this.states.set(txId, 'released');
    }
    return Promise.resolve();
  }
}

export class FakeNotifier implements Notifier {
  readonly sent: string[] = [];
  readonly notices: OrderNotice[] = [];

  paymentPending(placement: Placement): Promise<void> {
    this.sent.push(placement.id);
    return Promise.resolve();
  }

  notify(notice: OrderNotice): Promise<void> {
    this.notices.push(notice);
    return Promise.resolve();
  }
}

/** Time-slotted like the real ones: a key can be claimed once per slot of `ttlMs`. */
export class MemoryLeases implements Leases {
  readonly taken = new Set<string>();

  constructor(private readonly clock: Clock) {}

  claim(key: string, ttlMs: number): Promise<boolean> {
    const slot = `${key}@${Math.floor(this.clock.now().getTime() / ttlMs)}`;
    if (this.taken.has(slot)) return Promise.resolve(false);
    this.taken.add(slot);
    return Promise.resolve(true);
  }
}

export class MemoryMarks implements Watermarks {
  readonly marks = new Map<string, Date>();

  get(name: string): Promise<Date | null> {
    return Promise.resolve(this.marks.get(name) ?? null);
  }

  set(name: string, at: Date): Promise<void> {
    this.marks.set(name, at);
    return Promise.resolve();
  }
}

const nothing = () => undefined;
export const silentLogger = { info: nothing, warn: nothing, error: nothing, debug: nothing, fatal: nothing, flush: nothing };
