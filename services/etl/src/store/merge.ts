import { execute, type Queryable } from './sql';

// From staging into the star schema, set-based, only for the rows the
// current run changed (changed_run = $1). Each merge inserts new rows and
// updates a row only when a column differs, so a repeated run changes
// nothing and the counts say what really changed.

interface MergeSpec {
  readonly target: string;
  readonly key: string;
  /** Target column and the expression that fills it. */
  readonly columns: ReadonlyArray<readonly [name: string, expression: string]>;
  /** FROM ... (and WITH before it when needed) giving the changed rows. */
  readonly source: string;
  readonly with?: string;
}

function mergeSql(spec: MergeSpec): string {
  const names = spec.columns.map(([name]) => name);
  const data = names.filter((name) => name !== spec.key);
  return `${spec.with === undefined ? '' : `WITH ${spec.with}`}
    INSERT INTO ${spec.target} AS t (${names.join(', ')}, loaded_run)
    SELECT ${spec.columns.map(([name, expression]) => `${expression} AS ${name}`).join(', ')}, $1::bigint ${spec.source}
    ON CONFLICT (${spec.key}) DO UPDATE SET ${data.map((name) => `${name} = EXCLUDED.${name}`).join(', ')}, loaded_run = EXCLUDED.loaded_run
    WHERE (${data.map((name) => `t.${name}`).join(', ')}) IS DISTINCT FROM (${data.map((name) => `EXCLUDED.${name}`).join(', ')})`;
}

const DIM_USER = mergeSql({
  target: 'dw.dim_user',
  key: 'user_id',
  columns: [
    ['user_id', 'u.user_id'], ['email_domain', 'u.email_domain'], ['roles', 'u.roles'], ['registered_date_key', 'dw.date_key(u.created_at)'],
    ['created_at', 'u.created_at'], ['updated_at', 'u.updated_at'],
  ],
  source: 'FROM staging.users u WHERE u.changed_run = $1',
});

const DIM_EVENT = mergeSql({
  target: 'dw.dim_event',
  key: 'event_id',
  columns: [
    ['event_id', 'e.event_id'], ['name', 'e.name'], ['event_date_key', 'dw.date_key(e.date_time)'], ['date_time', 'e.date_time'],
    ['total_seats', 'e.total_seats'], ['price_minor', 'e.price_minor'], ['currency', 'e.currency'], ['organizer_id', 'e.organizer_id'],
    ['venue_id', 'e.venue_id'], ['venue_name', 'e.venue_name'], ['venue_location', 'e.venue_location'], ['venue_capacity', 'e.venue_capacity'],
    ['created_at', 'e.created_at'],
  ],
  source: 'FROM staging.events e WHERE e.changed_run = $1',
});

// The status as the order service derives it (services/order/src/domain/order.ts, orderStatus):
// no decision yet: preparing; abort: rejected; commit without closure: pending_payment; else the closure's outcome.
// A closure counts only after a commit, as there.
const committed = 'd.outcome = \'commit\'';
const FACT_ORDER = mergeSql({
  target: 'dw.fact_order',
  key: 'order_id',
  with: `changed AS (
      SELECT order_id FROM staging.order_placements WHERE changed_run = $1
      UNION SELECT order_id FROM staging.order_decisions WHERE changed_run = $1
      UNION SELECT order_id FROM staging.order_closures WHERE changed_run = $1)`,
  columns: [
    ['order_id', 'p.order_id'], ['user_id', 'p.user_id'], ['event_id', 'p.event_id'], ['order_date_key', 'dw.date_key(p.created_at)'],
    ['created_at', 'p.created_at'], ['quantity', 'p.quantity'],
    ['unit_price_minor', `CASE WHEN ${committed} THEN d.unit_price_minor END`],
    ['total_minor', `CASE WHEN ${committed} THEN d.total_minor END`],
    ['currency', `CASE WHEN ${committed} THEN d.currency END`],
    ['status', `CASE WHEN d.order_id IS NULL THEN 'preparing' WHEN d.outcome = 'abort' THEN 'rejected' WHEN c.order_id IS NULL THEN 'pending_payment' ELSE c.outcome END`],
    ['mode', 'p.mode'], ['decided_at', 'd.decided_at'],
    ['hold_expires_at', `CASE WHEN ${committed} THEN d.hold_expires_at END`],
    ['reject_code', 'CASE WHEN d.outcome = \'abort\' THEN d.reason_code END'],
    ['closed_at', `CASE WHEN ${committed} THEN c.closed_at END`],
    ['closed_date_key', `CASE WHEN ${committed} THEN dw.date_key(c.closed_at) END`],
    ['payment_id', `CASE WHEN ${committed} THEN c.payment_id END`],
    ['payment_method', `CASE WHEN ${committed} THEN c.payment_method END`],
  ],
  source: `FROM changed JOIN staging.order_placements p USING (order_id)
    LEFT JOIN staging.order_decisions d USING (order_id) LEFT JOIN staging.order_closures c USING (order_id)`,
});

