import type { RunsView, RunView } from '@eticket/contracts';
import { SOURCES } from '../domain/sources';
import type { Paged, Paging } from './reports';
import { rows, toNumber, type Queryable } from './sql';

// The run history and the quarantine as GET /reports/runs shows them.

type Count = string | number;
const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

interface RunDbRow {
  id: string; trigger: RunView['trigger']; mode: RunView['mode']; instance: string; status: RunView['status']; started_at: Date; finished_at: Date | null;
  duration_ms: number | null; rows_extracted: number; rows_loaded: number; rows_quarantined: number; merged: Record<string, number>; error: string | null;
}

interface RunSourceDbRow {
  run_id: string; source: string; window_from: Date | null; window_to: Date; extracted: number; loaded: number; quarantined: number; duration_ms: number;
  error: string | null;
}

const sourceOrder = (source: string): number => (SOURCES as readonly string[]).indexOf(source);

export async function runs(db: Queryable, paging: Paging): Promise<Paged<RunView>> {
  const [found, [count]] = await Promise.all([
    rows<RunDbRow>(db, 'SELECT * FROM etl.runs ORDER BY id DESC LIMIT $1 OFFSET $2', [paging.limit, paging.offset]),
    rows<{ n: Count }>(db, 'SELECT count(*) AS n FROM etl.runs'),
  ]);
  const sources = await rows<RunSourceDbRow>(db, 'SELECT * FROM etl.run_sources WHERE run_id = ANY($1::bigint[])', [found.map((run) => run.id)]);
  return {
    total: toNumber(count?.n),
    items: found.map((run) => ({
      id: toNumber(run.id), trigger: run.trigger, mode: run.mode, instance: run.instance, status: run.status, started_at: run.started_at.toISOString(),
      finished_at: iso(run.finished_at), duration_ms: run.duration_ms, rows_extracted: run.rows_extracted, rows_loaded: run.rows_loaded,
      rows_quarantined: run.rows_quarantined, merged: run.merged, error: run.error,
      sources: sources.filter((source) => source.run_id === run.id).sort((a, b) => sourceOrder(a.source) - sourceOrder(b.source)).map((source) => ({
        source: source.source, window_from: iso(source.window_from), window_to: source.window_to.toISOString(), extracted: source.extracted,
        loaded: source.loaded, quarantined: source.quarantined, duration_ms: source.duration_ms, error: source.error,
      })),
    })),
  };
}

export interface QuarantineView {
  readonly open: number;
  readonly latest: RunsView['quarantine']['latest'];
}

export async function openQuarantine(db: Queryable, limit: number): Promise<QuarantineView> {
  const [latest, [count]] = await Promise.all([
    rows<{ source: string; source_key: string; reason: string; raw: unknown; first_run_id: string; last_run_id: string; first_seen_at: Date }>(db, `
      SELECT source, source_key, reason, raw, first_run_id, last_run_id, first_seen_at FROM etl.quarantine
       WHERE resolved_at IS NULL ORDER BY first_seen_at DESC, source, source_key LIMIT $1`, [limit]),
    rows<{ n: Count }>(db, 'SELECT count(*) AS n FROM etl.quarantine WHERE resolved_at IS NULL'),
  ]);
  return {
    open: toNumber(count?.n),
    latest: latest.map((entry) => ({
      ...entry, first_run_id: toNumber(entry.first_run_id), last_run_id: toNumber(entry.last_run_id), first_seen_at: entry.first_seen_at.toISOString(),
    })),
  };
}
