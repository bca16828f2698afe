import type { Logger } from '@eticket/logging';
import { assertClosureAllowed, orderStatus, type Closure, type OrderRecord } from './order';
import type { OrderNotices } from './notices';
import type { Clock, Leases, OrderStore, SeatParticipant, TransactionLog, Watermarks } from './ports';

export interface HoldSettings {
  readonly phase2TimeoutMs: number;
  readonly leaseMs: number;
  readonly batch: number;
  /** Holds ending within this much of a scan are put on this instance's timers. */
  readonly lookaheadMs: number;
  /**
   * Records carry the writer's clock and reach the database a moment later;
   * a mark never moves closer to now than this, so none is skipped.
   */
  readonly safetyMarginMs: number;
}

/** Runs `expire(orderId)` when a hold ends (workers/hold-timers.ts). */
export interface HoldScheduler {
  schedule(orderId: string, at: Date): void;
}

export interface HoldDeps {
  readonly orders: OrderStore;
  readonly log: TransactionLog;
  readonly seats: SeatParticipant;
  readonly clock: Clock;
  readonly leases: Leases;
  readonly marks: Watermarks;
  readonly scheduler: HoldScheduler;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  readonly settings: HoldSettings;
  /** The buyer's notices (hold about to expire, expired, cancelled); none in some unit tests. */
  readonly notices?: OrderNotices;
}

export interface HoldScanReport {
  readonly expired: number;
  readonly scheduled: number;
  readonly released: number;
}

const HOLDS_MARK = 'holds';
/** Expiries and releases a scan runs at once. */
const SCAN_CONCURRENCY = 8;

/** Runs `work` over `items`, at most `limit` at a time; a failure is the item's own (it stays open for the next scan). */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
const RELEASES_MARK = 'releases';

/**
 * The end of a hold: expiry, cancellation, and the release of the seats.
 * Which of paid / expired / cancelled happens is decided by one unique insert
 * (the closure), so with any number of instances and timers exactly one wins;
 * the seats go back through the participant's Release, which is idempotent
 * per reservation, so they are returned exactly once however often it is sent.
 */
export class Holds {
  constructor(private readonly deps: HoldDeps) {}

  /** Called when a hold should have ended (this instance's timer or another's scan). */
  async expire(orderId: string): Promise<void> {
    const record = await this.deps.orders.load(orderId);
    if (record === null) return;
    const status = orderStatus(record);
    if (status === 'expired' || status === 'cancelled') {
      await this.release(orderId, status);
      return;
    }
    if (status !== 'pending_payment' || record.decision?.outcome !== 'commit') return;
    const now = this.deps.clock.now();
    if (now.getTime() < record.decision.holdExpiresAt.getTime()) {
      this.deps.scheduler.schedule(orderId, record.decision.holdExpiresAt);
      return;
    }
    const closure = await this.deps.orders.close({ orderId, outcome: 'expired', at: now });
    if (closure.outcome === 'paid') return;
    if (closure.outcome === 'expired') this.deps.logger.info({ orderId }, 'hold expired: releasing the seats');
    await this.release(orderId, closure.outcome);
    // Whoever expires it (this timer, another instance's) sends the same notice: stored once.
    if (closure.outcome === 'expired') this.deps.notices?.orderEnded(record.placement, 'expired');
  }

  /** Called HOLD_WARNING_SECONDS before a hold ends: tells the buyer, once, if the order is still unpaid. */
  async warn(orderId: string): Promise<void> {
    const record = await this.deps.orders.load(orderId);
    if (record === null || orderStatus(record) !== 'pending_payment' || record.decision?.outcome !== 'commit') return;
    if (this.deps.clock.now().getTime() >= record.decision.holdExpiresAt.getTime()) return;
    this.deps.notices?.holdExpiring(record.placement, record.decision);
  }

