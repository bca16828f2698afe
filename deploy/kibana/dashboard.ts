// npx tsx deploy/kibana/dashboard.ts > deploy/kibana/eticket.ndjson
// The Kibana saved objects the kibana-setup job imports: a data view over the
// log indices Logstash writes and one dashboard of aggregation-based
// visualizations. Written as code so the fields they use are checked against
// Logstash's index template (deploy/configs.test.ts); the .ndjson is its output.

export const DATA_VIEW_ID = 'eticket-logs';
export const DASHBOARD_ID = 'eticket-overview';

interface Metric {
  readonly type: 'count' | 'avg' | 'percentiles';
  readonly field?: string;
  readonly percents?: readonly number[];
}

interface Panel {
  readonly id: string;
  readonly title: string;
  readonly chart: 'line' | 'histogram';
  /** KQL selecting the log lines. */
  readonly query: string;
  readonly metric: Metric;
  /** Split into one series per value of this field. */
  readonly splitBy: string;
  readonly axisTitle: string;
}

/** The panels the issue asks for; each reads fields the services log today. */
export const PANELS: readonly Panel[] = [
  { id: 'eticket-errors-per-service', title: 'Errors per service', chart: 'histogram', query: 'log.level:(error or fatal)', metric: { type: 'count' }, splitBy: 'service.name', axisTitle: 'error lines' },
  {
    id: 'eticket-request-latency', title: 'Request latency p50 / p99 (ms)', chart: 'line', query: 'message:"request completed" and responseTime:*',
    metric: { type: 'percentiles', field: 'responseTime', percents: [50, 99] }, splitBy: 'service.name', axisTitle: 'ms',
  },
  { id: 'eticket-breaker-transitions', title: 'Circuit breaker transitions', chart: 'histogram', query: 'breaker:*', metric: { type: 'count' }, splitBy: 'breaker', axisTitle: 'transitions' },
  {
    id: 'eticket-orders-payments', title: 'Orders and payments (requests by route)', chart: 'histogram',
    query: 'service.name:order and message:"request completed" and http.request.method:POST', metric: { type: 'count' }, splitBy: 'http.route', axisTitle: 'requests',
  },
  {
    // A placement answers 201 when the two-phase commit committed, 409 when the seat participant voted no, 5xx when it was aborted otherwise or refused.
    id: 'eticket-2pc-outcomes', title: 'Two-phase commit outcomes (order placements by status)', chart: 'histogram',
    query: 'service.name:order and message:"request completed" and http.route:"/order" and http.request.method:POST', metric: { type: 'count' }, splitBy: 'http.response.status_code', axisTitle: 'placements',
  },
  { id: 'eticket-2pc-recovery', title: 'Two-phase commit: aborts, recovery, late commits', chart: 'histogram', query: 'txId:*', metric: { type: 'count' }, splitBy: 'message.keyword', axisTitle: 'events' },
];

const searchSource = (query: string) => JSON.stringify({ query: { query, language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' });

function metricAgg(metric: Metric): Record<string, unknown> {
  const params = metric.type === 'count' ? {} : metric.type === 'avg' ? { field: metric.field } : { field: metric.field, percents: metric.percents };
  return { id: '1', enabled: true, type: metric.type, params, schema: 'metric' };
}

/** Kibana 7.10's export shape for line and bar charts; import migrates it to the running version. */
function visState(panel: Panel): string {
  return JSON.stringify({
    title: panel.title,
    type: panel.chart,
    aggs: [
      metricAgg(panel.metric),
      { id: '2', enabled: true, type: 'date_histogram', params: { field: '@timestamp', interval: 'auto', min_doc_count: 1, extended_bounds: {} }, schema: 'segment' },
      { id: '3', enabled: true, type: 'terms', params: { field: panel.splitBy, size: 10, order: 'desc', orderBy: '_key', otherBucket: true, missingBucket: false }, schema: 'group' },
    ],
    params: {
      type: panel.chart,
      grid: { categoryLines: false },
      categoryAxes: [{ id: 'CategoryAxis-1', type: 'category', position: 'bottom', show: true, style: {}, scale: { type: 'linear' }, labels: { show: true, filter: true, truncate: 100 }, title: {} }],
      valueAxes: [{
        id: 'ValueAxis-1', name: 'LeftAxis-1', type: 'value', position: 'left', show: true, style: {},
        scale: { type: 'linear', mode: 'normal' }, labels: { show: true, rotate: 0, filter: false, truncate: 100 }, title: { text: panel.axisTitle },
      }],
      seriesParams: [{
        show: true, type: panel.chart === 'line' ? 'line' : 'histogram', mode: panel.chart === 'line' ? 'normal' : 'stacked',
        data: { label: panel.axisTitle, id: '1' }, valueAxis: 'ValueAxis-1', drawLinesBetweenPoints: true, lineWidth: 2, showCircles: true,
      }],
      addTooltip: true, addLegend: true, legendPosition: 'right', times: [], addTimeMarker: false,
      thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
      labels: { show: false },
    },
  });
}

export function savedObjects(): Record<string, unknown>[] {
  const dataView = {
    id: DATA_VIEW_ID, type: 'index-pattern', migrationVersion: { 'index-pattern': '7.11.0' },
    attributes: { title: 'eticket-logs-*', timeFieldName: '@timestamp', name: 'E-Ticket logs' }, references: [],
  };
  const visualizations = PANELS.map((panel) => ({
    id: panel.id, type: 'visualization', migrationVersion: { visualization: '7.10.0' },
    attributes: { title: panel.title, description: '', uiStateJSON: '{}', version: 1, visState: visState(panel), kibanaSavedObjectMeta: { searchSourceJSON: searchSource(panel.query) } },
    references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: DATA_VIEW_ID }],
  }));
  const panelsJSON = PANELS.map((_panel, i) => ({
    version: '7.10.0', type: 'visualization', panelIndex: String(i + 1), embeddableConfig: {}, panelRefName: `panel_${i}`,
    gridData: { x: (i % 2) * 24, y: Math.floor(i / 2) * 15, w: 24, h: 15, i: String(i + 1) },
  }));
  const dashboard = {
    id: DASHBOARD_ID, type: 'dashboard', migrationVersion: { dashboard: '7.9.3' },
    attributes: {
      title: 'E-Ticket overview', description: 'Errors, latency, breakers, orders and payments, two-phase commit outcomes (from the services\' ECS logs)',
      panelsJSON: JSON.stringify(panelsJSON), optionsJSON: JSON.stringify({ useMargins: true, hidePanelTitles: false }),
      timeRestore: true, timeFrom: 'now-1h', timeTo: 'now', refreshInterval: { pause: false, value: 30_000 }, version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references: PANELS.map((panel, i) => ({ name: `panel_${i}`, type: 'visualization', id: panel.id })),
  };
  return [dataView, ...visualizations, dashboard];
}

export const toNdjson = (objects: readonly unknown[]) => `${objects.map((object) => JSON.stringify(object)).join('\n')}\n`;

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(toNdjson(savedObjects()));
