import { describe, expect, it } from 'vitest';
import { rawJson } from './raw';
import { paymentsSource } from './sources';
import { triage } from './triage';

const ORDER = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const payment = (id: string, updated: string, extra: Record<string, unknown> = {}) => ({
  _id: id, order_id: ORDER, user_id: USER, amount_minor: 100, currency: 'EUR', method: 'card', status: 'succeeded', failure_reason: null,
  created_at: new Date('2030-01-01T00:00:00Z'), updated_at: new Date(updated), ...extra,
});

describe('triage', () => {
  it('loads valid records, quarantines invalid ones, and drops none', () => {
    const batch = [
      payment('aaaaaaaa-0000-4000-8000-000000000001', '2030-01-01T10:00:00Z'),
      payment('aaaaaaaa-0000-4000-8000-000000000002', '2030-01-01T11:00:00Z', { currency: 42 }),
      payment('aaaaaaaa-0000-4000-8000-000000000003', '2030-01-01T09:00:00Z'),
    ];
    const result = triage(paymentsSource, batch);
    expect(result.rows).toHaveLength(2);
    expect(result.validKeys).toEqual(['aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000003']);
    expect(result.quarantined).toEqual([{ key: 'aaaaaaaa-0000-4000-8000-000000000002', reason: 'currency: expected an ISO 4217 code (three capital letters), got number 42', raw: rawJson(batch[1]) }]);
  });

  it('moves the mark over every record seen with a usable timestamp, the quarantined included', () => {
    const result = triage(paymentsSource, [
      payment('aaaaaaaa-0000-4000-8000-000000000001', '2030-01-01T10:00:00Z'),
      payment('aaaaaaaa-0000-4000-8000-000000000002', '2030-01-01T11:00:00Z', { status: 'weird' }),
      payment('aaaaaaaa-0000-4000-8000-000000000003', '2030-01-01T09:00:00Z', { updated_at: 'not a date' }),
    ]);
    expect(result.mark).toEqual({ ts: new Date('2030-01-01T11:00:00Z'), id: 'aaaaaaaa-0000-4000-8000-000000000002' });
    expect(result.quarantined.map((entry) => entry.key)).toHaveLength(2);
  });

  it('keeps the last version of a key that appears twice in one batch', () => {
    const id = 'aaaaaaaa-0000-4000-8000-000000000001';
    const result = triage(paymentsSource, [payment(id, '2030-01-01T10:00:00Z', { status: 'processing' }), payment(id, '2030-01-01T10:00:01Z')]);
    expect(result.rows).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });
});

describe('rawJson', () => {
  it('keeps dates readable and makes NUL and lone surrogates storable in jsonb', () => {
    const json = rawJson({ at: new Date('2030-01-01T00:00:00Z'), text: 'a\u0000b', lone: '\uD800x', ['k\u0000']: 1 });
    expect(JSON.parse(json)).toEqual({ at: '2030-01-01T00:00:00.000Z', text: 'a\uFFFDb', lone: '\uFFFDx', ['k\uFFFD']: 1 });
  });

  it('cuts a huge document to a preview', () => {
    const parsed = JSON.parse(rawJson({ blob: 'x'.repeat(200_000) })) as { truncated: boolean; length: number };
    expect(parsed).toMatchObject({ truncated: true, length: 200_011 });
  });
});
