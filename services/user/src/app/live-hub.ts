import type { Logger } from '@eticket/logging';
import { notificationView, type NotificationView, type StoredNotification } from '../domain/notification';
import { KeyedThrottle } from './keyed-throttle';

/** One open WebSocket, as the hub sees it (http/notification-socket.ts adapts `ws`). */
export interface ClientSink {
  send(text: string): void;
  /** Bytes queued in this process and not yet written to the socket. */
  readonly bufferedAmount: number;
  ping(): void;
  close(code: number, reason: string): void;
  /** Drops the connection at once (dead or too slow). */
  terminate(): void;
}

export interface LiveHubDeps {
  /** The user's stored notifications numbered above `after`, in order. */
  readonly history: (userId: string, after: number, limit: number) => Promise<StoredNotification[]>;
  /** The user's latest notification id (0 if none). */
  readonly latestId: (userId: string) => Promise<number>;
  /** The events the user is subscribed to (their availability is sent too). */
  readonly subscriptions: (userId: string) => Promise<string[]>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  readonly settings: LiveHubSettings;
}

export interface LiveHubSettings {
  /** Open connections per user on this instance. */
  readonly maxConnectionsPerUser: number;
  /** A connection whose unsent bytes exceed this is a slow consumer and is dropped. */
  readonly maxBufferedBytes: number;
  /** Ping period; a connection that has not answered the previous ping is dropped. */
  readonly heartbeatMs: number;
  /** Availability frames per event at most once per this interval. */
  readonly availabilityIntervalMs: number;
}

const REPLAY_BATCH = 100;
/** WebSocket close codes: 1008 policy violation (too slow), 1001 going away (shutdown). */
export const CLOSE_TOO_SLOW = 1008;
export const CLOSE_GOING_AWAY = 1001;

/** A connection: whose it is, the last notification id it got, and what it watches. */
export class LiveConnection {
  lastId = 0;
  alive = true;
  closed = false;
  /** Live notifications waiting while a replay or a gap fill runs. */
  pending: NotificationView[] = [];
  pumping = true;
  watched = new Set<string>();
  subscribed = new Set<string>();

  constructor(
    readonly userId: string,
    readonly sink: ClientSink,
  ) {}

  events(): Set<string> {
    return new Set([...this.watched, ...this.subscribed]);
  }
}

export interface HubStats {
  readonly connections: number;
  readonly users: number;
  readonly watchedEvents: number;
  readonly droppedSlow: number;
  readonly droppedDead: number;
}

/**
 * The connections of this instance. Every notification and availability
 * change reaches every instance through the bus; the hub hands it to the
 * connections it concerns. Notifications per user arrive in id order as a
 * rule, but the bus is best effort (pub/sub drops messages while Redis is
 * unreachable, and two instances may publish a user's N and N+1 in either
 * order): a connection that sees a gap reads the missing ids from
 * PostgreSQL, which is the record, so a connected client misses nothing
 * and gets every id once, in order.
 */
export class LiveHub {
  private readonly byUser = new Map<string, Set<LiveConnection>>();
  private readonly byEvent = new Map<string, Set<LiveConnection>>();
  private readonly throttle: KeyedThrottle<number>;
  private heartbeat: NodeJS.Timeout | undefined;
  private droppedSlow = 0;
  private droppedDead = 0;

  constructor(private readonly deps: LiveHubDeps) {
    this.throttle = new KeyedThrottle(deps.settings.availabilityIntervalMs, (eventId, seats) => this.sendAvailability(eventId, seats));
  }

  /** Whether this user may open one more connection here. */
  canAccept(userId: string): boolean {
    return (this.byUser.get(userId)?.size ?? 0) < this.deps.settings.maxConnectionsPerUser;
  }

  /**
   * Registers the connection first (live notifications from now on are
   * queued), then replays what is stored after `after` (or, without it,
   * starts from the user's latest id), then delivers the queue: nothing
   * falls between replay and live.
   */
  async open(userId: string, after: number | undefined, sink: ClientSink): Promise<LiveConnection> {
    const connection = new LiveConnection(userId, sink);
    let mine = this.byUser.get(userId);
    if (mine === undefined) {
      mine = new Set();
      this.byUser.set(userId, mine);
    }
    mine.add(connection);
    try {
      const subscribed = await this.deps.subscriptions(userId);
      if (!connection.closed) this.setEvents(connection, () => (connection.subscribed = new Set(subscribed)));
      const latest = await this.deps.latestId(userId);
      if (after === undefined) {
        // Live only; notifications stored from now on are queued meanwhile and sent after this id.
        connection.lastId = latest;
      } else {
        // An `after` beyond the user's latest id (kept from another account, or a reset database) would
        // hide every notification up to it: counted from the latest id instead.
        connection.lastId = Math.min(after, latest);
        await this.catchUp(connection, Number.MAX_SAFE_INTEGER);
      }
    } finally {
      connection.pumping = false;
    }
    await this.pump(connection);
    return connection;
  }

  /** Replaces the connection's watched set (the client's watch frame). */
  watch(connection: LiveConnection, eventIds: readonly string[]): void {
    this.setEvents(connection, () => (connection.watched = new Set(eventIds)));
  }

  /** Any sign of life from the client (a pong, a frame). */
  alive(connection: LiveConnection): void {
    connection.alive = true;
  }

