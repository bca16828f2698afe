import type { SourceName } from '../domain/sources';
import type { ExtractWindow } from '../domain/window';
import { execute, rows, type Queryable } from './sql';

export type RunTrigger = 'schedule' | 'manual';
export type RunMode = 'incremental' | 'full';
export type RunStatus = 'succeeded' | 'failed';

export interface SourceStats {
  readonly source: SourceName;
  readonly window: ExtractWindow;
  extracted: number;
  loaded: number;
  quarantined: number;
  durationMs: number;
  error: string | null;
}

export interface RunSummary {
  readonly status: RunStatus;
  readonly durationMs: number;
  readonly sources: readonly SourceStats[];
  /** Rows each warehouse table gained or changed. */
  readonly merged: Readonly<Record<string, number>>;
  readonly error: string | null;
}

/**
 * Runs left `running` belong to a process that died mid-run: only the lock
 * holder calls this, so no live run can be among them.
 */
export async function abandonStaleRuns(db: Queryable): Promise<number> {
  return execute(db, `
    UPDATE etl.runs SET status = 'abandoned', finished_at = now(), error = 'the process running it stopped before it finished; nothing of it was kept'
     WHERE status = 'running'`);
}

export async function startRun(db: Queryable, run: { trigger: RunTrigger; mode: RunMode; instance: string }): Promise<string> {
  const [row] = await rows<{ id: string }>(db, 'INSERT INTO etl.runs (trigger, mode, instance, status) VALUES ($1, $2, $3, \'running\') RETURNING id', [run.trigger, run.mode, run.instance]);
  if (row === undefined) throw new Error('INSERT ... RETURNING gave no row');
  return row.id;
}

export async function finishRun(db: Queryable, runId: string, summary: RunSummary): Promise<void> {
  const total = (pick: (stats: SourceStats) => number) => summary.sources.reduce((sum, stats) => sum + pick(stats), 0);
  await execute(db, `
    UPDATE etl.runs SET status = $2, finished_at = now(), duration_ms = $3, rows_extracted = $4, rows_loaded = $5, rows_quarantined = $6, merged = $7, error = $8
     WHERE id = $1`,
  [
    runId, summary.status, Math.round(summary.durationMs), total((s) => s.extracted), total((s) => s.loaded), total((s) => s.quarantined),
    JSON.stringify(summary.merged), summary.error,
  ]);
  if (summary.sources.length === 0) return;
  await execute(db, `
    INSERT INTO etl.run_sources (run_id, source, window_from, window_to, extracted, loaded, quarantined, duration_ms, error)
    SELECT $1, s.source, s.window_from, s.window_to, s.extracted, s.loaded, s.quarantined, s.duration_ms, s.error
      FROM jsonb_to_recordset($2::jsonb) AS s(source text, window_from timestamptz, window_to timestamptz, extracted int, loaded int, quarantined int, duration_ms int, error text)`,
  [runId, JSON.stringify(summary.sources.map((stats) => ({
    source: stats.source,
    window_from: stats.window.from,
    window_to: stats.window.to,
    extracted: stats.extracted,
    loaded: stats.loaded,
    quarantined: stats.quarantined,
    duration_ms: Math.round(stats.durationMs),
    error: stats.error,
  })))]);
}
