import type { NotificationKind, NotificationView } from '../api/types';

// The server → client frames of the /notification WebSocket (the notification
// contract), checked before use: a frame of another shape is ignored.

export type ServerFrame =
  | { readonly type: 'notification'; readonly notification: NotificationView }
  | { readonly type: 'availability'; readonly event_id: string; readonly available_seats: number };

const KINDS: readonly NotificationKind[] = ['payment_pending', 'payment_succeeded', 'payment_failed', 'hold_expiring', 'order_expired', 'order_cancelled', 'event_reminder'];

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseFrame(text: string): ServerFrame | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(frame)) return undefined;
  if (frame.type === 'availability' && typeof frame.event_id === 'string' && Number.isInteger(frame.available_seats)) {
    return { type: 'availability', event_id: frame.event_id, available_seats: frame.available_seats as number };
  }
  const n = frame.notification;
  if (frame.type !== 'notification' || !isRecord(n)) return undefined;
  if (!Number.isInteger(n.id) || !KINDS.includes(n.kind as NotificationKind) || typeof n.message !== 'string' || typeof n.created_at !== 'string') return undefined;
  return {
    type: 'notification',
    notification: {
      id: n.id as number,
      kind: n.kind as NotificationKind,
      message: n.message,
      created_at: n.created_at,
      ...(typeof n.order_id === 'string' ? { order_id: n.order_id } : {}),
      ...(typeof n.event_id === 'string' ? { event_id: n.event_id } : {}),
    },
  };
}

/** How recent a replayed notification must be to pop up as a toast; older ones only move the "seen" mark. */
export const TOAST_MAX_AGE_MS = 2 * 60_000;

/**
 * Whether a notification deserves a toast: anything new since the last one
 * this browser saw, as long as it is recent. On a first visit the server
 * replays the whole history; toasting all of it would bury the page.
 */
export function shouldToast(notification: NotificationView, lastSeenId: number | undefined, now: number): boolean {
  if (lastSeenId !== undefined && notification.id <= lastSeenId) return false;
  return now - Date.parse(notification.created_at) <= TOAST_MAX_AGE_MS;
}

/** Reconnection delay after `failures` consecutive failed connections: 1 s, 2 s, 4 s ... 30 s, with jitter. */
export function reconnectDelayMs(failures: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

/** The socket URL on this page's origin: ws(s)://host/notification?token=...&after=... */
export function notificationUrl(location: { protocol: string; host: string }, token: string, after: number | undefined): string {
  const params = new URLSearchParams({ token });
  if (after !== undefined) params.set('after', String(after));
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/notification?${params.toString()}`;
}
