import { describe, expect, it } from 'vitest';
import { notificationUrl, parseFrame, reconnectDelayMs, shouldToast } from './frames';

const now = Date.parse('2031-01-01T12:00:00Z');
const notification = (id: number, secondsAgo: number) => ({ id, kind: 'payment_succeeded' as const, message: 'Paid', created_at: new Date(now - secondsAgo * 1000).toISOString() });

describe('notification frames', () => {
  it('reads both kinds of frame of the contract', () => {
    expect(parseFrame(JSON.stringify({ type: 'availability', event_id: 'e1', available_seats: 4 }))).toEqual({ type: 'availability', event_id: 'e1', available_seats: 4 });
    const frame = parseFrame(JSON.stringify({ type: 'notification', notification: { id: 7, kind: 'payment_succeeded', message: 'Paid', order_id: 'o1', created_at: '2031-01-01T12:00:00Z' } }));
    expect(frame).toEqual({ type: 'notification', notification: { id: 7, kind: 'payment_succeeded', message: 'Paid', order_id: 'o1', created_at: '2031-01-01T12:00:00Z' } });
  });

  it('ignores anything else', () => {
    for (const text of ['not json', '[]', '{"type":"availability","event_id":"e","available_seats":1.5}', '{"type":"notification","notification":{"id":1,"kind":"spam","message":"x","created_at":"x"}}', '{"type":"hello"}']) {
      expect(parseFrame(text), text).toBeUndefined();
    }
  });

  it('toasts what is new and recent, not a replayed history', () => {
    expect(shouldToast(notification(5, 10), 4, now)).toBe(true);
    expect(shouldToast(notification(4, 10), 4, now)).toBe(false);
    expect(shouldToast(notification(9, 600), undefined, now)).toBe(false);
    expect(shouldToast(notification(9, 30), undefined, now)).toBe(true);
  });

  it('backs off reconnections up to 30 s', () => {
    expect(reconnectDelayMs(1, () => 0)).toBe(500);
    expect(reconnectDelayMs(1, () => 1)).toBe(1000);
    expect(reconnectDelayMs(3, () => 1)).toBe(4000);
    expect(reconnectDelayMs(20, () => 1)).toBe(30_000);
  });

  it('connects on the page\'s own origin with the token and the last id seen', () => {
    expect(notificationUrl({ protocol: 'http:', host: 'localhost:8080' }, 'abc', 12)).toBe('ws://localhost:8080/notification?token=abc&after=12');
    expect(notificationUrl({ protocol: 'https:', host: 'tickets.example' }, 'abc', undefined)).toBe('wss://tickets.example/notification?token=abc');
  });
});