  /** The buyer cancels an unpaid order. */
  async cancel(record: OrderRecord): Promise<Closure> {
    const now = this.deps.clock.now();
    assertClosureAllowed(record, 'cancelled', now);
    const closure = await this.deps.orders.close({ orderId: record.placement.id, outcome: 'cancelled', at: now });
    if (closure.outcome === 'cancelled') {
      await this.release(record.placement.id, 'cancelled');
      this.deps.notices?.orderEnded(record.placement, 'cancelled');
    }
    return closure;
  }

  /** Gives the seats back once; false when the User Service could not be reached (a later scan retries). */
  async release(orderId: string, reason: string): Promise<boolean> {
    if (await this.deps.orders.seatsReleased(orderId)) return true;
    try {
      await this.deps.seats.release(orderId, reason, this.deps.settings.phase2TimeoutMs);
      await this.deps.orders.markSeatsReleased(orderId);
      return true;
    } catch (error) {
      this.deps.logger.warn({ err: error, orderId }, 'seats not released yet; a later scan retries');
      return false;
    }
  }

  /**
   * One pass: holds that ended (or end soon) without a closure are expired
   * (or put on a timer), and closures whose seats were not released yet are
   * released. Both marks move to the oldest item still open.
   */
  async scan(): Promise<HoldScanReport> {
    const { orders, log, clock, leases, marks, scheduler, settings } = this.deps;
    const now = clock.now();
    const holdsSince = (await marks.get(HOLDS_MARK)) ?? new Date(0);
    const holds = await log.holdsEndingBetween(holdsSince, new Date(now.getTime() + settings.lookaheadMs), settings.batch);
    const earliestDecision = holds.reduce((min, hold) => Math.min(min, hold.decidedAt.getTime()), now.getTime());
    const closed = new Set((await orders.closuresSince(new Date(earliestDecision), settings.batch * 10)).map((closure) => closure.orderId));
    let holdsMark = new Date(now.getTime() - settings.safetyMarginMs);
    const keepHold = (at: Date) => {
      if (at.getTime() < holdsMark.getTime()) holdsMark = at;
    };
    let expired = 0;
    let scheduled = 0;
    const open = holds.filter((hold) => !closed.has(hold.orderId));
    for (const hold of open) {
      keepHold(hold.holdExpiresAt);
      if (hold.holdExpiresAt.getTime() > now.getTime()) {
        scheduler.schedule(hold.orderId, hold.holdExpiresAt);
        scheduled += 1;
      }
    }
    // Holds already over: expired a few at a time (a backlog after downtime must not take one round trip after another).
    await forEachLimited(open.filter((hold) => hold.holdExpiresAt.getTime() <= now.getTime()), SCAN_CONCURRENCY, async (hold) => {
      if (!(await leases.claim(`expire:${hold.orderId}`, settings.leaseMs))) return;
      await this.expire(hold.orderId);
      expired += 1;
    });
    if (holds.length >= settings.batch) {
      const last = holds.at(-1)?.holdExpiresAt ?? now;
      if (last.getTime() < holdsMark.getTime()) holdsMark = last;
    }
    if (holdsMark.getTime() > holdsSince.getTime()) await marks.set(HOLDS_MARK, holdsMark);

    const releasesSince = (await marks.get(RELEASES_MARK)) ?? new Date(0);
    const closures = await orders.closuresSince(releasesSince, settings.batch);
    let releasesMark = new Date(now.getTime() - settings.safetyMarginMs);
    let released = 0;
    await forEachLimited(closures.filter((closure) => closure.outcome !== 'paid'), SCAN_CONCURRENCY, async (closure) => {
      if (await orders.seatsReleased(closure.orderId)) return;
      const done = (await leases.claim(`release:${closure.orderId}`, settings.leaseMs)) && (await this.release(closure.orderId, closure.outcome));
      if (done) released += 1;
      else if (closure.at.getTime() < releasesMark.getTime()) releasesMark = closure.at;
    });
    if (closures.length >= settings.batch) {
      const last = closures.at(-1)?.at ?? now;
      if (last.getTime() < releasesMark.getTime()) releasesMark = last;
    }
    if (releasesMark.getTime() > releasesSince.getTime()) await marks.set(RELEASES_MARK, releasesMark);
    return { expired, scheduled, released };
  }
}
