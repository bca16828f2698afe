import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { COMMON_PROBLEMS, DateTime, MAX_PAGE_SIZE, Page, PaginationQuery, problems, Uuid, type ApiRoute, type ApiSchema } from './common';

// The ETL service's reports (`/reports/*`), read from the data warehouse and
// open to admins only. Days are UTC calendar days. Money is in minor units of
// `currency`, one row per currency: amounts in different currencies are never
// added up. Every figure reflects the warehouse as of its last successful ETL
// run (see GET /reports/runs), not the live databases.

/** Longest date range one request may cover, so every answer stays small and cheap. */
export const MAX_REPORT_DAYS = 366;

const Day = (description: string) => Type.String({ format: 'date', minLength: 10, maxLength: 10, description });
/** Sums of minor units: exact integers (a JavaScript number is exact up to 2^53). */
const Minor = (description: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description });
const Count = (description?: string) => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, ...(description === undefined ? {} : { description }) });
const Ratio = (description: string) => Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: `${description}; null when the denominator is 0` });
const Currency = () => Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const DayRange = {
  from: Type.Optional(Day('First day (UTC), inclusive')),
  to: Type.Optional(Day(`Last day (UTC), inclusive; at most ${MAX_REPORT_DAYS} days after \`from\``)),
};

export const SalesByEventQuery = Type.Object(
  { ...PaginationQuery, ...DayRange, event_id: Type.Optional(Uuid('Only this event')) },
  { additionalProperties: false, description: 'Days filter on when the order was placed; no days: all time' },
);

export const SalesByEventRow = Type.Object(
  {
    event_id: Uuid(),
    event_name: Nullable(Type.String({ maxLength: 200 })),
    event_date: Nullable(DateTime()),
    venue_name: Nullable(Type.String({ maxLength: 200 })),
    currency: Currency(),
    orders_paid: Count(),
    tickets_sold: Count(),
    revenue_minor: Minor('Sum of the paid orders\' totals'),
  },
  { additionalProperties: false, title: 'EventSales', description: 'event_name, event_date and venue_name are null until the event itself has been loaded' },
);

export const RevenueByDayQuery = Type.Object(
  { ...PaginationQuery, ...DayRange, currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', minLength: 3, maxLength: 3 })) },
  { additionalProperties: false, description: 'Days filter on the payment\'s day; no days: the last 30' },
);

export const RevenueByDayRow = Type.Object(
  {
    day: Day('UTC day of the payments'),
    currency: Currency(),
    payments_succeeded: Count(),
    revenue_minor: Minor('Sum of succeeded payments'),
    payments_refunded: Count(),
    refunded_minor: Minor('Sum of refunded payments (charged, then returned: not revenue)'),
  },
  { additionalProperties: false, title: 'DailyRevenue' },
);

export const SellThroughQuery = Type.Object({ ...PaginationQuery, event_id: Type.Optional(Uuid('Only this event')) }, { additionalProperties: false });

export const SellThroughRow = Type.Object(
  {
    event_id: Uuid(),
    event_name: Type.String({ maxLength: 200 }),
    event_date: DateTime(),
    venue_name: Type.String({ maxLength: 200 }),
    total_seats: Count(),
    seats_sold: Count('Seats of paid orders'),
    seats_held: Count('Seats of orders waiting for payment'),
    seats_unsold: Count('total - sold - held'),
    sell_through: Type.Number({ minimum: 0, description: 'seats_sold / total_seats (above 1 only if seats were oversold, which the two-phase commit prevents)' }),
  },
  { additionalProperties: false, title: 'EventSellThrough' },
);

export const ConversionQuery = Type.Object(
  { ...DayRange, event_id: Type.Optional(Uuid('Only this event')) },
  { additionalProperties: false, description: 'Days filter on when the order was placed; no days: the last 30' },
);

const ConversionFigures = {
  orders_placed: Count('Every order requested, rejected ones included'),
  orders_confirmed: Count('Orders whose seats were held (they reached pending_payment)'),
  orders_with_payment_attempt: Count('Confirmed orders with at least one payment attempt'),
  orders_paid: Count(),
  payments_attempted: Count(),
  payments_succeeded: Count(),
  conversion_rate: Ratio('orders_paid / orders_confirmed'),
  attempt_rate: Ratio('orders_with_payment_attempt / orders_confirmed'),
  payment_success_rate: Ratio('payments_succeeded / payments_attempted'),
};

export const ConversionDay = Type.Object({ day: Day('UTC day the orders were placed'), ...ConversionFigures }, { additionalProperties: false, title: 'DailyConversion' });

export const ConversionReport = Type.Object(
  {
    from: Day('First day covered'),
    to: Day('Last day covered'),
    event_id: Nullable(Uuid()),
    total: Type.Object(ConversionFigures, { additionalProperties: false, title: 'ConversionTotals' }),
    days: Type.Array(ConversionDay, { maxItems: MAX_REPORT_DAYS }),
  },
  { additionalProperties: false, title: 'ConversionReport' },
);

export const HoldExpiriesQuery = Type.Object(
  { ...PaginationQuery, ...DayRange, event_id: Type.Optional(Uuid('Only this event')) },
  { additionalProperties: false, description: 'Days filter on the day the holds ended; no days: the last 30' },
);

export const HoldExpiriesRow = Type.Object(
  {
    day: Day('UTC day the holds ended'),
    holds_ended: Count('Confirmed orders closed that day: paid, expired or cancelled'),
    orders_expired: Count('Holds that ran out unpaid (seats released)'),
    seats_released_by_expiry: Count(),
    orders_cancelled: Count(),
    orders_paid: Count(),
    expiry_rate: Ratio('orders_expired / holds_ended'),
  },
  { additionalProperties: false, title: 'DailyHoldExpiries' },
);

export const RunsQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });

