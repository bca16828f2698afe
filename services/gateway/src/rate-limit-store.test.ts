import { describe, expect, it } from 'vitest';
import { batchedRedisStore, batchFor, type TokenSource } from './rate-limit-store';

/** Redis's side of the script, in memory: one counter per key per window. */
class FakeRedis implements TokenSource {
  readonly counters = new Map<string, { n: number; endsAt: number }>();
  calls = 0;

  gatewayTakeTokens(key: string, batch: number, windowMs: number, callback: (error: Error | null, result?: [number, number]) => void): void {
    this.calls += 1;
    const now = Date.now();
    let counter = this.counters.get(key);
    if (counter === undefined || now >= counter.endsAt) {
      counter = { n: 0, endsAt: now + windowMs };
      this.counters.set(key, counter);
    }
    counter.n += batch;
    // The counter as this call left it, answered a moment later (as Redis does, whatever others do meanwhile).
    const answer: [number, number] = [counter.n, counter.endsAt - now];
    setImmediate(() => callback(null, answer));
  }
}

const defaults = { windowMs: 60_000, maxFor: () => 1 };
type Store = InstanceType<ReturnType<typeof batchedRedisStore>>;

function incr(store: Store, key: string, max: number) {
  return new Promise<{ current: number; ttl: number }>((resolve, reject) => {
    store.incr(key, (error, result) => (error || result === undefined ? reject(error ?? new Error('no result')) : resolve(result)), 60_000, max);
  });
}

async function allowed(store: Parameters<typeof incr>[0], key: string, max: number, requests: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < requests; i += 1) if ((await incr(store, key, max)).current <= max) count += 1;
  return count;
}

describe('batched Redis rate-limit store', () => {
  it('takes one token per call for small limits, so they are exact across instances', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const [a, b] = [new Store(), new Store()];
    let count = 0;
    for (let i = 0; i < 20; i += 1) if ((await incr(i % 2 === 0 ? a : b, 'client:1', 10)).current <= 10) count += 1;
    expect(batchFor(10)).toBe(1);
    expect(count).toBe(10);
  });

  it('serves most requests of a busy key without Redis, and never lets more through than the limit', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const store = new Store();
    expect(await allowed(store, 'client:1', 1_000, 1_500)).toBe(1_000);
    expect(redis.calls).toBeLessThan(1_000 / batchFor(1_000) + 5);
  });

  it('counts every instance against the one shared limit', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const stores = [new Store(), new Store(), new Store()];
    let count = 0;
    for (let i = 0; i < 3_000; i += 1) if ((await incr(stores[i % 3]!, 'user:7', 1_000)).current <= 1_000) count += 1;
    // Never more than the limit; at most batch - 1 tokens per other instance left unused.
    expect(count).toBeLessThanOrEqual(1_000);
    expect(count).toBeGreaterThanOrEqual(1_000 - 2 * (batchFor(1_000) - 1));
  });

  it('refuses a key over its limit locally until its window ends', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const store = new Store();
    await allowed(store, 'client:2', 5, 5);
    const calls = redis.calls;
    const refused = await incr(store, 'client:2', 5);
    expect(refused.current).toBeGreaterThan(5);
    expect(refused.ttl).toBeGreaterThan(0);
    await incr(store, 'client:2', 5);
    // The call that took the last token showed the limit reached: no Redis call for the refusals.
    expect(redis.calls).toBe(calls);
  });

  it('makes a request wait at most one Redis round trip: past a batch of waiters, a new call is made', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const store = new Store();
    // 50 at once with batches of 20: the first 20 from the local first batch, then two calls, each answering its own waiters.
    const answers = await Promise.all(Array.from({ length: 50 }, () => incr(store, 'client:wide', 1_000_000)));
    expect(new Set(answers.map((answer) => answer.current)).size).toBe(50);
    expect(redis.calls).toBe(2);
  });

  it('shares Redis calls between requests arriving together: one per batch, not one per request', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const store = new Store();
    const answers = await Promise.all(Array.from({ length: 50 }, () => incr(store, 'client:busy', 1_000_000)));
    expect(answers.every((answer) => answer.current <= 1_000_000)).toBe(true);
    expect(new Set(answers.map((answer) => answer.current)).size).toBe(50);
    // One call per batch of 20 waiting requests, not one per request.
    expect(redis.calls).toBeLessThanOrEqual(3);
  });

  it('stays exact for a small limit under concurrency, from several instances', async () => {
    const redis = new FakeRedis();
    // Two gateway processes: each has its own local grants and calls in flight.
    const stores = [batchedRedisStore(redis, 'p:', defaults), batchedRedisStore(redis, 'p:', defaults)].map((Store) => new Store());
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => incr(stores[i % 2]!, 'client:3', 25)));
    expect(answers.filter((answer) => answer.current <= 25)).toHaveLength(25);
  });

  it('grants a key\'s first batch in a window without Redis, and counts it with the key\'s next call', async () => {
    const redis = new FakeRedis();
    const Store = batchedRedisStore(redis, 'p:', defaults);
    const store = new Store();
    const batch = batchFor(1_000);
    expect(await allowed(store, 'user:new', 1_000, batch)).toBe(batch);
    expect(redis.calls).toBe(0);
    await incr(store, 'user:new', 1_000);
    expect(redis.calls).toBe(1);
    // The local batch and the call's own.
    expect(redis.counters.get('p:user:new')?.n).toBe(2 * batch);
  });

  it('lets at most one batch per instance past a limit that other instances used up', async () => {
    const redis = new FakeRedis();
    // Two gateway processes: each has its own local grants.
    const [first, late] = [batchedRedisStore(redis, 'p:', defaults), batchedRedisStore(redis, 'p:', defaults)].map((Store) => new Store()) as [Store, Store];
    expect(await allowed(first, 'user:8', 1_000, 1_200)).toBe(1_000);
    // A second instance that had not served the key: its first batch is granted before Redis says the limit is spent.
    expect(await allowed(late, 'user:8', 1_000, 200)).toBe(batchFor(1_000));
  });

  it('keeps keys apart', async () => {
    const Store = batchedRedisStore(new FakeRedis(), 'p:', defaults);
    const store = new Store();
    await allowed(store, 'client:a', 3, 3);
    expect(await allowed(store, 'client:b', 3, 3)).toBe(3);
  });
});
