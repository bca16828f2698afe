import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArrivalBatcher, type EnterReply } from './arrival-batcher';

const queuedAt = (position: number, limit = 2): EnterReply => [0, position, position, 0, limit];

describe('ArrivalBatcher', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('batches asks at a room only after it showed a queue longer than two rounds of its limit, for a second', () => {
    const batcher = new ArrivalBatcher(20, () => Promise.resolve([]), now);
    batcher.observe('e1', queuedAt(4, 2));
    expect(batcher.batches('e1', 'u1')).toBe(false);
    batcher.observe('e1', [1]);
    expect(batcher.batches('e1', 'u1')).toBe(false);
    batcher.observe('e1', queuedAt(5, 2));
    expect(batcher.batches('e1', 'u1')).toBe(true);
    expect(batcher.batches('e2', 'u1')).toBe(false);
    clock = 999;
    expect(batcher.batches('e1', 'u1')).toBe(true);
    clock = 1_000;
    expect(batcher.batches('e1', 'u1')).toBe(false);
  });

  it('lets the next ask of a buyer just told "admitted" go alone, once, even in a crowded room', () => {
    const batcher = new ArrivalBatcher(20, () => Promise.resolve([]), now);
    batcher.observe('e1', queuedAt(100));
    batcher.admitted('u1');
    expect(batcher.batches('e1', 'u2')).toBe(true);
    expect(batcher.batches('e1', 'u1')).toBe(false);
    expect(batcher.batches('e1', 'u1')).toBe(true);
  });

  it('drops expired entries as new ones come, so what it remembers is bounded by the live ones', () => {
    const batcher = new ArrivalBatcher(20, () => Promise.resolve([]), now);
    for (let i = 0; i < 5_000; i += 1) batcher.admitted(`u${i}`);
    expect(batcher.remembered).toBe(5_000);
    clock = 5_000;
    batcher.admitted('late');
    expect(batcher.remembered).toBe(1);
    batcher.observe('e1', queuedAt(100));
    clock = 5_999;
    expect(batcher.batches('e1', 'late')).toBe(false);
  });

  it('forgets entries in the order they expire, also when a buyer told "admitted" again outlives one told after them', () => {
    const batcher = new ArrivalBatcher(20, () => Promise.resolve([]), now);
    batcher.admitted('a');
    clock = 1_000;
    batcher.admitted('b');
    clock = 2_000;
    batcher.admitted('a');
    clock = 6_000;
    batcher.admitted('c');
    // b expired (told at 1,000); a lives until 7,000.
    expect(batcher.remembered).toBe(2);
    batcher.observe('e1', queuedAt(100));
    expect(batcher.batches('e1', 'a')).toBe(false);
    expect(batcher.batches('e1', 'b')).toBe(true);
  });

  it('never batches with a window of 0 (batching off)', () => {
    const batcher = new ArrivalBatcher(0, () => Promise.resolve([]), now);
    batcher.observe('e1', queuedAt(1_000));
    expect(batcher.batches('e1', 'u1')).toBe(false);
  });

  it('sends the arrivals of one window as one script per event, in arrival order, and gives each its own reply', async () => {
    const calls: Array<[string, readonly string[]]> = [];
    const batcher = new ArrivalBatcher(20, (eventId, users) => {
      calls.push([eventId, users]);
      return Promise.resolve(users.map((_, i) => queuedAt(100 + i)));
    }, now);
    const answers = Promise.all([
      batcher.enter('e1', 'u1'),
      batcher.enter('e2', 'u2'),
      batcher.enter('e1', 'u3'),
      batcher.enter('e1', 'u4'),
    ]);
    await vi.advanceTimersByTimeAsync(19);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([['e1', ['u1', 'u3', 'u4']], ['e2', ['u2']]]);
    expect(await answers).toEqual([queuedAt(100), queuedAt(100), queuedAt(101), queuedAt(102)]);
  });

  it('fails only the arrivals of the event whose script failed, and those of a script that answered too few', async () => {
    const batcher = new ArrivalBatcher(20, (eventId, users) => {
      if (eventId === 'down') return Promise.reject(new Error('CLUSTERDOWN'));
      if (eventId === 'short') return Promise.resolve([queuedAt(1)]);
      return Promise.resolve(users.map(() => [1] as EnterReply));
    }, now);
    const down = batcher.enter('down', 'u1');
    const short = batcher.enter('short', 'u2');
    const shortToo = batcher.enter('short', 'u3');
    const fine = batcher.enter('fine', 'u4');
    const settled = Promise.allSettled([down, short, shortToo, fine]);
    await vi.advanceTimersByTimeAsync(20);
    const [a, b, c, d] = await settled;
    expect(a).toMatchObject({ status: 'rejected', reason: { message: 'CLUSTERDOWN' } });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'ENTER_MANY answered 1 of 2 arrivals' } });
    expect(c.status).toBe('rejected');
    expect(d).toEqual({ status: 'fulfilled', value: [1] });
  });

  it('splits a burst beyond 200 arrivals into scripts of at most 200', async () => {
    const sizes: number[] = [];
    const batcher = new ArrivalBatcher(20, (_eventId, users) => {
      sizes.push(users.length);
      return Promise.resolve(users.map(() => queuedAt(10)));
    }, now);
    const answers = Promise.all(Array.from({ length: 450 }, (_, i) => batcher.enter('e1', `u${i}`)));
    await vi.advanceTimersByTimeAsync(20);
    expect((await answers).length).toBe(450);
    expect(sizes).toEqual([200, 200, 50]);
  });
});
