import type { HoldExpiriesView, RevenueByDayView, SellThroughView } from '../api/types';
import { currencyDigits } from './money';

// Warehouse report rows reshaped for charts: one point per day, oldest first
// (the reports list newest first), amounts in major units of their currency.

export interface RevenuePoint {
  readonly day: string;
  /** Currency code → revenue in major units. */
  readonly [currency: string]: string | number;
}

export function revenueSeries(rows: readonly RevenueByDayView[]): { points: RevenuePoint[]; currencies: string[] } {
  const currencies = [...new Set(rows.map((row) => row.currency))].sort();
  const byDay = new Map<string, Record<string, string | number>>();
  for (const row of rows) {
    const point = byDay.get(row.day) ?? { day: row.day };
    point[row.currency] = row.revenue_minor / 10 ** currencyDigits(row.currency);
    byDay.set(row.day, point);
  }
  const points = [...byDay.values()].map((point) => {
    for (const currency of currencies) point[currency] ??= 0;
    return point as RevenuePoint;
  });
  return { points: points.sort((a, b) => a.day.localeCompare(b.day)), currencies };
}

export function holdSeries(rows: readonly HoldExpiriesView[]): { day: string; paid: number; expired: number; cancelled: number }[] {
  return rows
    .map((row) => ({ day: row.day, paid: row.orders_paid, expired: row.orders_expired, cancelled: row.orders_cancelled }))
    .sort((a, b) => a.day.localeCompare(b.day));
}

/** Event names can be long: shortened for an axis label (the full name is in the tooltip). */
export function sellThroughSeries(rows: readonly SellThroughView[]): { name: string; label: string; sold: number; held: number; unsold: number }[] {
  return rows.map((row) => ({
    name: row.event_name,
    label: row.event_name.length > 18 ? `${row.event_name.slice(0, 17)}…` : row.event_name,
    sold: row.seats_sold,
    held: row.seats_held,
    unsold: row.seats_unsold,
  }));
}