export const RunSourceRow = Type.Object(
  {
    source: Type.String({ maxLength: 64 }),
    window_from: Nullable(DateTime('Inclusive; null: from the beginning')),
    window_to: DateTime('Exclusive'),
    extracted: Count(),
    loaded: Count('Staging rows new or changed (0 when the run failed: it was rolled back)'),
    quarantined: Count('Records refused by validation in this run'),
    duration_ms: Count(),
    error: Nullable(Type.String({ maxLength: 4000 })),
  },
  { additionalProperties: false, title: 'RunSource' },
);

export const RunRow = Type.Object(
  {
    id: Type.Integer({ minimum: 1 }),
    trigger: Type.Union([Type.Literal('schedule'), Type.Literal('manual')]),
    mode: Type.Union([Type.Literal('incremental'), Type.Literal('full')]),
    instance: Type.String({ maxLength: 200 }),
    status: Type.Union([Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('abandoned')]),
    started_at: DateTime(),
    finished_at: Nullable(DateTime()),
    duration_ms: Nullable(Count()),
    rows_extracted: Count(),
    rows_loaded: Count(),
    rows_quarantined: Count(),
    merged: Type.Record(Type.String({ maxLength: 64 }), Count(), { description: 'Rows each warehouse table gained or changed' }),
    error: Nullable(Type.String({ maxLength: 4000 })),
    sources: Type.Array(RunSourceRow, { maxItems: 20 }),
  },
  { additionalProperties: false, title: 'EtlRun' },
);

export const QuarantineRow = Type.Object(
  {
    source: Type.String({ maxLength: 64 }),
    source_key: Type.String({ maxLength: 200 }),
    reason: Type.String({ maxLength: 4000 }),
    raw: Type.Unknown({ description: 'The record as it was extracted (JSON; dates as ISO strings)' }),
    first_run_id: Type.Integer({ minimum: 1 }),
    last_run_id: Type.Integer({ minimum: 1 }),
    first_seen_at: DateTime(),
  },
  { additionalProperties: false, title: 'QuarantinedRecord' },
);

