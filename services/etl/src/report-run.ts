import type { RunResult } from './jobs/run-etl';

/** A run's result as a few lines of text (the CLI and the benchmark print it). */
export function formatRun(result: RunResult): string {
  if (result.status === 'skipped') return 'skipped: another ETL instance holds the run lock';
  const lines = [`run ${result.runId}: ${result.status} in ${(result.durationMs / 1000).toFixed(2)} s${result.error === null ? '' : ` - ${result.error}`}`];
  for (const stats of result.sources) {
    const from = stats.window.from === null ? 'beginning' : stats.window.from.toISOString();
    lines.push(`  ${stats.source.padEnd(17)} [${from}, ${stats.window.to.toISOString()})  extracted ${String(stats.extracted).padStart(8)}  loaded ${String(stats.loaded).padStart(8)}  quarantined ${String(stats.quarantined).padStart(5)}  ${(stats.durationMs / 1000).toFixed(2)} s${stats.error === null ? '' : `  ERROR ${stats.error}`}`);
  }
  const merged = Object.entries(result.merged).map(([table, count]) => `${table} ${count}`).join(', ');
  if (merged !== '') lines.push(`  merged: ${merged}`);
  return lines.join('\n');
}
