import { afterEach, describe, expect, it, vi } from 'vitest';
import { notificationView, type StoredNotification } from '../domain/notification';
import { LiveHub, type ClientSink, type LiveHubSettings } from './live-hub';

const USER = '11111111-1111-4111-8111-111111111111';
const EVENT = '22222222-2222-4222-8222-222222222222';

class FakeSink implements ClientSink {
  readonly frames: Record<string, unknown>[] = [];
  bufferedAmount = 0;
  pings = 0;
  terminated = false;
  closedWith: number | undefined;

  send(text: string): void {
    this.frames.push(JSON.parse(text) as Record<string, unknown>);
  }

  ping(): void {
    this.pings += 1;
  }

  close(code: number): void {
    this.closedWith = code;
  }

  terminate(): void {
    this.terminated = true;
  }

  ids(): number[] {
    return this.frames.filter((frame) => frame.type === 'notification').map((frame) => (frame.notification as { id: number }).id);
  }
}

/** The user's stored notifications, as the database would answer. */
class Store {
  readonly rows: StoredNotification[] = [];
  reads = 0;

  add(): StoredNotification {
    const row: StoredNotification = { userId: USER, id: this.rows.length + 1, kind: 'payment_pending', message: `n${this.rows.length + 1}`, orderId: null, eventId: null, createdAt: new Date(0) };
    this.rows.push(row);
    return row;
  }

  history = (userId: string, after: number, limit: number): Promise<StoredNotification[]> => {
    this.reads += 1;
    return Promise.resolve(this.rows.filter((row) => row.userId === userId && row.id > after).slice(0, limit));
  };
}

const settings: LiveHubSettings = { maxConnectionsPerUser: 2, maxBufferedBytes: 1_000, heartbeatMs: 1_000, availabilityIntervalMs: 250 };

/** `subscribed`: the events USER (only) is subscribed to. */
function hubWith(store: Store, subscribed: string[] = []): LiveHub {
  return new LiveHub({
    history: store.history,
    latestId: () => Promise.resolve(store.rows.length),
    subscriptions: (userId) => Promise.resolve(userId === USER ? subscribed : []),
    logger: { info: () => undefined, warn: () => undefined, debug: () => undefined },
    settings,
  });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveHub', () => {
  afterEach(() => vi.useRealTimers());

  it('replays the stored notifications after `after`, then the live ones, each once and in order', async () => {
    const store = new Store();
    for (let i = 0; i < 3; i += 1) store.add();
    const hub = hubWith(store);
    const sink = new FakeSink();
    const opening = hub.open(USER, 1, sink);
    // Stored and published while the replay runs: queued, not lost, not doubled.
    const fourth = store.add();
    hub.deliverNotification(USER, notificationView(fourth));
    await opening;
    await flush();
    hub.deliverNotification(USER, notificationView(store.rows[2]!));
    hub.deliverNotification(USER, notificationView(store.add()));
    await flush();
    expect(sink.ids()).toEqual([2, 3, 4, 5]);
  });

  it('starts live from the latest id when the client gives no `after`', async () => {
    const store = new Store();
    store.add();
    const hub = hubWith(store);
    const sink = new FakeSink();
    await hub.open(USER, undefined, sink);
    hub.deliverNotification(USER, notificationView(store.add()));
    await flush();
    expect(sink.ids()).toEqual([2]);
  });

  it('counts an `after` beyond the user\'s latest id from the latest id, so no new notification is hidden', async () => {
    const store = new Store();
    store.add();
    const hub = hubWith(store);
    const sink = new FakeSink();
    await hub.open(USER, 500, sink);
    hub.deliverNotification(USER, notificationView(store.add()));
    await flush();
    expect(sink.ids()).toEqual([2]);
  });

  it('fills a gap the bus left (a dropped or late message) from the store', async () => {
    const store = new Store();
    const hub = hubWith(store);
    const sink = new FakeSink();
    await hub.open(USER, 0, sink);
    store.add();
    store.add();
    const third = store.add();
    hub.deliverNotification(USER, notificationView(third));
    await flush();
    await flush();
    expect(sink.ids()).toEqual([1, 2, 3]);
  });

  it('refuses a connection beyond the per-user limit and frees the slot when one closes', async () => {
    const hub = hubWith(new Store());
    const first = await hub.open(USER, undefined, new FakeSink());
    await hub.open(USER, undefined, new FakeSink());
    expect(hub.canAccept(USER)).toBe(false);
    hub.closed(first);
    expect(hub.canAccept(USER)).toBe(true);
  });

  it('drops a connection whose unsent bytes exceed the bound instead of buffering more', async () => {
    const store = new Store();
    const hub = hubWith(store);
    const sink = new FakeSink();
    await hub.open(USER, 0, sink);
    sink.bufferedAmount = 5_000;
    hub.deliverNotification(USER, notificationView(store.add()));
    await flush();
    expect(sink.terminated).toBe(true);
    expect(sink.frames).toEqual([]);
    expect(hub.stats()).toMatchObject({ connections: 0, droppedSlow: 1 });
  });

  it('pings every period and drops a connection that did not answer the previous ping', async () => {
    vi.useFakeTimers();
    const hub = hubWith(new Store());
    const quiet = new FakeSink();
    const lively = new FakeSink();
    await hub.open(USER, undefined, quiet);
    const answering = await hub.open(USER, undefined, lively);
    hub.startHeartbeat();
    vi.advanceTimersByTime(1_000);
    hub.alive(answering);
    vi.advanceTimersByTime(1_000);
    expect(quiet.terminated).toBe(true);
    expect(lively.terminated).toBe(false);
    expect(lively.pings).toBe(2);
    hub.close();
  });

  it('sends availability to watchers and subscribers only, at most once per interval per event, the latest count last', async () => {
    vi.useFakeTimers();
    const hub = hubWith(new Store(), [EVENT]);
    const subscriber = new FakeSink();
    const watcher = new FakeSink();
    const other = new FakeSink();
    await hub.open(USER, undefined, subscriber);
    const watching = await hub.open('33333333-3333-4333-8333-333333333333', undefined, watcher);
    hub.watch(watching, [EVENT]);
    await hub.open('44444444-4444-4444-8444-444444444444', undefined, other);
    for (const seats of [9, 8, 7, 6]) hub.deliverAvailability(EVENT, seats);
    vi.advanceTimersByTime(300);
    const expected = [{ type: 'availability', event_id: EVENT, available_seats: 9 }, { type: 'availability', event_id: EVENT, available_seats: 6 }];
    expect(subscriber.frames).toEqual(expected);
    expect(watcher.frames).toEqual(expected);
    expect(other.frames).toEqual([]);
    hub.watch(watching, []);
    hub.deliverAvailability(EVENT, 5);
    vi.advanceTimersByTime(300);
    expect(watcher.frames).toHaveLength(2);
    hub.close();
  });
});
