import type {
  ConversionView, HoldExpiriesView, RevenueByDayView, SalesByEventView, SellThroughView,
} from '@eticket/contracts';
import { ratio, type DayRange } from '../domain/report-range';
import { rows, toNumber, type Queryable } from './sql';

// The report queries, on the star schema only (never staging): facts joined
// to their dimensions, amounts summed per currency. bigint sums come back
// from pg as strings and go through toNumber, which refuses inexact values.

export interface Paging {
  readonly limit: number;
  readonly offset: number;
}

export interface Paged<T> {
  readonly items: T[];
  readonly total: number;
}

type Count = string | number;
const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

export interface SalesFilter {
  readonly fromKey: number | null;
  readonly toKey: number | null;
  readonly eventId: string | null;
}

export async function salesByEvent(db: Queryable, filter: SalesFilter, paging: Paging): Promise<Paged<SalesByEventView>> {
  const where = `f.status = 'paid' AND ($1::int IS NULL OR f.order_date_key >= $1) AND ($2::int IS NULL OR f.order_date_key <= $2) AND ($3::uuid IS NULL OR f.event_id = $3)`;
  const params = [filter.fromKey, filter.toKey, filter.eventId];
  const [found, [count]] = await Promise.all([
    rows<{ event_id: string; event_name: string | null; event_date: Date | null; venue_name: string | null; currency: string; orders_paid: Count; tickets_sold: Count; revenue_minor: Count }>(db, `
      SELECT f.event_id, e.name AS event_name, e.date_time AS event_date, e.venue_name, f.currency,
             count(*) AS orders_paid, sum(f.quantity) AS tickets_sold, sum(f.total_minor) AS revenue_minor
        FROM dw.fact_order f LEFT JOIN dw.dim_event e USING (event_id)
       WHERE ${where}
       GROUP BY f.event_id, e.name, e.date_time, e.venue_name, f.currency
       ORDER BY tickets_sold DESC, f.event_id, f.currency LIMIT $4 OFFSET $5`, [...params, paging.limit, paging.offset]),
    rows<{ n: Count }>(db, `SELECT count(*) AS n FROM (SELECT 1 FROM dw.fact_order f WHERE ${where} GROUP BY f.event_id, f.currency) g`, params),
  ]);
  return {
    total: toNumber(count?.n),
    items: found.map((row) => ({
      event_id: row.event_id, event_name: row.event_name, event_date: iso(row.event_date), venue_name: row.venue_name, currency: row.currency,
      orders_paid: toNumber(row.orders_paid), tickets_sold: toNumber(row.tickets_sold), revenue_minor: toNumber(row.revenue_minor),
    })),
  };
}

export async function revenueByDay(db: Queryable, range: DayRange, currency: string | null, paging: Paging): Promise<Paged<RevenueByDayView>> {
  const where = `p.payment_date_key BETWEEN $1 AND $2 AND p.status IN ('succeeded', 'refunded') AND ($3::text IS NULL OR p.currency = $3)`;
  const params = [range.fromKey, range.toKey, currency];
  const [found, [count]] = await Promise.all([
    rows<{ day: string; currency: string; payments_succeeded: Count; revenue_minor: Count; payments_refunded: Count; refunded_minor: Count }>(db, `
      SELECT d.date::text AS day, p.currency,
             count(*) FILTER (WHERE p.status = 'succeeded') AS payments_succeeded,
             coalesce(sum(p.amount_minor) FILTER (WHERE p.status = 'succeeded'), 0) AS revenue_minor,
             count(*) FILTER (WHERE p.status = 'refunded') AS payments_refunded,
             coalesce(sum(p.amount_minor) FILTER (WHERE p.status = 'refunded'), 0) AS refunded_minor
        FROM dw.fact_payment p JOIN dw.dim_date d ON d.date_key = p.payment_date_key
       WHERE ${where}
       GROUP BY d.date, p.currency ORDER BY d.date DESC, p.currency LIMIT $4 OFFSET $5`, [...params, paging.limit, paging.offset]),
    rows<{ n: Count }>(db, `SELECT count(*) AS n FROM (SELECT 1 FROM dw.fact_payment p WHERE ${where} GROUP BY p.payment_date_key, p.currency) g`, params),
  ]);
  return {
    total: toNumber(count?.n),
    items: found.map((row) => ({
      day: row.day, currency: row.currency, payments_succeeded: toNumber(row.payments_succeeded), revenue_minor: toNumber(row.revenue_minor),
      payments_refunded: toNumber(row.payments_refunded), refunded_minor: toNumber(row.refunded_minor),
    })),
  };
}

export async function sellThrough(db: Queryable, eventId: string | null, paging: Paging): Promise<Paged<SellThroughView>> {
  const [found, [count]] = await Promise.all([
    rows<{ event_id: string; name: string; date_time: Date; venue_name: string; total_seats: number; sold: Count; held: Count }>(db, `
      SELECT e.event_id, e.name, e.date_time, e.venue_name, e.total_seats, coalesce(s.sold, 0) AS sold, coalesce(s.held, 0) AS held
        FROM dw.dim_event e
        LEFT JOIN (SELECT event_id, sum(quantity) FILTER (WHERE status = 'paid') AS sold, sum(quantity) FILTER (WHERE status = 'pending_payment') AS held
                     FROM dw.fact_order WHERE ($1::uuid IS NULL OR event_id = $1) GROUP BY event_id) s USING (event_id)
       WHERE ($1::uuid IS NULL OR e.event_id = $1)
       ORDER BY coalesce(s.sold, 0)::float8 / e.total_seats DESC, e.date_time, e.event_id LIMIT $2 OFFSET $3`, [eventId, paging.limit, paging.offset]),
    rows<{ n: Count }>(db, 'SELECT count(*) AS n FROM dw.dim_event WHERE ($1::uuid IS NULL OR event_id = $1)', [eventId]),
  ]);
  return {
    total: toNumber(count?.n),
    items: found.map((row) => {
      const sold = toNumber(row.sold);
      const held = toNumber(row.held);
      return {
        event_id: row.event_id, event_name: row.name, event_date: row.date_time.toISOString(), venue_name: row.venue_name, total_seats: row.total_seats,
        seats_sold: sold, seats_held: held, seats_unsold: Math.max(0, row.total_seats - sold - held), sell_through: ratio(sold, row.total_seats) ?? 0,
      };
    }),
  };
}

