// After a run, the warehouse's totals equal the sources' totals, and the
// reports (served by the ETL service, admins only) add up to the same figures.
import { randomBytes, randomUUID } from 'node:crypto';
import { signInternalIdentity, type Identity } from '@eticket/auth';
import type { ConversionView, HoldExpiriesView, RevenueByDayView, RunsView, SalesByEventView, SellThroughView } from '@eticket/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEtlService, type EtlService } from '../../services/etl/src/app';
import { loadConfig } from '../../services/etl/src/config';
import { platformEnv } from '../setup/platform-env';
import { sourceTotals, warehouseTotals } from './reconcile';
import { seedMarketplace, type Seeded } from './seed';
import { startHarness, succeeded, type Harness } from './support';

const secret = randomBytes(32).toString('hex');
const admin: Identity = { userId: randomUUID(), email: 'admin@example.test', roles: ['buyer', 'admin'] };
const buyer: Identity = { userId: randomUUID(), email: 'buyer@example.test', roles: ['buyer'] };
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

let h: Harness;
let service: EtlService;
let seeded: Seeded;

async function report<T>(url: string, who: Identity | null = admin): Promise<{ status: number; body: T }> {
  const headers = who === null ? {} : { 'x-eticket-identity': await signInternalIdentity(who, secret) };
  const response = await service.http.inject({ method: 'GET', url, headers });
  return { status: response.statusCode, body: response.json<T>() };
}

/** Every page of a paged report. */
async function allPages<T>(url: string): Promise<T[]> {
  const items: T[] = [];
  for (let offset = 0; ; offset += 100) {
    const { body } = await report<{ items: T[]; total: number }>(`${url}${url.includes('?') ? '&' : '?'}limit=100&offset=${offset}`);
    items.push(...body.items);
    if (items.length >= body.total || body.items.length === 0) return items;
  }
}

beforeAll(async () => {
  h = await startHarness();
  seeded = await seedMarketplace(h, { orders: 600, seed: 9 });
  const env = platformEnv();
  service = buildEtlService(loadConfig({ WAREHOUSE_DB_URL: env.WAREHOUSE_DB_URL, USER_DB_READ_URL: env.USER_DB_READ_URL, ORDER_MONGO_URL: env.ORDER_MONGO_URL, INTERNAL_AUTH_SECRET: secret, LOG_LEVEL: 'silent' }), h.logger);
  await service.http.ready();
  succeeded(await h.run());
});

afterAll(async () => {
  await service?.close();
  await h?.close();
});

describe('reconciliation', () => {
  it('has the sources\' totals in the warehouse after a run: users, events, orders per status, revenue, payments', async () => {
    const [source, warehouse] = await Promise.all([sourceTotals(h), warehouseTotals(h)]);
    expect(warehouse).toEqual(source);
    expect(Object.keys(source.orders).sort()).toEqual(expect.arrayContaining(['cancelled', 'expired', 'paid', 'pending_payment', 'rejected']));
    expect(Object.keys(source.paidRevenue).sort()).toEqual(expect.arrayContaining(['EUR', 'MDL', 'USD']));
  });

  it('keeps every order\'s own figures: amounts in minor units with their currency, dates on dim_date', async () => {
    const paid = seeded.specs.findIndex((spec) => spec.status === 'paid');
    const spec = seeded.specs[paid]!;
    const { rows } = await h.warehouse.query('SELECT f.status, f.quantity, f.unit_price_minor::int AS unit, f.total_minor::int AS total, f.currency, d.date::text AS day FROM dw.fact_order f JOIN dw.dim_date d ON d.date_key = f.order_date_key WHERE f.order_id = $1', [seeded.orders[paid]!.placement._id]);
    expect(rows).toEqual([{ status: 'paid', quantity: spec.quantity, unit: spec.unitPriceMinor, total: spec.unitPriceMinor * spec.quantity, currency: spec.currency, day: isoDay(spec.createdAt) }]);
    const missingDays = await h.warehouse.query('SELECT 1 FROM dw.fact_payment p LEFT JOIN dw.dim_date d ON d.date_key = p.payment_date_key WHERE d.date_key IS NULL');
    expect(missingDays.rowCount).toBe(0);
  });
});

