import { percentile, type Recorder } from './load';
import type { CpuSample } from './cpu';
import type { InvariantReport } from './invariants';

/** One scenario's figures, as printed and written to JSON. */
export interface ScenarioResult {
  readonly name: string;
  /** What was offered: `N/s` (open model) or `N conc` (closed). */
  readonly offered: string;
  /** Confirmed orders/s for order scenarios, answered requests/s for browsing. */
  readonly throughput: number;
  readonly unit: 'orders/s' | 'req/s';
  /** Latency (ms) of the requests the scenario is about: admitted POST /order, or the reads. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** The same requests as the gateway timed them (Server-Timing): without the load generator's own delays. */
  readonly gatewayP50: number;
  readonly gatewayP99: number;
  readonly statuses: Record<string, Record<string, number>>;
  readonly queueWaitP50?: number;
  readonly queueWaitP99?: number;
  readonly abandoned?: number;
  readonly invariants?: InvariantReport;
  /** CPU ms per confirmed order by component (order scenarios). */
  readonly cpuPerOrder?: CpuSample;
  /** The waiting room's concurrency limit when the run ended. */
  readonly roomLimit?: number;
  /** p99 of the load generator's event-loop delay during the run, ms (part of every latency it measured). */
  readonly generatorLagP99?: number;
}

export function summarise(
  name: string,
  offered: string,
  recorder: Recorder,
  kinds: readonly string[],
  throughput: number,
  unit: ScenarioResult['unit'],
  invariants?: InvariantReport,
  cpu?: CpuSample,
): ScenarioResult {
  const latencies = kinds.flatMap((kind) => recorder.latencies.get(kind) ?? []);
  const gatewayLatencies = kinds.flatMap((kind) => recorder.gatewayLatencies.get(kind) ?? []);
  const byStatus = (counts: Map<number, number>) => Object.fromEntries([...counts].map(([status, n]) => [String(status), n]));
  const statuses = Object.fromEntries([...recorder.statuses].map(([kind, counts]) => [kind, byStatus(counts)]));
  return {
    name,
    offered,
    throughput,
    unit,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p999: percentile(latencies, 99.9),
    gatewayP50: percentile(gatewayLatencies, 50),
    gatewayP99: percentile(gatewayLatencies, 99),
    statuses,
    ...(recorder.queueWaits.length > 0 ? { queueWaitP50: percentile(recorder.queueWaits, 50), queueWaitP99: percentile(recorder.queueWaits, 99) } : {}),
    ...(recorder.abandoned > 0 ? { abandoned: recorder.abandoned } : {}),
    ...(invariants === undefined ? {} : { invariants }),
    ...(cpu === undefined ? {} : { cpuPerOrder: cpu }),
  };
}

const cell = (value: number | undefined, digits = 0) => (value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits));

/** Status counts other than success, compactly: `order 409:12 503:1; queued 202:4000`. */
function errorsOf(result: ScenarioResult): string {
  const parts: string[] = [];
  for (const [kind, counts] of Object.entries(result.statuses)) {
    const shown = Object.entries(counts).filter(([status]) => !['200', '201'].includes(status) && !(kind === 'order-queued' && status === '202'));
    if (shown.length > 0) parts.push(`${kind} ${shown.map(([status, n]) => `${status}:${n}`).join(' ')}`);
  }
  const queued = result.statuses['order-queued']?.['202'];
  if (queued !== undefined) parts.unshift(`queued ${queued}`);
  return parts.join('; ') || '-';
}

function invariantsOf(result: ScenarioResult): string {
  const inv = result.invariants;
  if (inv === undefined) return '-';
  return `sold ${inv.seatsSold}=${inv.seatsPaid}p+${inv.seatsHeld}h ${inv.soldEqualsPaidPlusHeld ? 'ok' : 'MISMATCH'}, oversold ${inv.oversold}, prepared ${inv.preparedLeft}, stuck ${inv.stuck}`;
}

export function table(results: readonly ScenarioResult[]): string {
  const header = ['scenario', 'offered', 'throughput', 'p50 ms', 'p99 ms', 'p99.9 ms', 'at gateway p50/p99 ms', 'queue wait p50/p99 s', 'errors by status', 'invariants', 'cpu ms/order gw+svc+infra+gen'];
  const rows = results.map((r) => [
    r.name,
    r.offered,
    `${cell(r.throughput, 1)} ${r.unit}`,
    cell(r.p50),
    cell(r.p99),
    cell(r.p999),
    `${cell(r.gatewayP50)}/${cell(r.gatewayP99)}`,
    r.queueWaitP50 === undefined ? '-' : `${cell(r.queueWaitP50 / 1000, 1)}/${cell((r.queueWaitP99 ?? Number.NaN) / 1000, 1)}`,
    errorsOf(r) + (r.abandoned === undefined ? '' : `; left queue ${r.abandoned}`),
    invariantsOf(r),
    r.cpuPerOrder === undefined ? '-' : [r.cpuPerOrder.gateway, r.cpuPerOrder.services, r.cpuPerOrder.platform, r.cpuPerOrder.generator].map((ms) => cell(ms, 1)).join('+'),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