export const RunsReport = Type.Object(
  {
    items: Type.Array(RunRow, { maxItems: MAX_PAGE_SIZE }),
    limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE }),
    offset: Type.Integer({ minimum: 0 }),
    total: Count(),
    quarantine: Type.Object(
      {
        open: Count('Records quarantined and not resolved by a later valid version'),
        latest: Type.Array(QuarantineRow, { maxItems: MAX_PAGE_SIZE, description: 'The most recently quarantined open records' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'EtlRunsReport' },
);

export const SalesByEventPage = Page(SalesByEventRow, 'SalesByEventPage');
export const RevenueByDayPage = Page(RevenueByDayRow, 'RevenueByDayPage');
export const SellThroughPage = Page(SellThroughRow, 'SellThroughPage');
export const HoldExpiriesPage = Page(HoldExpiriesRow, 'HoldExpiriesPage');

export type SalesByEventQuery = Static<typeof SalesByEventQuery>;
export type RevenueByDayQuery = Static<typeof RevenueByDayQuery>;
export type SellThroughQuery = Static<typeof SellThroughQuery>;
export type ConversionQuery = Static<typeof ConversionQuery>;
export type HoldExpiriesQuery = Static<typeof HoldExpiriesQuery>;
export type RunsQuery = Static<typeof RunsQuery>;
export type SalesByEventView = Static<typeof SalesByEventRow>;
export type RevenueByDayView = Static<typeof RevenueByDayRow>;
export type SellThroughView = Static<typeof SellThroughRow>;
export type ConversionView = Static<typeof ConversionReport>;
export type HoldExpiriesView = Static<typeof HoldExpiriesRow>;
export type RunView = Static<typeof RunRow>;
export type RunsView = Static<typeof RunsReport>;

const route = <S extends ApiSchema>(method: ApiRoute['method'], url: string, schema: S): ApiRoute<S> => ({ method, url, schema });
const REPORT_PROBLEMS = problems(...COMMON_PROBLEMS, 401, 403);

/** Every report route of the ETL service; the service serves them and the gateway exposes them (admins only), both from this table. */
export const reportsApi = {
  salesByEvent: route('GET', '/reports/sales-by-event', {
    summary: 'Tickets sold and revenue per event and currency (paid orders), best sellers first',
    tags: ['reports'],
    operationId: 'reportSalesByEvent',
    querystring: SalesByEventQuery,
    response: { 200: SalesByEventPage, ...REPORT_PROBLEMS },
  }),
  revenueByDay: route('GET', '/reports/revenue-by-day', {
    summary: 'Revenue per UTC day and currency from succeeded payments, newest day first',
    tags: ['reports'],
    operationId: 'reportRevenueByDay',
    querystring: RevenueByDayQuery,
    response: { 200: RevenueByDayPage, ...REPORT_PROBLEMS },
  }),
  sellThrough: route('GET', '/reports/sell-through', {
    summary: 'Seats sold, held and unsold per event, highest sell-through first',
    tags: ['reports'],
    operationId: 'reportSellThrough',
    querystring: SellThroughQuery,
    response: { 200: SellThroughPage, ...REPORT_PROBLEMS },
  }),
  conversion: route('GET', '/reports/conversion', {
    summary: 'Order-to-payment conversion per UTC day and in total',
    tags: ['reports'],
    operationId: 'reportConversion',
    querystring: ConversionQuery,
    response: { 200: ConversionReport, ...REPORT_PROBLEMS },
  }),
  holdExpiries: route('GET', '/reports/hold-expiries', {
    summary: 'Seat holds that ended per UTC day: expired unpaid, cancelled, paid',
    tags: ['reports'],
    operationId: 'reportHoldExpiries',
    querystring: HoldExpiriesQuery,
    response: { 200: HoldExpiriesPage, ...REPORT_PROBLEMS },
  }),
  runs: route('GET', '/reports/runs', {
    summary: 'ETL run history (windows, rows per source, duration, errors) and the quarantine, newest run first',
    tags: ['reports'],
    operationId: 'reportEtlRuns',
    querystring: RunsQuery,
    response: { 200: RunsReport, ...REPORT_PROBLEMS },
  }),
} as const;
