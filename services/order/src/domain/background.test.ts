import { describe, expect, it } from 'vitest';
import { Batcher, Semaphore } from './background';
import { silentLogger } from './fakes';

describe('Semaphore', () => {
  it('lets at most `limit` holders in and hands slots over in order', async () => {
    const semaphore = new Semaphore(2);
    const a = await semaphore.acquire(100);
    const b = await semaphore.acquire(100);
    const waiting = semaphore.acquire(1_000);
    expect(await semaphore.acquire(10)).toBeNull();
    a?.();
    const c = await waiting;
    expect(c).not.toBeNull();
    a?.();
    expect(await semaphore.acquire(10)).toBeNull();
    b?.();
    c?.();
    expect(await semaphore.acquire(10)).not.toBeNull();
  });
});

describe('Batcher', () => {
  it('flushes ids in batches, by size or after a delay', async () => {
    const batches: string[][] = [];
    const batcher = new Batcher((ids) => {
      batches.push([...ids]);
      return Promise.resolve();
    }, silentLogger, 20, 2);
    batcher.add('a');
    batcher.add('b');
    batcher.add('c');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await batcher.close();
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });
});
