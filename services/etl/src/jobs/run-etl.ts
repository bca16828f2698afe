import type { Logger } from '@eticket/logging';
import { decisionsSource, closuresSource, eventsSource, paymentsSource, placementsSource, usersSource, type SourceName, type SourceSpec } from '../domain/sources';
import { windowFor, type Watermark } from '../domain/window';
import { OrderDbReader, type OrderDbSource } from '../extract/order-db';
import { UserDbReader, type UserDbSource } from '../extract/user-db';
import { tryRunLock } from '../store/lock';
import { mergeAll } from '../store/merge';
import { abandonStaleRuns, finishRun, startRun, type RunMode, type RunSummary, type RunTrigger, type SourceStats } from '../store/runs';
import { readWatermarks } from '../store/watermarks';
import { loadSource, SourceError, type LoadContext } from './extract-source';
import { ReadAhead } from './read-ahead';

/** Batches each order-database collection is read ahead of the load (memory: this many batches per collection). */
const ORDER_DB_READ_AHEAD = 2;

export interface EtlSettings {
  readonly warehouseUrl: string;
  readonly userDbUrl: string;
  readonly orderDbUrl: string;
  readonly instance: string;
  readonly overlapMs: number;
  readonly batchSize: number;
  readonly sourceTimeoutMs: number;
  readonly requireStandby: boolean;
}

export interface EtlDeps {
  readonly settings: EtlSettings;
  readonly logger: Logger;
  /** The run's start, which is also every window's upper bound. */
  readonly now?: () => Date;
}

export interface RunRequest {
  readonly trigger: RunTrigger;
  /** Ignore the watermarks: re-extract and re-merge everything (repairs; proves idempotency). */
  readonly full?: boolean;
}

export type RunResult =
  | { readonly status: 'skipped' }
  | ({ readonly runId: string } & RunSummary);

interface RunState {
  readonly context: LoadContext;
  readonly marks: ReadonlyMap<SourceName, Watermark>;
  readonly runStart: Date;
  readonly full: boolean;
  readonly stats: SourceStats[];
}

function statsFor(state: RunState, source: SourceName, overlapMs: number): SourceStats {
  const window = windowFor(state.marks.get(source) ?? null, overlapMs, state.runStart, state.full);
  const stats: SourceStats = { source, window, extracted: 0, loaded: 0, quarantined: 0, durationMs: 0, error: null };
  state.stats.push(stats);
  return stats;
}

/** Step 1: users and events from the User Service's standby, in one snapshot. */
async function extractUserDb(deps: EtlDeps, state: RunState): Promise<void> {
  const { settings } = deps;
  const specs: ReadonlyArray<readonly [UserDbSource, SourceSpec<object>]> = [['users', usersSource], ['events', eventsSource]];
  let reader: UserDbReader;
  try {
    reader = await UserDbReader.open({ url: settings.userDbUrl, timeoutMs: settings.sourceTimeoutMs, requireStandby: settings.requireStandby, applicationName: `etl ${settings.instance}` });
  } catch (error) {
    const failure = new SourceError('user-db', error);
    statsFor(state, 'users', settings.overlapMs).error = failure.message;
    throw failure;
  }
  try {
    for (const [source, spec] of specs) {
      const stats = statsFor(state, source, settings.overlapMs);
      // One connection, one cursor at a time: the next batch is fetched while this one loads.
      const batches = new ReadAhead(reader.batches(source, stats.window, settings.batchSize), 1);
      try {
        await loadSource(state.context, spec, batches, state.marks.get(source) ?? null, stats);
      } finally {
        await batches.close();
      }
    }
  } finally {
    await reader.close();
  }
}

