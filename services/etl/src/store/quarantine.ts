import type { Quarantined } from '../domain/triage';
import type { SourceName } from '../domain/sources';
import { execute, rows, type Queryable } from './sql';

/** Stores refused records; an entry changes only when the record or the reason does (or it had been resolved). */
export async function quarantine(db: Queryable, source: SourceName, entries: readonly Quarantined[], runId: string): Promise<number> {
  if (entries.length === 0) return 0;
  return execute(db, `
    INSERT INTO etl.quarantine AS q (source, source_key, reason, raw, first_run_id, last_run_id)
    SELECT $1, x.key, x.reason, x.raw::jsonb, $3, $3 FROM jsonb_to_recordset($2::jsonb) AS x(key text, reason text, raw text)
    ON CONFLICT (source, source_key) DO UPDATE
      SET reason = EXCLUDED.reason, raw = EXCLUDED.raw, last_run_id = EXCLUDED.last_run_id, resolved_run_id = NULL, resolved_at = NULL
    WHERE (q.reason, q.raw, q.resolved_at IS NULL) IS DISTINCT FROM (EXCLUDED.reason, EXCLUDED.raw, true)`,
  [source, JSON.stringify(entries), runId]);
}

/** Open entries of a source; when there are none (the usual case) resolving is skipped entirely. */
export async function openQuarantineCount(db: Queryable, source: SourceName): Promise<number> {
  const [row] = await rows<{ n: number }>(db, 'SELECT count(*)::int AS n FROM etl.quarantine WHERE source = $1 AND resolved_at IS NULL', [source]);
  return row?.n ?? 0;
}

/** A valid version of a quarantined record arrived: the entry is kept, marked resolved by this run. */
export async function resolveQuarantined(db: Queryable, source: SourceName, keys: readonly string[], runId: string): Promise<number> {
  if (keys.length === 0) return 0;
  return execute(db, `
    UPDATE etl.quarantine SET resolved_run_id = $3, resolved_at = now()
     WHERE source = $1 AND resolved_at IS NULL AND source_key = ANY($2::text[])`, [source, keys, runId]);
}