describe('reports', () => {
  it('are for admins only', async () => {
    expect((await report('/reports/sales-by-event', null)).status).toBe(401);
    expect((await report('/reports/sales-by-event', buyer)).status).toBe(403);
    expect((await report('/reports/runs', buyer)).status).toBe(403);
  });

  it('sales by event add up to the paid orders, per currency', async () => {
    const rows = await allPages<SalesByEventView>('/reports/sales-by-event');
    const byCurrency: Record<string, number> = {};
    for (const row of rows) byCurrency[row.currency] = (byCurrency[row.currency] ?? 0) + row.revenue_minor;
    expect(byCurrency).toEqual((await sourceTotals(h)).paidRevenue);
    const event = seeded.events[0]!;
    const mine = seeded.specs.filter((spec) => spec.eventId === event.id && spec.status === 'paid');
    const { body } = await report<{ items: SalesByEventView[] }>(`/reports/sales-by-event?event_id=${event.id}`);
    expect(body.items).toEqual([expect.objectContaining({
      event_id: event.id, currency: event.currency, orders_paid: mine.length,
      tickets_sold: mine.reduce((n, spec) => n + spec.quantity, 0), revenue_minor: mine.reduce((n, spec) => n + spec.quantity * spec.unitPriceMinor, 0),
    })]);
  });

  it('revenue per day and currency adds up to the succeeded payments of those days', async () => {
    const from = new Date(Date.now() - 5 * 86_400_000);
    const rows = await allPages<RevenueByDayView>(`/reports/revenue-by-day?from=${isoDay(from)}&to=${isoDay(new Date())}`);
    const expected: Record<string, number> = {};
    for (const doc of await h.db.collection<{ status: string; currency: string; amount_minor: number; created_at: Date }>('payments').find({ status: 'succeeded' }).toArray()) {
      if (isoDay(doc.created_at) >= isoDay(from)) expected[`${isoDay(doc.created_at)} ${doc.currency}`] = (expected[`${isoDay(doc.created_at)} ${doc.currency}`] ?? 0) + doc.amount_minor;
    }
    expect(Object.fromEntries(rows.filter((row) => row.revenue_minor > 0).map((row) => [`${row.day} ${row.currency}`, row.revenue_minor]))).toEqual(expected);
  });

  it('sell-through counts sold and held seats per event', async () => {
    for (const event of seeded.events) {
      const sold = seeded.specs.filter((s) => s.eventId === event.id && s.status === 'paid').reduce((n, s) => n + s.quantity, 0);
      const held = seeded.specs.filter((s) => s.eventId === event.id && s.status === 'pending_payment').reduce((n, s) => n + s.quantity, 0);
      const { body } = await report<{ items: SellThroughView[] }>(`/reports/sell-through?event_id=${event.id}`);
      const unsold = Math.max(0, event.totalSeats - sold - held);
      expect(body.items).toEqual([expect.objectContaining({ total_seats: event.totalSeats, seats_sold: sold, seats_held: held, seats_unsold: unsold })]);
      expect(body.items[0]!.sell_through).toBeCloseTo(sold / event.totalSeats, 3);
    }
  });

  it('conversion follows orders from placement to payment', async () => {
    const event = seeded.events[1]!;
    const mine = seeded.specs.filter((s) => s.eventId === event.id);
    const from = isoDay(new Date(Date.now() - 6 * 86_400_000));
    const { body } = await report<ConversionView>(`/reports/conversion?event_id=${event.id}&from=${from}&to=${isoDay(new Date())}`);
    const confirmed = mine.filter((s) => !['preparing', 'rejected'].includes(s.status)).length;
    const paid = mine.filter((s) => s.status === 'paid').length;
    expect(body.total).toMatchObject({ orders_placed: mine.length, orders_confirmed: confirmed, orders_paid: paid });
    expect(body.total.conversion_rate).toBeCloseTo(paid / confirmed, 3);
    expect(body.days.reduce((n, day) => n + day.orders_placed, 0)).toBe(mine.length);
  });

  it('hold expiries count the holds that ran out, per day', async () => {
    const event = seeded.events[2]!;
    const expired = seeded.specs.filter((s) => s.eventId === event.id && s.status === 'expired');
    const rows = await allPages<HoldExpiriesView>(`/reports/hold-expiries?event_id=${event.id}&from=${isoDay(new Date(Date.now() - 6 * 86_400_000))}`);
    expect(rows.reduce((n, row) => n + row.orders_expired, 0)).toBe(expired.length);
    expect(rows.reduce((n, row) => n + row.seats_released_by_expiry, 0)).toBe(expired.reduce((n, s) => n + s.quantity, 0));
  });

  it('refuses a range that is upside down or too long, naming the parameter', async () => {
    const upside = await report<{ code: string; errors: Array<{ field: string }> }>('/reports/revenue-by-day?from=2030-02-01&to=2030-01-01');
    expect(upside).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ field: 'from' }] } });
    expect((await report('/reports/conversion?from=2020-01-01&to=2030-01-01')).status).toBe(400);
    expect((await report('/reports/revenue-by-day?from=yesterday')).status).toBe(400);
  });

  it('the run history shows the run, each source\'s window and counts', async () => {
    const { body } = await report<RunsView>('/reports/runs');
    const [run] = body.items;
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', mode: 'incremental', error: null });
    expect(run!.sources.map((s) => s.source)).toEqual(['users', 'events', 'order_placements', 'order_decisions', 'order_closures', 'payments']);
    expect(run!.sources.every((s) => s.window_from === null && s.error === null)).toBe(true);
    expect(run!.sources.find((s) => s.source === 'order_placements')!.loaded).toBeGreaterThanOrEqual(seeded.orders.length);
    expect(run!.merged.fact_order).toBeGreaterThanOrEqual(seeded.orders.length);
  });
});