/** Step 2: an order's documents (placement, decision, closure) and the payments, from MongoDB. */
async function extractOrderDb(deps: EtlDeps, state: RunState): Promise<void> {
  const { settings } = deps;
  const specs: ReadonlyArray<readonly [OrderDbSource, SourceSpec<object>]> = [
    ['order_placements', placementsSource], ['order_decisions', decisionsSource], ['order_closures', closuresSource], ['payments', paymentsSource],
  ];
  let reader: OrderDbReader;
  try {
    reader = await OrderDbReader.open({ url: settings.orderDbUrl, timeoutMs: settings.sourceTimeoutMs, applicationName: `etl ${settings.instance}` });
  } catch (error) {
    const failure = new SourceError('order-db', error);
    statsFor(state, 'order_placements', settings.overlapMs).error = failure.message;
    throw failure;
  }
  // All four collections are read at once, each a few batches ahead; the warehouse takes them in order.
  const streams = specs.map(([source, spec]) => {
    const stats = statsFor(state, source, settings.overlapMs);
    return { spec, stats, batches: new ReadAhead(reader.batches(source, spec.tsField, stats.window, settings.batchSize), ORDER_DB_READ_AHEAD) };
  });
  try {
    for (const { spec, stats, batches } of streams) await loadSource(state.context, spec, batches, state.marks.get(spec.name) ?? null, stats);
  } finally {
    await Promise.all(streams.map(({ batches }) => batches.close()));
    await reader.close();
  }
}

/**
 * One ETL run, all or nothing: under the warehouse-wide run lock, every
 * source is extracted into staging, the star schema merged from what changed,
 * and the watermarks moved, in ONE warehouse transaction. A source that is
 * down (or anything else failing) rolls all of it back: the marks stay where
 * they were, so the next run reads the same windows again and nothing is lost
 * or doubled. The run's history row is written outside that transaction, so a
 * failed run is recorded too.
 */
export async function runEtl(deps: EtlDeps, request: RunRequest): Promise<RunResult> {
  const { settings, logger } = deps;
  const lock = await tryRunLock(settings.warehouseUrl, `etl ${settings.instance}`);
  if (lock === null) {
    logger.info('another ETL instance is running: this run is skipped');
    return { status: 'skipped' };
  }
  const db = lock.client;
  try {
    const mode: RunMode = request.full === true ? 'full' : 'incremental';
    const abandoned = await abandonStaleRuns(db);
    if (abandoned > 0) logger.warn({ abandoned }, 'earlier runs died mid-run; marked abandoned (their work was rolled back)');
    const runId = await startRun(db, { trigger: request.trigger, mode, instance: settings.instance });
    const started = performance.now();
    const state: RunState = {
      context: { db, runId, logger: logger.child({ runId }) },
      marks: await readWatermarks(db),
      runStart: (deps.now ?? (() => new Date()))(),
      full: request.full === true,
      stats: [],
    };
    logger.info({ runId, mode, trigger: request.trigger }, 'ETL run started');
    let summary: RunSummary;
    try {
      await db.query('BEGIN');
      await extractUserDb(deps, state);
      await extractOrderDb(deps, state);
      // Step 3: the star schema, from the staging rows this run changed.
      const merged = await mergeAll(db, runId);
      await db.query('COMMIT');
      summary = { status: 'succeeded', durationMs: performance.now() - started, sources: state.stats, merged, error: null };
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      // Rolled back: nothing of this run was kept.
      for (const stats of state.stats) stats.loaded = 0;
      const message = error instanceof Error ? error.message : String(error);
      summary = { status: 'failed', durationMs: performance.now() - started, sources: state.stats, merged: {}, error: message };
    }
    await finishRun(db, runId, summary);
    const sources = state.stats.map(({ source, extracted, loaded, quarantined }) => ({ source, extracted, loaded, quarantined }));
    const log = { runId, status: summary.status, durationMs: Math.round(summary.durationMs), merged: summary.merged, sources };
    if (summary.status === 'succeeded') logger.info(log, 'ETL run succeeded');
    else logger.error({ ...log, error: summary.error }, 'ETL run failed: rolled back; the next run retries the same windows');
    return { runId, ...summary };
  } finally {
    await lock.release();
  }
}
