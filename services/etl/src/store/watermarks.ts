import { SOURCES, type SourceName } from '../domain/sources';
import type { Watermark } from '../domain/window';
import { execute, rows, type Queryable } from './sql';

export async function readWatermarks(db: Queryable): Promise<Map<SourceName, Watermark>> {
  const found = await rows<{ source: string; last_ts: Date; last_id: string }>(db, 'SELECT source, last_ts, last_id FROM etl.watermarks');
  const marks = new Map<SourceName, Watermark>();
  for (const row of found) {
    if ((SOURCES as readonly string[]).includes(row.source)) marks.set(row.source as SourceName, { ts: row.last_ts, id: row.last_id });
  }
  return marks;
}

/** Moves a source's mark forward (never back: the WHERE guards against a stale caller), inside the run's transaction. */
export async function saveWatermark(db: Queryable, source: SourceName, mark: Watermark, runId: string): Promise<number> {
  return execute(db, `
    INSERT INTO etl.watermarks AS w (source, last_ts, last_id, run_id) VALUES ($1, $2, $3, $4)
    ON CONFLICT (source) DO UPDATE SET last_ts = EXCLUDED.last_ts, last_id = EXCLUDED.last_id, run_id = EXCLUDED.run_id, updated_at = now()
    WHERE (w.last_ts, w.last_id COLLATE "C") < (EXCLUDED.last_ts, EXCLUDED.last_id COLLATE "C")`, [source, mark.ts, mark.id, runId]);
}
