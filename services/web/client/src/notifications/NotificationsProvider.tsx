import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { NotificationView } from '../api/types';
import { useSession } from '../session/session';
import { notificationUrl, parseFrame, reconnectDelayMs, shouldToast } from './frames';

// The signed-in user's /notification WebSocket: notifications become toasts,
// availability frames become live seat counts. One socket per tab; it
// reconnects with backoff and resumes after the last id this browser saw, so
// nothing is missed across a reconnect and nothing is shown twice.

export interface Toast {
  readonly key: number;
  readonly notification: NotificationView;
}

interface NotificationsValue {
  readonly toasts: readonly Toast[];
  readonly dismiss: (key: number) => void;
  /** The live seat count the server last pushed for an event, if any. */
  readonly liveSeats: (eventId: string) => number | undefined;
  /** Replaces the set of events this page wants live counts for (at most 50). */
  readonly watch: (eventIds: readonly string[]) => void;
  /** The last notification received (pages refresh what it concerns). */
  readonly latest: NotificationView | undefined;
  readonly connected: boolean;
}

const NotificationsContext = createContext<NotificationsValue | undefined>(undefined);

const TOAST_LIFETIME_MS = 12_000;
const lastSeenKey = (userId: string) => `eticket.notifications.after.${userId}`;

function readLastSeen(userId: string): number | undefined {
  const raw = localStorage.getItem(lastSeenKey(userId));
  const value = raw === null ? Number.NaN : Number(raw);
  return Number.isInteger(value) ? value : undefined;
}

export function NotificationsProvider({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [seats, setSeats] = useState<ReadonlyMap<string, number>>(new Map());
  const [latest, setLatest] = useState<NotificationView | undefined>(undefined);
  const [connected, setConnected] = useState(false);
  const socketRef = useRef<WebSocket | undefined>(undefined);
  const watchedRef = useRef<readonly string[]>([]);
  const toastKey = useRef(0);

  const dismiss = useCallback((key: number) => setToasts((current) => current.filter((toast) => toast.key !== key)), []);

  const sendWatch = useCallback(() => {
    const socket = socketRef.current;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'watch', event_ids: watchedRef.current.slice(0, 50) }));
  }, []);

  const watch = useCallback((eventIds: readonly string[]) => {
    watchedRef.current = eventIds;
    sendWatch();
  }, [sendWatch]);

  const token = session?.token;
  const userId = session?.user.id;
  useEffect(() => {
    if (token === undefined || userId === undefined) return undefined;
    let stopped = false;
    let failures = 0;
    let timer: number | undefined;
    const connect = () => {
      const socket = new WebSocket(notificationUrl(window.location, token, readLastSeen(userId)));
      socketRef.current = socket;
      socket.onopen = () => {
        failures = 0;
        setConnected(true);
        sendWatch();
      };
      socket.onmessage = (message: MessageEvent<unknown>) => {
        const frame = typeof message.data === 'string' ? parseFrame(message.data) : undefined;
        if (frame === undefined) return;
        if (frame.type === 'availability') {
          setSeats((current) => new Map(current).set(frame.event_id, frame.available_seats));
          return;
        }
        const seen = readLastSeen(userId);
        if (shouldToast(frame.notification, seen, Date.now())) {
          const key = ++toastKey.current;
          setToasts((current) => [...current.slice(-4), { key, notification: frame.notification }]);
          window.setTimeout(() => dismiss(key), TOAST_LIFETIME_MS);
        }
        if (seen === undefined || frame.notification.id > seen) localStorage.setItem(lastSeenKey(userId), String(frame.notification.id));
        setLatest(frame.notification);
      };
      socket.onclose = () => {
        setConnected(false);
        if (stopped) return;
        failures += 1;
        timer = window.setTimeout(connect, reconnectDelayMs(failures));
      };
    };
    connect();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      socketRef.current?.close();
      socketRef.current = undefined;
    };
  }, [token, userId, sendWatch, dismiss]);

  const liveSeats = useCallback((eventId: string) => seats.get(eventId), [seats]);
  const value = useMemo(() => ({ toasts, dismiss, liveSeats, watch, latest, connected }), [toasts, dismiss, liveSeats, watch, latest, connected]);
  return <NotificationsContext.Provider value={value}>{children}</NotificationsContext.Provider>;
}

export function useNotifications(): NotificationsValue {
  const value = useContext(NotificationsContext);
  if (value === undefined) throw new Error('useNotifications outside NotificationsProvider');
  return value;
}