  closed(connection: LiveConnection): void {
    if (connection.closed) return;
    connection.closed = true;
    const mine = this.byUser.get(connection.userId);
    mine?.delete(connection);
    if (mine?.size === 0) this.byUser.delete(connection.userId);
    this.setEvents(connection, () => {
      connection.watched = new Set();
      connection.subscribed = new Set();
    });
  }

  /** A notification stored somewhere (this or another instance). */
  deliverNotification(userId: string, notification: NotificationView): void {
    const mine = this.byUser.get(userId);
    if (mine === undefined) return;
    for (const connection of mine) {
      connection.pending.push(notification);
      void this.pump(connection);
    }
  }

  /** A seat count changed: sent to the connections of that event, coalesced per event. */
  deliverAvailability(eventId: string, availableSeats: number): void {
    if (!this.byEvent.has(eventId)) return;
    this.throttle.push(eventId, availableSeats);
  }

  /** The user subscribed to or unsubscribed from an event (on any instance). */
  subscriptionChanged(userId: string, eventId: string, subscribed: boolean): void {
    for (const connection of this.byUser.get(userId) ?? []) {
      this.setEvents(connection, () => {
        if (subscribed) connection.subscribed.add(eventId);
        else connection.subscribed.delete(eventId);
      });
    }
  }

  startHeartbeat(): void {
    this.heartbeat ??= setInterval(() => this.beat(), this.deps.settings.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Closes every connection (going away) and stops the timers. */
  close(): void {
    clearInterval(this.heartbeat);
    this.throttle.close();
    for (const mine of [...this.byUser.values()]) {
      for (const connection of [...mine]) {
        connection.sink.close(CLOSE_GOING_AWAY, 'server shutting down');
        this.closed(connection);
      }
    }
  }

  stats(): HubStats {
    let connections = 0;
    for (const mine of this.byUser.values()) connections += mine.size;
    return { connections, users: this.byUser.size, watchedEvents: this.byEvent.size, droppedSlow: this.droppedSlow, droppedDead: this.droppedDead };
  }

  /** Sends the live notifications queued for the connection, one at a time, filling gaps from the database. */
  private async pump(connection: LiveConnection): Promise<void> {
    if (connection.pumping) return;
    connection.pumping = true;
    try {
      while (!connection.closed && connection.pending.length > 0) {
        const next = connection.pending.shift() as NotificationView;
        if (next.id <= connection.lastId) continue;
        if (next.id === connection.lastId + 1) this.send(connection, next);
        else await this.catchUp(connection, next.id);
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, userId: connection.userId }, 'could not read missed notifications; closing the connection so the client reconnects with after');
      connection.sink.close(1011, 'try again');
      this.closed(connection);
    } finally {
      connection.pumping = false;
    }
  }

  /** Reads and sends stored notifications after the connection's last id, until `upTo` is sent or nothing more is stored. */
  private async catchUp(connection: LiveConnection, upTo: number): Promise<void> {
    while (!connection.closed && connection.lastId < upTo) {
      const rows = await this.deps.history(connection.userId, connection.lastId, REPLAY_BATCH);
      for (const row of rows) if (row.id > connection.lastId) this.send(connection, notificationView(row));
      if (rows.length < REPLAY_BATCH) return;
    }
  }

  private send(connection: LiveConnection, notification: NotificationView): void {
    connection.lastId = notification.id;
    this.write(connection, JSON.stringify({ type: 'notification', notification }));
  }

  private sendAvailability(eventId: string, availableSeats: number): void {
    const frame = JSON.stringify({ type: 'availability', event_id: eventId, available_seats: availableSeats });
    for (const connection of this.byEvent.get(eventId) ?? []) this.write(connection, frame);
  }

  /** Writes a frame unless the client is not reading: then it is dropped rather than buffered without bound. */
  private write(connection: LiveConnection, frame: string): void {
    if (connection.closed) return;
    if (connection.sink.bufferedAmount > this.deps.settings.maxBufferedBytes) {
      this.droppedSlow += 1;
      this.deps.logger.info({ userId: connection.userId, buffered: connection.sink.bufferedAmount }, 'dropping a slow WebSocket consumer');
      connection.sink.terminate();
      this.closed(connection);
      return;
    }
    connection.sink.send(frame);
  }

  /** Runs `change` on the connection's event sets and re-indexes it by event. */
  private setEvents(connection: LiveConnection, change: () => void): void {
    const before = connection.events();
    change();
    const after = connection.events();
    for (const eventId of before) {
      if (after.has(eventId)) continue;
      const watchers = this.byEvent.get(eventId);
      watchers?.delete(connection);
      if (watchers?.size === 0) this.byEvent.delete(eventId);
    }
    for (const eventId of after) {
      if (before.has(eventId)) continue;
      let watchers = this.byEvent.get(eventId);
      if (watchers === undefined) {
        watchers = new Set();
        this.byEvent.set(eventId, watchers);
      }
      watchers.add(connection);
    }
  }

  private beat(): void {
    for (const mine of [...this.byUser.values()]) {
      for (const connection of [...mine]) {
        if (!connection.alive) {
          this.droppedDead += 1;
          connection.sink.terminate();
          this.closed(connection);
          continue;
        }
        connection.alive = false;
        connection.sink.ping();
      }
    }
  }
}
