// FerretDB speaks the MongoDB wire protocol to the official driver.
import { randomUUID } from 'node:crypto';
import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformEnv } from '../setup/platform-env';

const env = platformEnv();
const client = new MongoClient(env.ORDER_MONGO_URL, { serverSelectionTimeoutMS: 5000 });
const collectionName = `probe_${randomUUID().replaceAll('-', '')}`;

beforeAll(async () => {
  await client.connect();
});

afterAll(async () => {
  await client.db().collection(collectionName).drop().catch(() => undefined);
  await client.close();
});

describe('ferretdb (MongoDB wire protocol)', () => {
  it('inserts, finds and updates a document through the official mongodb driver', async () => {
    const orders = client.db().collection<{ orderId: string; status: string; seats: number[] }>(collectionName);
    const inserted = await orders.insertOne({ orderId: 'o-1', status: 'pending', seats: [1, 2] });
    expect(inserted.acknowledged).toBe(true);

    expect(await orders.findOne({ orderId: 'o-1' }, { projection: { _id: 0 } })).toEqual({ orderId: 'o-1', status: 'pending', seats: [1, 2] });

    const updated = await orders.updateOne({ orderId: 'o-1' }, { $set: { status: 'paid' }, $push: { seats: 3 } });
    expect(updated.modifiedCount).toBe(1);
    expect(await orders.findOne({ orderId: 'o-1' }, { projection: { _id: 0 } })).toEqual({ orderId: 'o-1', status: 'paid', seats: [1, 2, 3] });
    expect(client.db().databaseName).toBe('eticket_orders');
  });

  it('enforces a unique index: a duplicate insert fails with code 11000', async () => {
    const orders = client.db().collection<{ idempotencyKey: string }>(collectionName);
    const indexName = await orders.createIndex({ idempotencyKey: 1 }, { unique: true });
    const indexes = await orders.indexes();
    expect(indexes.find((i) => i.name === indexName)?.unique).toBe(true);

    await orders.insertOne({ idempotencyKey: 'k-1' });
    const duplicate = await orders.insertOne({ idempotencyKey: 'k-1' }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(MongoServerError);
    expect((duplicate as MongoServerError).code).toBe(11000);
    expect(await orders.countDocuments({ idempotencyKey: 'k-1' })).toBe(1);
  });
});
