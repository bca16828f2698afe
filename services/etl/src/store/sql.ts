import type pg from 'pg';

/** Anything that runs a query: the run's own client, or a pool for the reports. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** The row count of a statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE counts only rows inserted or changed). */
export async function execute(db: Queryable, text: string, values: readonly unknown[] = []): Promise<number> {
  const result = await db.query(text, values as unknown[]);
  return result.rowCount ?? 0;
}

export async function rows<Row extends pg.QueryResultRow>(db: Queryable, text: string, values: readonly unknown[] = []): Promise<Row[]> {
  const result = await db.query<Row>(text, values as unknown[]);
  return result.rows;
}

/** bigint and numeric come back from pg as strings; amounts here are always exact and within 2^53. */
export function toNumber(value: string | number | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`not an exact integer: ${String(value)}`);
  return parsed;
}
