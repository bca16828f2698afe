import { describe, expect, it } from 'vitest';
import { ReadAhead } from './read-ahead';

async function* numbers(count: number, log: string[], failAt?: number): AsyncGenerator<number> {
  try {
    for (let i = 0; i < count; i += 1) {
      if (i === failAt) throw new Error(`source failed at ${i}`);
      log.push(`read ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield i;
    }
  } finally {
    log.push('source closed');
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('ReadAhead', () => {
  it('starts reading at once, but never more than depth items ahead', async () => {
    const log: string[] = [];
    const ahead = new ReadAhead(numbers(10, log), 2);
    await settle();
    expect(log).toEqual(['read 0', 'read 1']);
    const seen: number[] = [];
    for await (const n of ahead) seen.push(n);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.at(-1)).toBe('source closed');
  });

  it('hands a source failure to the consumer after what was read before it', async () => {
    const seen: number[] = [];
    const consume = async () => {
      for await (const n of new ReadAhead(numbers(10, [], 3), 5)) seen.push(n);
    };
    await expect(consume()).rejects.toThrow('source failed at 3');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('close() stops the reading and closes the source, even when nobody consumed', async () => {
    const log: string[] = [];
    const ahead = new ReadAhead(numbers(1_000, log), 3);
    await settle();
    await ahead.close();
    expect(log).toEqual(['read 0', 'read 1', 'read 2', 'source closed']);
  });

  it('does not leave an unconsumed failure unhandled', async () => {
    const ahead = new ReadAhead(numbers(10, [], 0), 2);
    await settle();
    await ahead.close();
  });
});
