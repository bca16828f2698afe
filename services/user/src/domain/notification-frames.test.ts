import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_WATCHED_EVENTS, notificationView, parseClientFrame } from './notification';

describe('client frames', () => {
  it('accepts a watch frame and drops duplicate ids', () => {
    const id = randomUUID();
    expect(parseClientFrame(JSON.stringify({ type: 'watch', event_ids: [id, id.toUpperCase()] }))).toEqual({ type: 'watch', eventIds: [id] });
  });

  it('accepts an empty watch list (stop watching)', () => {
    expect(parseClientFrame('{"type":"watch","event_ids":[]}')).toEqual({ type: 'watch', eventIds: [] });
  });

  it.each([
    ['not JSON', 'hello'],
    ['another type', '{"type":"subscribe","event_ids":[]}'],
    ['ids that are not UUIDs', '{"type":"watch","event_ids":["1 OR 1=1"]}'],
    ['more than the bound', JSON.stringify({ type: 'watch', event_ids: Array.from({ length: MAX_WATCHED_EVENTS + 1 }, () => randomUUID()) })],
    ['null', 'null'],
  ])('refuses %s with VALIDATION_FAILED', (_case, text) => {
    let caught: unknown;
    try {
      parseClientFrame(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('notification view', () => {
  it('has the contract fields and leaves out absent order and event ids', () => {
    const createdAt = new Date('2030-01-01T00:00:00Z');
    expect(notificationView({ userId: 'u', id: 7, kind: 'payment_pending', message: 'pay', orderId: 'o-1', eventId: null, createdAt }))
      .toEqual({ id: 7, kind: 'payment_pending', message: 'pay', order_id: 'o-1', created_at: '2030-01-01T00:00:00.000Z' });
  });
});