// A payment is re-merged when it changed, or when its order's placement arrived (it gives the payment its event).
const FACT_PAYMENT = mergeSql({
  target: 'dw.fact_payment',
  key: 'payment_id',
  with: `changed AS (
      SELECT payment_id FROM staging.payments WHERE changed_run = $1
      UNION SELECT s.payment_id FROM staging.order_placements p JOIN staging.payments s ON s.order_id = p.order_id WHERE p.changed_run = $1)`,
  columns: [
    ['payment_id', 's.payment_id'], ['order_id', 's.order_id'], ['user_id', 's.user_id'], ['event_id', 'p.event_id'],
    ['payment_date_key', 'dw.date_key(s.created_at)'], ['created_at', 's.created_at'], ['updated_at', 's.updated_at'],
    ['amount_minor', 's.amount_minor'], ['currency', 's.currency'], ['method', 's.method'], ['status', 's.status'],
    ['failure_reason', 's.failure_reason'],
  ],
  source: 'FROM changed JOIN staging.payments s USING (payment_id) LEFT JOIN staging.order_placements p ON p.order_id = s.order_id',
});

// Every day a changed row refers to, so the reports' joins on dim_date always find their day.
const DIM_DATE = `
  INSERT INTO dw.dim_date (date_key, date, year, quarter, month, day, iso_dow, iso_week, is_weekend)
  SELECT dw.date_key(ts), (ts AT TIME ZONE 'UTC')::date, extract(year FROM ts AT TIME ZONE 'UTC'), extract(quarter FROM ts AT TIME ZONE 'UTC'),
         extract(month FROM ts AT TIME ZONE 'UTC'), extract(day FROM ts AT TIME ZONE 'UTC'), extract(isodow FROM ts AT TIME ZONE 'UTC'),
         extract(week FROM ts AT TIME ZONE 'UTC'), extract(isodow FROM ts AT TIME ZONE 'UTC') >= 6
    FROM (SELECT DISTINCT ON (dw.date_key(ts)) ts FROM (
            SELECT created_at AS ts FROM staging.order_placements WHERE changed_run = $1
            UNION ALL SELECT closed_at FROM staging.order_closures WHERE changed_run = $1
            UNION ALL SELECT created_at FROM staging.payments WHERE changed_run = $1
            UNION ALL SELECT date_time FROM staging.events WHERE changed_run = $1
            UNION ALL SELECT created_at FROM staging.users WHERE changed_run = $1) stamps
          ORDER BY dw.date_key(ts)) days
  ON CONFLICT (date_key) DO NOTHING`;

/** The merges in dependency-free order; each returns the rows it inserted or changed. */
export const MERGES = [
  ['dim_user', DIM_USER],
  ['dim_event', DIM_EVENT],
  ['fact_order', FACT_ORDER],
  ['fact_payment', FACT_PAYMENT],
  ['dim_date', DIM_DATE],
] as const;

export async function mergeAll(db: Queryable, runId: string): Promise<Record<string, number>> {
  const merged: Record<string, number> = {};
  for (const [target, sql] of MERGES) merged[target] = await execute(db, sql, [runId]);
  return merged;
}
