// `npm run bench`: the on-sale benchmark, from nothing. Starts a fresh
// platform on its own port block (BENCH_BASE_PORT, default 18500; data under
// .data/bench-onsale-<port>), two User Services, two Ticket Order Services and
// a gateway (log level warn), seeds buyers and events, and runs, through the
// gateway:
//   browse          GET /event and GET /event/{id}, open model
//   capacity        on-sale (order, then pay) with 64 buyers back to back, twice:
//                   the most orders/s the system confirms = X (the better run)
//   on-sale 0.7x    open model at 0.7 X (the tail: p99/p50)
//   on-sale 1x/10x  open model at X and at 10 X, alternating, BENCH_ROUNDS times:
//                   goodput and admitted p99 at 10x over their values at 1x
//   sell-out        2 X on an event with fewer seats than buyers (oversell check)
//   spread          0.7 X spread over 100 events
//   mixed           browsing, the hot event and the 100 events at once
// Each order scenario uses events of its own and ends with the invariants
// (invariants.ts). Prints a table and writes bench/results/onsale-<time>.json.
// BENCH_SECONDS (40) is the length of one run: twice a hold (20 s), so a 10 X run sees the queued buyers ask again
// as a long on-sale does, not only its first arrivals; BENCH_ROUNDS (3) the 1x/10x pairs; BENCH_WAITING_ROOM=false
// runs the same without the waiting room (for comparison). Latencies are taken twice: as the generator saw
// them, and as the gateway timed them (Server-Timing total less queue: the system's own time); the latency
// targets are read against the gateway's, the generator's printed beside them (docs/architecture.md says why).
// The generator runs at nice BENCH_GENERATOR_NICE (10; 0: the system's own priority), after it has started the platform. For tuning only:
// BENCH_CAPACITY=N takes X = N instead of measuring it, BENCH_ONLY=rounds runs
// only the 1x/10x rounds (the full run is the one that reports).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { repoRoot } from '../../platform/src/index';
import { cpuSample, cpuSince } from './cpu';
import { checkInvariants, type InvariantReport } from './invariants';
import { Client, closedModel, openModel, Recorder, sleep } from './load';
import { summarise, table, type ScenarioResult } from './report';
import { Buyers, createEvent, organizerToken } from './seed';
import { browseSession, buyerSession } from './sessions';
import { BenchStack } from './stack';

