// Loads are idempotent: running again over the same data (the overlap of an
// incremental run, or a full re-extraction of everything) changes no row of
// staging, the star schema, the watermarks or the quarantine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sourceTotals, warehouseTotals } from './reconcile';
import { seedMarketplace } from './seed';
import { startHarness, succeeded, warehouseChecksums, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seedMarketplace(h, { orders: 400, seed: 21 });
  succeeded(await h.run());
});

afterAll(async () => {
  await h?.close();
});

describe('idempotency', () => {
  it('a second incremental run over the same windows changes nothing', async () => {
    const before = await warehouseChecksums(h);
    // A long overlap makes the second run re-read everything the first one loaded.
    const again = succeeded(await h.run({ overlapMs: 30 * 86_400_000 }));
    expect(again.sources.every((s) => s.window.from !== null)).toBe(true);
    expect(again.sources.reduce((n, s) => n + s.extracted, 0)).toBeGreaterThan(400);
    expect(again.sources.map((s) => [s.source, s.loaded])).toEqual(again.sources.map((s) => [s.source, 0]));
    expect(Object.values(again.merged)).toEqual([0, 0, 0, 0, 0]);
    expect(await warehouseChecksums(h)).toEqual(before);
  });

  it('a full run, ignoring the watermarks, re-extracts everything and changes nothing', async () => {
    const before = await warehouseChecksums(h);
    const full = succeeded(await h.run({}, { full: true }));
    expect(full.sources.every((s) => s.window.from === null)).toBe(true);
    const { rows } = await h.warehouse.query<{ n: number }>('SELECT count(*)::int AS n FROM dw.fact_order');
    expect(full.sources.find((s) => s.source === 'order_placements')!.extracted).toBe(rows[0]!.n);
    expect(full.sources.reduce((n, s) => n + s.loaded, 0)).toBe(0);
    expect(await warehouseChecksums(h)).toEqual(before);
    expect(await warehouseTotals(h)).toEqual(await sourceTotals(h));
  });

  it('records each run, the no-op ones too', async () => {
    const { rows } = await h.warehouse.query<{ status: string; mode: string; rows_loaded: number }>('SELECT status, mode, rows_loaded FROM etl.runs ORDER BY id');
    expect(rows).toEqual([
      expect.objectContaining({ status: 'succeeded', mode: 'incremental' }),
      { status: 'succeeded', mode: 'incremental', rows_loaded: 0 },
      { status: 'succeeded', mode: 'full', rows_loaded: 0 },
    ]);
    expect(rows[0]!.rows_loaded).toBeGreaterThan(400);
  });
});
