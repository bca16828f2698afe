import type { Logger } from '@eticket/logging';
import type { RawRecord, SourceSpec } from '../domain/sources';
import { triage } from '../domain/triage';
import { advances, laterMark, type Watermark } from '../domain/window';
import { openQuarantineCount, quarantine, resolveQuarantined } from '../store/quarantine';
import type { SourceStats } from '../store/runs';
import type { Queryable } from '../store/sql';
import { upsertStaging } from '../store/staging';
import { saveWatermark } from '../store/watermarks';

export interface LoadContext {
  /** The run's warehouse session, inside its transaction. */
  readonly db: Queryable;
  readonly runId: string;
  readonly logger: Logger;
}

/** A source failure, named after the source so the run history says which one. */
export class SourceError extends Error {
  constructor(readonly source: string, cause: unknown) {
    super(`${source}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'SourceError';
  }
}

/**
 * One source, extract to staging: each batch is validated (domain), its valid
 * rows upserted into staging, its invalid ones quarantined, and the source's
 * mark moved to the greatest (timestamp, id) seen. The caller's transaction
 * makes all of it, mark included, stand or fall with the run.
 */
export async function loadSource<Row extends object>(
  context: LoadContext,
  spec: SourceSpec<Row>,
  batches: AsyncIterable<readonly RawRecord[]>,
  stored: Watermark | null,
  stats: SourceStats,
): Promise<void> {
  const started = performance.now();
  try {
    const resolving = (await openQuarantineCount(context.db, spec.name)) > 0;
    let mark: Watermark | null = null;
    for await (const batch of batches) {
      const result = triage(spec, batch);
      stats.extracted += batch.length;
      stats.loaded += await upsertStaging(context.db, spec.name, result.rows, context.runId);
      stats.quarantined += result.quarantined.length;
      await quarantine(context.db, spec.name, result.quarantined, context.runId);
      if (resolving) await resolveQuarantined(context.db, spec.name, result.validKeys, context.runId);
      mark = laterMark(mark, result.mark);
    }
    if (advances(stored, mark)) await saveWatermark(context.db, spec.name, mark, context.runId);
    if (stats.quarantined > 0) context.logger.warn({ source: spec.name, quarantined: stats.quarantined }, 'records failed validation and were quarantined');
  } catch (error) {
    const failure = error instanceof SourceError ? error : new SourceError(spec.name, error);
    stats.error = failure.message;
    throw failure;
  } finally {
    stats.durationMs = performance.now() - started;
  }
}
