import { AppError } from '@eticket/errors';
import { MongoClient, MongoServerError, type Db, type Document, type IndexDescription } from 'mongodb';

/**
 * The order database. Every decision-like write here is an insert against a
 * unique `_id` (see domain/order.ts for why): that is atomic on MongoDB and
 * on FerretDB, whose conditional updates are not. Writes wait for a majority
 * (and the journal) so a decision that was acknowledged survives a failover.
 */
export interface OrderDatabase {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

export const COLLECTIONS = {
  orders: 'orders',
  transactions: 'transactions',
  transactionEnds: 'transaction_ends',
  closures: 'order_closures',
  releases: 'seat_releases',
  payments: 'payments',
  leases: 'leases',
  watermarks: 'watermarks',
} as const;

/** Secondary indexes: MongoDB uses them for the scans and lists; FerretDB (SQLite) keeps them but scans anyway. */
const INDEXES: Readonly<Record<string, readonly IndexDescription[]>> = {
  [COLLECTIONS.orders]: [{ key: { user_id: 1, created_at: -1 } }, { key: { created_at: 1 } }],
  [COLLECTIONS.transactions]: [{ key: { decided_at: 1 } }, { key: { outcome: 1, hold_expires_at: 1 } }],
  [COLLECTIONS.transactionEnds]: [{ key: { at: 1 } }],
  [COLLECTIONS.closures]: [{ key: { at: 1 } }],
  [COLLECTIONS.payments]: [{ key: { status: 1, created_at: 1 } }, { key: { order_id: 1 } }],
  [COLLECTIONS.leases]: [{ key: { at: 1 } }],
};

export async function connectOrderDatabase(url: string): Promise<OrderDatabase> {
  const client = new MongoClient(url, {
    writeConcern: { w: 'majority', journal: true },
    serverSelectionTimeoutMS: 5_000,
    maxPoolSize: 64,
    // A retried insert could come back as a duplicate of itself; the stores tell the two apart, but fewer surprises is better.
    retryWrites: false,
  });
  await client.connect();
  const db = client.db();
  await ensureIndexes(db, await isFerretDb(db));
  return { client, db, close: () => client.close() };
}

/** FerretDB answers buildInfo with its own version; MongoDB does not. */
async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

/**
 * MongoDB gets the secondary indexes its scans and lists use. FerretDB 1.x
 * filters every query in Go except an exact `_id` match, so a secondary index
 * there is never read and only makes every insert dearer (measured: a third
 * of an order's FerretDB CPU): it gets none, and loses any left from before.
 */
async function ensureIndexes(db: Db, ferret: boolean): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    for (const index of indexes) {
      const name = Object.entries(index.key as Record<string, number>).map(([field, order]) => `${field}_${order}`).join('_');
      if (ferret) {
        await db.collection(collection).dropIndex(name).catch(() => undefined);
      } else {
        // One index per command: FerretDB 1.24 panics on a createIndexes listing several indexes that all exist.
        await db.collection(collection).createIndexes([index]);
      }
    }
  }
}

export function isDuplicateKey(error: unknown): boolean {
  if (error instanceof MongoServerError && error.code === 11000) return true;
  // insertMany(ordered: false) reports per-document errors.
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  return Array.isArray(writeErrors) && writeErrors.length > 0 && writeErrors.every((entry) => (entry as { code?: number }).code === 11000);
}

/** Database trouble becomes a 503 for the caller instead of an opaque 500. */
export async function guarded<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('UPSTREAM_UNAVAILABLE', `The order database is unavailable (${what})`, { cause: error });
  }
}

/** Inserts `doc` unless its `_id` exists; true when this call inserted it. */
export async function insertIfAbsent<T extends Document>(db: Db, collection: string, doc: T): Promise<boolean> {
  try {
    await db.collection<T>(collection).insertOne(doc as never);
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