type ConversionFigures = ConversionView['total'];

function conversionFigures(counts: Omit<ConversionFigures, 'conversion_rate' | 'attempt_rate' | 'payment_success_rate'>): ConversionFigures {
  return {
    ...counts,
    conversion_rate: ratio(counts.orders_paid, counts.orders_confirmed),
    attempt_rate: ratio(counts.orders_with_payment_attempt, counts.orders_confirmed),
    payment_success_rate: ratio(counts.payments_succeeded, counts.payments_attempted),
  };
}

export async function conversion(db: Queryable, range: DayRange, eventId: string | null): Promise<ConversionView> {
  const found = await rows<{ day: string; placed: Count; confirmed: Count; attempted_orders: Count; paid: Count; attempts: Count; succeeded: Count }>(db, `
    WITH o AS (
      SELECT order_id, order_date_key, status, status IN ('pending_payment', 'paid', 'expired', 'cancelled') AS confirmed
        FROM dw.fact_order WHERE order_date_key BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR event_id = $3)),
    p AS (
      SELECT fp.order_id, count(*) AS attempts, count(*) FILTER (WHERE fp.status = 'succeeded') AS succeeded
        FROM dw.fact_payment fp JOIN o USING (order_id) GROUP BY fp.order_id)
    SELECT d.date::text AS day, count(*) AS placed, count(*) FILTER (WHERE o.confirmed) AS confirmed,
           count(*) FILTER (WHERE o.confirmed AND p.attempts > 0) AS attempted_orders, count(*) FILTER (WHERE o.status = 'paid') AS paid,
           coalesce(sum(p.attempts), 0) AS attempts, coalesce(sum(p.succeeded), 0) AS succeeded
      FROM o JOIN dw.dim_date d ON d.date_key = o.order_date_key LEFT JOIN p USING (order_id)
     GROUP BY d.date ORDER BY d.date`, [range.fromKey, range.toKey, eventId]);
  const days = found.map((row) => ({
    day: row.day,
    ...conversionFigures({
      orders_placed: toNumber(row.placed), orders_confirmed: toNumber(row.confirmed), orders_with_payment_attempt: toNumber(row.attempted_orders),
      orders_paid: toNumber(row.paid), payments_attempted: toNumber(row.attempts), payments_succeeded: toNumber(row.succeeded),
    }),
  }));
  const sum = (pick: (day: ConversionFigures) => number) => days.reduce((total, day) => total + pick(day), 0);
  const total = conversionFigures({
    orders_placed: sum((d) => d.orders_placed), orders_confirmed: sum((d) => d.orders_confirmed),
    orders_with_payment_attempt: sum((d) => d.orders_with_payment_attempt),
    orders_paid: sum((d) => d.orders_paid), payments_attempted: sum((d) => d.payments_attempted), payments_succeeded: sum((d) => d.payments_succeeded),
  });
  return { from: range.from, to: range.to, event_id: eventId, total, days };
}

export async function holdExpiries(db: Queryable, range: DayRange, eventId: string | null, paging: Paging): Promise<Paged<HoldExpiriesView>> {
  const where = 'f.closed_date_key BETWEEN $1 AND $2 AND ($3::uuid IS NULL OR f.event_id = $3)';
  const params = [range.fromKey, range.toKey, eventId];
  const [found, [count]] = await Promise.all([
    rows<{ day: string; ended: Count; expired: Count; seats: Count; cancelled: Count; paid: Count }>(db, `
      SELECT d.date::text AS day, count(*) AS ended, count(*) FILTER (WHERE f.status = 'expired') AS expired,
             coalesce(sum(f.quantity) FILTER (WHERE f.status = 'expired'), 0) AS seats,
             count(*) FILTER (WHERE f.status = 'cancelled') AS cancelled, count(*) FILTER (WHERE f.status = 'paid') AS paid
        FROM dw.fact_order f JOIN dw.dim_date d ON d.date_key = f.closed_date_key
       WHERE ${where}
       GROUP BY d.date ORDER BY d.date DESC LIMIT $4 OFFSET $5`, [...params, paging.limit, paging.offset]),
    rows<{ n: Count }>(db, `SELECT count(DISTINCT f.closed_date_key) AS n FROM dw.fact_order f WHERE ${where}`, params),
  ]);
  return {
    total: toNumber(count?.n),
    items: found.map((row) => ({
      day: row.day, holds_ended: toNumber(row.ended), orders_expired: toNumber(row.expired), seats_released_by_expiry: toNumber(row.seats),
      orders_cancelled: toNumber(row.cancelled), orders_paid: toNumber(row.paid), expiry_rate: ratio(toNumber(row.expired), toNumber(row.ended)),
    })),
  };
}
