import type { SourceName } from '../domain/sources';
import { execute, type Queryable } from './sql';

// Staging upserts: one statement per batch. The batch travels as one jsonb
// parameter and is unpacked by jsonb_to_recordset with the column types, so
// 5,000 rows are one round trip. A row whose columns equal the stored ones is
// not touched (the WHERE of DO UPDATE), so re-extracting it changes nothing,
// not even its changed_run: that is what makes a repeated window a no-op.

interface TableSpec {
  readonly table: string;
  readonly key: string;
  readonly columns: ReadonlyArray<readonly [name: string, type: string]>;
}

const TABLES: Readonly<Record<SourceName, TableSpec>> = {
  users: {
    table: 'staging.users',
    key: 'user_id',
    columns: [['user_id', 'uuid'], ['email_domain', 'text'], ['roles', 'text[]'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz']],
  },
  events: {
    table: 'staging.events',
    key: 'event_id',
    columns: [
      ['event_id', 'uuid'], ['organizer_id', 'uuid'], ['name', 'text'], ['date_time', 'timestamptz'], ['total_seats', 'integer'],
      ['price_minor', 'bigint'], ['currency', 'char(3)'], ['created_at', 'timestamptz'], ['venue_id', 'uuid'], ['venue_name', 'text'],
      ['venue_location', 'text'], ['venue_capacity', 'integer'],
    ],
  },
  order_placements: {
    table: 'staging.order_placements',
    key: 'order_id',
    columns: [['order_id', 'uuid'], ['user_id', 'uuid'], ['event_id', 'uuid'], ['quantity', 'integer'], ['mode', 'text'], ['created_at', 'timestamptz']],
  },
  order_decisions: {
    table: 'staging.order_decisions',
    key: 'order_id',
    columns: [
      ['order_id', 'uuid'], ['outcome', 'text'], ['decided_by', 'text'], ['decided_at', 'timestamptz'], ['unit_price_minor', 'bigint'],
      ['total_minor', 'bigint'], ['currency', 'char(3)'], ['hold_expires_at', 'timestamptz'], ['reason_code', 'text'],
    ],
  },
  order_closures: {
    table: 'staging.order_closures',
    key: 'order_id',
    columns: [['order_id', 'uuid'], ['outcome', 'text'], ['closed_at', 'timestamptz'], ['payment_id', 'uuid'], ['payment_method', 'text']],
  },
  payments: {
    table: 'staging.payments',
    key: 'payment_id',
    columns: [
      ['payment_id', 'uuid'], ['order_id', 'uuid'], ['user_id', 'uuid'], ['amount_minor', 'bigint'], ['currency', 'char(3)'], ['method', 'text'],
      ['status', 'text'], ['failure_reason', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ],
  },
};

function upsertSql(spec: TableSpec): string {
  const names = spec.columns.map(([name]) => name);
  const data = names.filter((name) => name !== spec.key);
  return `INSERT INTO ${spec.table} AS t (${names.join(', ')}, changed_run)
    SELECT ${names.join(', ')}, $2::bigint FROM jsonb_to_recordset($1::jsonb) AS r(${spec.columns.map(([name, type]) => `${name} ${type}`).join(', ')})
    ON CONFLICT (${spec.key}) DO UPDATE SET ${data.map((name) => `${name} = EXCLUDED.${name}`).join(', ')}, changed_run = EXCLUDED.changed_run
    WHERE (${data.map((name) => `t.${name}`).join(', ')}) IS DISTINCT FROM (${data.map((name) => `EXCLUDED.${name}`).join(', ')})`;
}

const UPSERTS = Object.fromEntries(Object.entries(TABLES).map(([source, spec]) => [source, upsertSql(spec)])) as Record<SourceName, string>;

/** Upserts a batch of validated rows; returns how many were new or changed. */
export async function upsertStaging(db: Queryable, source: SourceName, batch: readonly object[], runId: string): Promise<number> {
  if (batch.length === 0) return 0;
  return execute(db, UPSERTS[source], [JSON.stringify(batch), runId]);
}
