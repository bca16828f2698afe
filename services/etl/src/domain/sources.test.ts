import { describe, expect, it } from 'vitest';
import { closuresSource, decisionsSource, eventsSource, paymentsSource, placementsSource, usersSource } from './sources';

const ORDER = '11111111-1111-4111-8111-111111111111';
const USER = '22222222-2222-4222-8222-222222222222';
const EVENT = '33333333-3333-4333-8333-333333333333';
const PAYMENT = '44444444-4444-4444-8444-444444444444';
const when = new Date('2030-01-01T10:00:00Z');

const placement = { _id: ORDER, user_id: USER, event_id: EVENT, quantity: 2, request_hash: 'h', mode: 'two_phase_commit', created_at: when, coordinator: 'order-1', nonce: 'n' };
const commit = { _id: ORDER, order_id: ORDER, mode: 'two_phase_commit', outcome: 'commit', decided_by: 'coordinator', decided_at: when, unit_price_minor: 2500, total_minor: 5000, currency: 'EUR', hold_expires_at: when };
const payment = { _id: PAYMENT, order_id: ORDER, user_id: USER, amount_minor: 5000, currency: 'EUR', method: 'card', status: 'succeeded', request_hash: 'h', failure_reason: null, provider_reference: 'r', created_at: when, updated_at: when };

describe('source transforms: the order service\'s documents as it writes them', () => {
  it('stages a placement', () => {
    expect(placementsSource.transform(placement)).toEqual({ ok: true, row: { order_id: ORDER, user_id: USER, event_id: EVENT, quantity: 2, mode: 'two_phase_commit', created_at: when } });
  });

  it('stages commit and abort decisions', () => {
    expect(decisionsSource.transform(commit)).toMatchObject({ ok: true, row: { outcome: 'commit', total_minor: 5000, currency: 'EUR' } });
    const abort = { _id: ORDER, order_id: ORDER, mode: 'two_phase_commit', outcome: 'abort', decided_by: 'recovery', decided_at: when, reason_code: 'NOT_ENOUGH_SEATS', reason: 'x', participants_clean: true };
    expect(decisionsSource.transform(abort)).toEqual({ ok: true, row: { order_id: ORDER, outcome: 'abort', decided_by: 'recovery', decided_at: when, unit_price_minor: null, total_minor: null, currency: null, hold_expires_at: null, reason_code: 'NOT_ENOUGH_SEATS' } });
  });

  it('stages closures with and without a payment', () => {
    expect(closuresSource.transform({ _id: ORDER, outcome: 'paid', at: when, payment_id: PAYMENT, payment_method: 'card' })).toMatchObject({ ok: true, row: { outcome: 'paid', payment_id: PAYMENT } });
    expect(closuresSource.transform({ _id: ORDER, outcome: 'expired', at: when })).toMatchObject({ ok: true, row: { outcome: 'expired', payment_id: null, payment_method: null } });
  });

  it('stages a payment', () => {
    expect(paymentsSource.transform(payment)).toMatchObject({ ok: true, row: { payment_id: PAYMENT, amount_minor: 5000, failure_reason: null } });
  });

  it('stages users and events as selected from PostgreSQL (bigint price as a string)', () => {
    expect(usersSource.transform({ id: USER, email_domain: 'example.test', roles: ['buyer'], created_at: when, updated_at: when })).toMatchObject({ ok: true });
    const event = { id: EVENT, organizer_id: USER, name: 'Gig', date_time: when, total_seats: 100, price_minor: '2500', currency: 'EUR', created_at: when, venue_id: ORDER, venue_name: 'Hall', venue_location: 'Town', venue_capacity: 200 };
    expect(eventsSource.transform(event)).toMatchObject({ ok: true, row: { price_minor: 2500 } });
  });
});

describe('source transforms: what is quarantined and why', () => {
  const reasonOf = (result: { ok: boolean; reason?: string }) => (result.ok ? 'accepted' : result.reason);

  it.each([
    ['a missing field', placementsSource, { ...placement, event_id: undefined }, /event_id: expected a UUID, got missing/],
    ['a quantity that is not a positive integer', placementsSource, { ...placement, quantity: 1.5 }, /quantity: expected an integer/],
    ['a date stored as a string', placementsSource, { ...placement, created_at: '2030-01-01' }, /created_at: expected a date, got "2030-01-01"/],
    ['an _id that is not a UUID', placementsSource, { ...placement, _id: 'order-1' }, /_id: expected a UUID/],
    ['a commit without its price', decisionsSource, { ...commit, total_minor: undefined }, /total_minor: expected a non-negative integer amount/],
    ['a negative amount', paymentsSource, { ...payment, amount_minor: -5 }, /amount_minor/],
    ['an amount beyond exact integers', paymentsSource, { ...payment, amount_minor: 2 ** 60 }, /amount_minor/],
    ['a lower-case currency', paymentsSource, { ...payment, currency: 'eur' }, /currency: expected an ISO 4217 code/],
    ['an unknown status', paymentsSource, { ...payment, status: 'pending' }, /status: expected one of processing, succeeded, failed, refunded/],
    ['a NUL in text', paymentsSource, { ...payment, failure_reason: 'bad\u0000reason' }, /failure_reason/],
    ['an order_id that differs from the transaction id', decisionsSource, { ...commit, order_id: USER }, /order_id: differs from _id/],
    ['a paid closure without its payment', closuresSource, { _id: ORDER, outcome: 'paid', at: when }, /payment_id: missing on a paid closure/],
    ['a total below the unit price', decisionsSource, { ...commit, total_minor: 10 }, /total_minor: less than unit_price_minor/],
  ])('refuses %s', (_what, spec, raw, reason) => {
    expect(reasonOf(spec.transform(raw))).toMatch(reason);
  });

  it('names every problem of a record at once', () => {
    const reason = reasonOf(paymentsSource.transform({ _id: PAYMENT }));
    for (const field of ['order_id', 'user_id', 'amount_minor', 'currency', 'method', 'status', 'created_at', 'updated_at']) expect(reason).toContain(`${field}:`);
  });
});
