import { describe, expect, it } from 'vitest';
import { createRing } from './index';

const KEYS = Array.from({ length: 20_000 }, (_, index) => `event:${index}`);

function assignment(shards: string[]): Map<string, string> {
  const ring = createRing(shards);
  return new Map(KEYS.map((key) => [key, ring.get(key)]));
}

describe('consistent-hash ring', () => {
  it('spreads keys evenly over the shards (coefficient of variation under 0.05)', () => {
    const counts = new Map<string, number>();
    for (const shard of assignment(['cache-0', 'cache-1', 'cache-2']).values()) counts.set(shard, (counts.get(shard) ?? 0) + 1);
    const values = [...counts.values()];
    const mean = KEYS.length / 3;
    const cv = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length) / mean;
    expect(values).toHaveLength(3);
    expect(cv).toBeLessThan(0.05);
  });

  it('moves only the keys of the new shard when one is added (about 1/N)', () => {
    const before = assignment(['cache-0', 'cache-1', 'cache-2']);
    const after = assignment(['cache-0', 'cache-1', 'cache-2', 'cache-3']);
    const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
    expect(moved.every((key) => after.get(key) === 'cache-3')).toBe(true);
    expect(moved.length / KEYS.length).toBeLessThan(1.2 / 4);
  });

  it('moves only the removed shard\'s keys when one is removed', () => {
    const before = assignment(['cache-0', 'cache-1', 'cache-2']);
    const after = assignment(['cache-0', 'cache-1']);
    const moved = KEYS.filter((key) => before.get(key) !== after.get(key));
    expect(moved.every((key) => before.get(key) === 'cache-2')).toBe(true);
    expect(moved.length / KEYS.length).toBeLessThan(1.2 / 3);
  });
});
