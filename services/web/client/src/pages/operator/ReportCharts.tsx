import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api } from '../../api/endpoints';
import { ErrorNotice, Loading } from '../../components/feedback';
import { holdSeries, revenueSeries, sellThroughSeries } from '../../lib/report-series';
import { useAsync } from '../../lib/use-async';
import { useSession } from '../../session/session';

const PALETTE = ['#1f4fd1', '#d1731f', '#2e9e5b', '#b23a48', '#6b4fbb'];

/** The sell-through tooltip shows the whole event name (the axis a shortened one). */
function fullEventName(label: unknown, payload: readonly { payload?: unknown }[]): string {
  const point = payload[0]?.payload;
  return typeof point === 'object' && point !== null && 'name' in point && typeof point.name === 'string' ? point.name : String(label);
}

function ChartFigure({ title, testId, empty, children }: { title: string; testId: string; empty: boolean; children: ReactNode }) {
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      {empty ? <p className="hint">No data in the warehouse yet (it is loaded by the ETL every few minutes).</p> : <div className="chart-area">{children}</div>}
    </figure>
  );
}

/** The warehouse reports (ETL service, through the gateway, admins only) as charts. */
export function ReportCharts() {
  const { session } = useSession();
  const token = session?.token;
  const reports = useAsync(async () => {
    const [revenue, sellThrough, conversion, holds] = await Promise.all([
      api.revenueByDay(token), api.sellThrough(token), api.conversion(token), api.holdExpiries(token),
    ]);
    return { revenue: revenueSeries(revenue.items), sellThrough: sellThroughSeries(sellThrough.items), conversion, holds: holdSeries(holds.items) };
  }, token ?? '');
  if (reports.data === undefined) {
    return (
      <>
        <h2>Warehouse reports</h2>
        {reports.error === undefined ? <Loading label="Loading the reports…" /> : <ErrorNotice error={reports.error} onRetry={reports.reload} />}
      </>
    );
  }
  const { revenue, sellThrough, conversion, holds } = reports.data;
  const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)} %`);
  return (
    <>
      <h2>Warehouse reports</h2>
      <p>
        {`Last 30 days: ${conversion.total.orders_placed} orders placed, ${conversion.total.orders_paid} paid; `}
        {`conversion ${percent(conversion.total.conversion_rate)}, payment success ${percent(conversion.total.payment_success_rate)}.`}
      </p>
      <div className="charts">
        <ChartFigure title="Revenue per day (succeeded payments)" testId="chart-revenue" empty={revenue.points.length === 0}>
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={revenue.points}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis />
              <Tooltip />
              <Legend />
              {revenue.currencies.map((currency, index) => (
                <Bar key={currency} dataKey={currency} fill={PALETTE[index % PALETTE.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </ChartFigure>
        <ChartFigure title="Sell-through of the best-selling events" testId="chart-sell-through" empty={sellThrough.length === 0}>
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={sellThrough} layout="vertical" margin={{ left: 20 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis type="number" />
              <YAxis type="category" dataKey="label" width={130} />
              <Tooltip labelFormatter={fullEventName} />
              <Legend />
              <Bar dataKey="sold" stackId="seats" fill={PALETTE[0]} isAnimationActive={false} />
              <Bar dataKey="held" stackId="seats" fill={PALETTE[1]} isAnimationActive={false} />
              <Bar dataKey="unsold" stackId="seats" fill="#c9cfd8" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartFigure>
        <ChartFigure title="Orders placed and paid per day" testId="chart-conversion" empty={conversion.days.length === 0}>
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={conversion.days}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Line type="monotone" dataKey="orders_placed" name="placed" stroke={PALETTE[0]} isAnimationActive={false} />
              <Line type="monotone" dataKey="orders_paid" name="paid" stroke={PALETTE[2]} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </ChartFigure>
        <ChartFigure title="How seat holds ended per day" testId="chart-holds" empty={holds.length === 0}>
          <ResponsiveContainer width="100%" height={260}>
            <BarChart data={holds}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="day" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="paid" stackId="holds" fill={PALETTE[2]} isAnimationActive={false} />
              <Bar dataKey="expired" stackId="holds" fill={PALETTE[3]} isAnimationActive={false} />
              <Bar dataKey="cancelled" stackId="holds" fill={PALETTE[1]} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartFigure>
      </div>
    </>
  );
}
