import { describe, expect, it } from 'vitest';
import { processTable, treeCpuMs, type ProcessTable } from './process-cpu';

describe('treeCpuMs', () => {
  it('sums the ticks of the roots and all their descendants once each, in milliseconds', () => {
    const table: ProcessTable = {
      ticks: new Map([[1, 5], [2, 3], [3, 2], [4, 100]]),
      children: new Map([[1, [2]], [2, [3]]]),
    };
    // 2 is both a root and a child of 1: counted once; 4 is outside the trees.
    expect(treeCpuMs([1, 2], table)).toBe((5 + 3 + 2) * 10);
  });

  it('finds this process in the live process table', () => {
    expect(processTable().ticks.has(process.pid)).toBe(true);
  });
});
