import { BackgroundWork, Batcher, Semaphore } from './background';
import { Coordinator } from './coordinator';
import { FakeClock, FakeNotifier, FakeSeats, MemoryLeases, MemoryLog, MemoryMarks, MemoryOrders, silentLogger } from './fakes';
import { Holds } from './holds';
import { OrderNotices } from './notices';
import { Orders } from './orders';
import type { PlacementMode } from './order';
import { Phase2 } from './phase2';
import type { FaultInjector, FaultPoint } from './ports';
import { Recovery } from './recovery';

/** The domain wired with in-memory fakes, for unit tests. */
export function domainHarness(options: { seats?: number; mode?: PlacementMode; crashAt?: FaultPoint } = {}) {
  const clock = new FakeClock();
  const log = new MemoryLog(clock);
  const orders = new MemoryOrders(log);
  const seats = new FakeSeats(options.seats ?? 100);
  const notifier = new FakeNotifier();
  const leases = new MemoryLeases(clock);
  const marks = new MemoryMarks();
  const background = new BackgroundWork(silentLogger);
  const ended = new Batcher((ids) => log.markEnded(ids), silentLogger, 1);
  const phase2 = new Phase2({ seats, notifier, ended, background, logger: silentLogger, settings: { phase2TimeoutMs: 100, attempts: 2 } });
  const faults: FaultInjector & { reachedPoints: FaultPoint[] } = {
    reachedPoints: [],
    reached(point) {
      this.reachedPoints.push(point);
      if (point === options.crashAt) throw new Error(`crashed at ${point}`);
    },
  };
  const coordinator = new Coordinator({
    log,
    orders,
    seats,
    phase2,
    clock,
    faults,
    logger: silentLogger,
    settings: { instance: 'test', mode: options.mode ?? 'two_phase_commit', holdTtlMs: 600_000, prepareTimeoutMs: 1_000, slotWaitMs: 1_000 },
    slots: new Semaphore(4),
  });
  const recovery = new Recovery({
    log,
    orders,
    phase2,
    clock,
    leases,
    marks,
    logger: silentLogger,
    settings: { decisionBoundMs: 10_000, leaseMs: 5_000, batch: 100 },
  });
  const scheduled = new Map<string, Date>();
  const holds = new Holds({
    orders,
    log,
    seats,
    clock,
    leases,
    marks,
    scheduler: { schedule: (orderId, at) => void scheduled.set(orderId, at) },
    notices: new OrderNotices(notifier, background, silentLogger),
    logger: silentLogger,
    settings: { phase2TimeoutMs: 100, leaseMs: 5_000, batch: 100, lookaheadMs: 30_000, safetyMarginMs: 0 },
  });
  const scheduler = { schedule: (orderId: string, at: Date) => scheduled.set(orderId, at) };
  const service = new Orders({ coordinator, orders, recovery, holds, phase2, background, clock, scheduler, settings: { replayWaitMs: 200 } });
  const settle = async () => {
    await background.drain();
    await ended.close();
  };
  return { clock, log, orders, seats, notifier, leases, marks, background, phase2, faults, coordinator, recovery, holds, service, scheduled, settle };
}