const BASE_PORT = Number(process.env.BENCH_BASE_PORT ?? 18500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WAITING_ROOM = process.env.BENCH_WAITING_ROOM !== 'false';
const BROWSE_RATE = Number(process.env.BENCH_BROWSE_RATE ?? 100);
const CAPACITY_CONCURRENCY = 64;
const BUYERS = Number(process.env.BENCH_BUYERS ?? 40_000);
/** Confirmations in the first seconds of an open run are not counted: the room's limit and the JIT settle. */
const WARMUP_SECONDS = 2;
const SPREAD_EVENTS = 100;
const GIVEN_CAPACITY = process.env.BENCH_CAPACITY === undefined ? undefined : Number(process.env.BENCH_CAPACITY);
if (GIVEN_CAPACITY !== undefined && !(GIVEN_CAPACITY > 0 && Number.isFinite(GIVEN_CAPACITY))) {
  throw new Error(`BENCH_CAPACITY must be a positive number of orders/s, got "${process.env.BENCH_CAPACITY}"`);
}
const ONLY_ROUNDS = process.env.BENCH_ONLY === 'rounds';
const GENERATOR_NICE = Number(process.env.BENCH_GENERATOR_NICE ?? 10);
if (!(Number.isInteger(GENERATOR_NICE) && GENERATOR_NICE >= 0 && GENERATOR_NICE <= 19)) {
  throw new Error(`BENCH_GENERATOR_NICE must be an integer from 0 to 19, got "${process.env.BENCH_GENERATOR_NICE}"`);
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The waiting room's concurrency limit at the end of a run (the gateway's eticket_gateway_waiting_room_limit); undefined without a room. */
async function roomLimit(gatewayUrl: string): Promise<number | undefined> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  // The registry adds a service label: `eticket_gateway_waiting_room_limit{service="gateway"} 12`.
  const line = text.split('\n').find((row) => /^eticket_gateway_waiting_room_limit[ {]/.test(row));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const stack = new BenchStack({ basePort: BASE_PORT, waitingRoom: WAITING_ROOM, log: (line) => log(`platform: ${line}`) });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stack.stop());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    await stack.start();
    // The load generator stands for thousands of buyers' browsers, on machines of their own in an on-sale. Here
    // it shares two cores with the system it measures, and at 10 X it needs a fifth of them: at the same
    // priority it took that CPU from the services, and the goodput measured at 10 X was partly the
    // generator's cost (0.80 against 1.03 on the same code, docs/architecture.md). Below the system's
    // priority it runs on what the system leaves idle. Its own delays stay in every latency it measures
    // (its event-loop delay is printed per run).
    setPriority(GENERATOR_NICE);
    log(`system up in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; seeding ${BUYERS} buyers and ${SPREAD_EVENTS} events`);
    const buyers = await Buyers.seed(stack.env.USER_DB_WRITE_URL, BUYERS, stack.secrets.JWT_SECRET);
    const organizer = await organizerToken(stack.env.USER_DB_WRITE_URL, stack.secrets.JWT_SECRET);
    const event = (seats: number, name: string) => createEvent(stack.gatewayUrl, organizer, seats, name);
    const spreadEvents: string[] = [];
    for (let i = 0; i < SPREAD_EVENTS; i += 1) spreadEvents.push(await event(10_000, `Spread ${i}`));
    let nextBuyer = 0;
    const buyer = () => nextBuyer++;
    const invariants = (events: readonly string[]): Promise<InvariantReport> => checkInvariants(stack.env.USER_DB_WRITE_URL, stack.mongoUrl, events);
    const results: ScenarioResult[] = [];

    /** An on-sale run: buyers of `eventOf(i)` arriving at `rate`/s (open) or `concurrency` back to back (closed). */
    type Load = { rate: number } | { concurrency: number };
    const onSale = async (name: string, load: Load, eventOf: (i: number) => string, seconds = SECONDS): Promise<ScenarioResult> => {
      const recorder = new Recorder();
      const client = new Client(stack.gatewayUrl, recorder);
      const runStart = performance.now();
      const cpuBefore = cpuSample(stack.gatewayPid, stack.servicePids);
      // The generator's own event-loop delay: every latency it measures includes it (it shares the machine).
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      const session = (i: number, endsAt: number) => buyerSession(client, buyers, buyer(), eventOf(i), endsAt, true);
      const leaving = setTimeout(() => client.leave(), seconds * 1000);
      if ('rate' in load) await openModel(load.rate, seconds, session);
      else await closedModel(load.concurrency, seconds, session);
      clearTimeout(leaving);
      await client.close();
      lag.disable();
      const generatorLagP99 = lag.percentile(99) / 1e6;
      const cpu = cpuSince(cpuBefore, cpuSample(stack.gatewayPid, stack.servicePids));
      const confirmed = Math.max(1, recorder.confirmedAt.length);
      const per = (ms: number) => ms / confirmed;
      const cpuPerOrder = { gateway: per(cpu.gateway), services: per(cpu.services), platform: per(cpu.platform), generator: per(cpu.generator) };
      const from = runStart + WARMUP_SECONDS * 1000;
      const to = runStart + seconds * 1000;
      const goodput = recorder.confirmedAt.filter((t) => t >= from && t <= to).length / (seconds - WARMUP_SECONDS);
      const events = [...new Set(Array.from({ length: Math.min(2_000, SPREAD_EVENTS) }, (_, i) => eventOf(i)))];
      const offered = 'rate' in load ? `${load.rate.toFixed(0)}/s` : `${load.concurrency} conc`;
      const result = { ...summarise(name, offered, recorder, ['order'], goodput, 'orders/s', await invariants(events), cpuPerOrder), roomLimit: await roomLimit(stack.gatewayUrl), generatorLagP99 };
      results.push(result);
      log(`${name}: ${goodput.toFixed(1)} orders/s, admitted p50 ${result.p50.toFixed(0)} / p99 ${result.p99.toFixed(0)} ms (at the gateway ${result.gatewayP50.toFixed(0)} / ${result.gatewayP99.toFixed(0)}), room limit now ${result.roomLimit ?? '-'}, generator event-loop delay p99 ${generatorLagP99.toFixed(0)} ms`);
      return result;
    };

    // Warm-up (JIT, connection pools, the room's limit) under the load the capacity runs bring; not reported.
    const warm = await event(1_000_000, 'Warm-up');
    await onSale('warm-up', { concurrency: CAPACITY_CONCURRENCY }, () => warm, 10);
    results.pop();

    if (!ONLY_ROUNDS) {
      const recorder = new Recorder();
      const client = new Client(stack.gatewayUrl, recorder);
      await openModel(BROWSE_RATE, SECONDS, (i) => browseSession(client, spreadEvents, i));
      await client.close();
      const answered = [...recorder.statuses.values()].reduce((sum, counts) => sum + (counts.get(200) ?? 0), 0);
      results.push(summarise('browse', `${BROWSE_RATE}/s`, recorder, ['browse-list', 'browse-event'], answered / SECONDS, 'req/s'));
    }

    // The most the system confirms: the better of two closed runs (one run can land on a pause of the
    // machine or of a collector, and an X measured low would make every ratio below easier than it is).
    const capacities: ScenarioResult[] = [];
    for (const run of GIVEN_CAPACITY === undefined ? [1, 2] : []) {
      const capacityEvent = await event(1_000_000, `Capacity ${run}`);
      capacities.push(await onSale(`on-sale capacity (closed, run ${run})`, { concurrency: CAPACITY_CONCURRENCY }, () => capacityEvent));
    }
    const x = GIVEN_CAPACITY ?? Math.max(5, ...capacities.map((run) => run.throughput));
    const seventy = await event(1_000_000, 'Tail');
    const tail = ONLY_ROUNDS ? undefined : await onSale('on-sale 0.7x', { rate: 0.7 * x }, () => seventy);

    const rounds: Array<{ at1x: ScenarioResult; at10x: ScenarioResult }> = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      const one = await event(1_000_000, `At capacity ${round}`);
      const at1x = await onSale(`on-sale 1x (round ${round})`, { rate: x }, () => one);
      await sleep(2_000);
      const ten = await event(1_000_000, `Overload ${round}`);
      // Buyers beyond the seeded accounts would share places: the run is shortened instead.
      const tenSeconds = Math.min(SECONDS, Math.floor(buyers.size / (10 * x)));
      const at10x = await onSale(`on-sale 10x (round ${round})`, { rate: 10 * x }, () => ten, tenSeconds);
      rounds.push({ at1x, at10x });
      await sleep(2_000);
    }

    if (!ONLY_ROUNDS) {
      const soldOutSeats = Math.max(50, Math.round(x * SECONDS * 0.5));
      const scarce = await event(soldOutSeats, 'Sell-out');
      await onSale(`sell-out (${soldOutSeats} seats)`, { rate: 2 * x }, () => scarce);
      await onSale('spread (100 events)', { rate: 0.7 * x }, (i) => spreadEvents[i % SPREAD_EVENTS]!);
    }

    if (!ONLY_ROUNDS) {
      // Mixed: per four arrivals, two readers, one buyer of the hot event, one of the 100 events.
      const hot = await event(1_000_000, 'Mixed hot');
      const recorder = new Recorder();
      const client = new Client(stack.gatewayUrl, recorder);
      const runStart = performance.now();
      const leaving = setTimeout(() => client.leave(), SECONDS * 1000);
      await openModel(2.8 * x, SECONDS, (i, endsAt) => {
        if (i % 4 < 2) return browseSession(client, spreadEvents, i);
        return buyerSession(client, buyers, buyer(), i % 4 === 2 ? hot : spreadEvents[i % SPREAD_EVENTS]!, endsAt, true);
      });
      clearTimeout(leaving);
      await client.close();
      const from = runStart + WARMUP_SECONDS * 1000;
      const goodput = recorder.confirmedAt.filter((t) => t >= from && t <= runStart + SECONDS * 1000).length / (SECONDS - WARMUP_SECONDS);
      const mixedInvariants = await invariants([hot, ...spreadEvents]);
      results.push(summarise('mixed (browse + hot + spread)', `${(2.8 * x).toFixed(0)}/s`, recorder, ['order'], goodput, 'orders/s', mixedInvariants));
    }

    // The middle value; of an even number, the mean of the two middle ones (with two rounds the upper one
    // alone would report the better goodput ratio and the worse p99 ratio).
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    };
    const goodputRatios = rounds.map((r) => r.at10x.throughput / r.at1x.throughput);
    const p99Ratios = rounds.map((r) => r.at10x.p99 / r.at1x.p99);
    const gatewayP99Ratios = rounds.map((r) => r.at10x.gatewayP99 / r.at1x.gatewayP99);
    const tailRatio = tail === undefined ? Number.NaN : tail.p99 / tail.p50;
    const gatewayTailRatio = tail === undefined ? Number.NaN : tail.gatewayP99 / tail.gatewayP50;
    const held = (inv: InvariantReport) => inv.oversold === 0 && inv.stuck === 0 && inv.preparedLeft === 0 && inv.soldEqualsPaidPlusHeld;
    const invariantsHeld = results.every((r) => r.invariants === undefined || held(r.invariants));
    const minutes = (Date.now() - startedAt) / 60_000;

    process.stdout.write(`\nOn-sale benchmark through the gateway (waiting room ${WAITING_ROOM ? 'on' : 'off'}, load generator at nice ${GENERATOR_NICE}), ${SECONDS} s per run, capacity X = ${x.toFixed(1)} orders/s\n\n`);
    process.stdout.write(`${table(results)}\n\n`);
    const rounded = (ratios: number[]) => ratios.map((r) => r.toFixed(2)).join(', ');
    // Latency targets against the gateway's own timing (the system's time), with what the generator saw beside it:
    // the generator shares the two cores, below the system's priority, and its delays are in what it sees.
    process.stdout.write(`goodput 10x / 1x     = ${median(goodputRatios).toFixed(2)} (rounds ${rounded(goodputRatios)}; target >= 0.9)\n`);
    process.stdout.write(`admitted p99 10x/1x  = ${median(gatewayP99Ratios).toFixed(2)} at the gateway (rounds ${rounded(gatewayP99Ratios)}; target <= 2); ${median(p99Ratios).toFixed(2)} as the generator saw it (rounds ${rounded(p99Ratios)})\n`);
    process.stdout.write(`p99/p50 at 0.7x      = ${gatewayTailRatio.toFixed(2)} at the gateway (target <= 5); ${tailRatio.toFixed(2)} as the generator saw it\n`);
    // Honesty check of X: a run at 10x that confirms clearly more than X means X was measured low.
    const bestOverload = Math.max(...rounds.map((r) => r.at10x.throughput));
    process.stdout.write(`best 10x goodput / X = ${(bestOverload / x).toFixed(2)} (above ~1.1: X was measured low, and the ratios above flatter)\n`);
    process.stdout.write(`invariants           = ${invariantsHeld ? 'held in every scenario (oversold 0, stuck 0, prepared 0, sold = paid + held)' : 'VIOLATED, see the table'}\n`);
    process.stdout.write(`whole run            = ${minutes.toFixed(1)} min\n`);

    const dir = join(repoRoot, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `onsale-${new Date().toISOString().replaceAll(':', '-')}.json`);
    writeFileSync(file, `${JSON.stringify({
      waitingRoom: WAITING_ROOM, generatorNice: GENERATOR_NICE, secondsPerRun: SECONDS, rounds: ROUNDS, capacityOrdersPerSecond: x,
      ratios: {
        goodput10xOver1x: median(goodputRatios),
        goodputRounds: goodputRatios,
        admittedP99_10xOver1x: median(p99Ratios),
        p99Rounds: p99Ratios,
        admittedGatewayP99_10xOver1x: median(gatewayP99Ratios),
        gatewayP99Rounds: gatewayP99Ratios,
        p99OverP50At70Percent: tailRatio,
        gatewayP99OverP50At70Percent: gatewayTailRatio,
        best10xGoodputOverX: bestOverload / x,
      },
      invariantsHeld, minutes, results,
    }, null, 2)}\n`);
    process.stdout.write(`results written to ${file}\n`);
    if (!invariantsHeld) process.exitCode = 1;
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
