import { MongoClient, type Document, type Filter } from 'mongodb';
import type { RawRecord } from '../domain/sources';
import type { ExtractWindow } from '../domain/window';

// The order service's MongoDB: its collections (services/order/src/store/mongo.ts).
// Their time fields are in the source specs (domain/sources.ts).
export const ORDER_COLLECTIONS = {
  order_placements: 'orders',
  order_decisions: 'transactions',
  order_closures: 'order_closures',
  payments: 'payments',
} as const;

export type OrderDbSource = keyof typeof ORDER_COLLECTIONS;

export interface OrderDbOptions {
  readonly url: string;
  readonly timeoutMs: number;
  readonly applicationName: string;
}

/**
 * The window's documents, plus every document whose time field is missing or
 * not a date: those cannot be placed in any window, and must be seen (and
 * quarantined) rather than silently never extracted. They come back on every
 * run until fixed; their quarantine entry does not change meanwhile.
 */
export function windowFilter(tsField: string, window: ExtractWindow): Filter<Document> {
  const range: Document = window.from === null ? { $lt: window.to } : { $gte: window.from, $lt: window.to };
  return { $or: [{ [tsField]: range }, { [tsField]: { $not: { $type: 'date' } } }] };
}

export class OrderDbReader {
  private constructor(private readonly client: MongoClient) {}

  static async open(options: OrderDbOptions): Promise<OrderDbReader> {
    const client = new MongoClient(options.url, {
      appName: options.applicationName,
      serverSelectionTimeoutMS: options.timeoutMs,
      connectTimeoutMS: options.timeoutMs,
      socketTimeoutMS: Math.max(options.timeoutMs * 12, 60_000),
      // On a replica set the scans run on a secondary, away from the writes of the order service.
      readPreference: 'secondaryPreferred',
      maxPoolSize: 4,
    });
    try {
      await client.connect();
      await client.db().command({ ping: 1 });
      return new OrderDbReader(client);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
  }

  /** The window's documents in batches. Unsorted: a sort would make the server buffer the whole window first. */
  async* batches(source: OrderDbSource, tsField: string, window: ExtractWindow, batchSize: number): AsyncGenerator<RawRecord[]> {
    const cursor = this.client.db().collection(ORDER_COLLECTIONS[source]).find(windowFilter(tsField, window), { batchSize });
    try {
      let batch: RawRecord[] = [];
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}
