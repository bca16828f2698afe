import type { Cluster } from 'ioredis';

/** A held wait for one buyer's admission. */
export interface AdmissionNotice {
  /** True when the buyer was admitted, false when the wait timed out (a cancelled wait never settles). */
  readonly done: Promise<boolean>;
  cancel(): void;
  /**
   * Admissions of the event this gateway heard of while the wait was held (until it ended): how far the
   * queue moved meanwhile. Notices lost on the way are not counted, so a place estimated from it errs
   * towards the back.
   */
  admissionsHeard(): number;
}

/** The buyers of an event admitted from the queue who have not come back yet (the room's `admitted` set). */
export type AdmittedOf = (eventId: string) => Promise<readonly string[]>;

/**
 * Wakes long polls the moment their buyer is admitted. The room's scripts
 * PUBLISH `<event>:<user>` on one channel per deployment whenever they admit
 * someone from the queue; every gateway subscribes (a Redis Cluster
 * broadcasts PUBLISH to every node) and resolves the polls it holds for that
 * buyer. So an admitted slot is not left idle for a polling interval, and a
 * queued buyer can be held in one long poll for most of their wait.
 *
 * Pub/sub drops what is published while the subscriber reconnects, and a
 * long poll is held longer than an admission waits for its buyer. So a sweep
 * (`recoverWith`) reads, once per interval and per event this gateway holds
 * polls for, the event's set of admitted buyers (as many as the room has
 * slots, not as many as are queued) and wakes any of them it holds: a lost
 * notice costs at most one interval.
 */
export class AdmissionNotices {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Long polls held per event, for the sweep. */
  private readonly perEvent = new Map<string, number>();
  /** Admissions heard per event while this gateway holds polls for it (a running count: differences matter; see admissionsHeard). */
  private readonly heard = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly subscriber: Cluster, readonly channel: string) {
    subscriber.on('message', (from: string, message: string) => {
      if (from === channel) this.onAdmission(message);
    });
    // Subscribed once; ioredis subscribes again after a reconnect.
    subscriber.subscribe(channel).catch(() => undefined);
  }

  /** Every `intervalMs`, wakes the held polls of buyers `admittedOf` lists (notices lost on the way). */
  recoverWith(admittedOf: AdmittedOf, intervalMs: number): void {
    const sweep = async () => {
      for (const eventId of [...this.perEvent.keys()]) {
        const users = await admittedOf(eventId).catch(() => []);
        for (const user of users) this.wake(`${eventId}:${user}`);
      }
    };
    const next = () => {
      if (this.closed) return;
      this.sweepTimer = setTimeout(() => void sweep().finally(next), intervalMs);
      this.sweepTimer.unref();
    };
    next();
  }

  /** Resolves when `<eventId>:<userId>` is admitted, or after `timeoutMs`, whichever is first. Call before asking Redis, so no notice is missed. */
  waitFor(eventId: string, userId: string, timeoutMs: number): AdmissionNotice {
    const key = `${eventId}:${userId}`;
    let listener: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    let waiting = true;
    let heardAtStart = 0;
    let heardWhileHeld = 0;
    const heardNow = () => (this.heard.get(eventId) ?? 0) - heardAtStart;
    const stop = () => {
      if (!waiting) return;
      waiting = false;
      // Before the removal: the count of an event is forgotten with its last held wait.
      heardWhileHeld = heardNow();
      clearTimeout(timer);
      this.remove(key, eventId, listener);
    };
    const done = new Promise<boolean>((resolve) => {
      listener = () => {
        stop();
        resolve(true);
      };
      timer = setTimeout(() => {
        stop();
        resolve(false);
      }, timeoutMs);
    });
    let set = this.waiters.get(key);
    if (set === undefined) this.waiters.set(key, (set = new Set()));
    set.add(listener);
    this.perEvent.set(eventId, (this.perEvent.get(eventId) ?? 0) + 1);
    heardAtStart = this.heard.get(eventId) ?? 0;
    return { done, cancel: stop, admissionsHeard: () => (waiting ? heardNow() : heardWhileHeld) };
  }

  /**
   * The admission of `<eventId>:<userId>` as told by the script's own reply (the release that admitted
   * them, on this gateway): wakes their held wait now. Not counted in admissionsHeard, which counts the
   * PUBLISH every admission also sends.
   */
  deliver(eventId: string, userId: string): void {
    this.wake(`${eventId}:${userId}`);
  }

  private onAdmission(message: string): void {
    // `<event>:<user>`; event ids are UUIDs.
    const eventId = message.slice(0, message.indexOf(':'));
    if (this.perEvent.has(eventId)) this.heard.set(eventId, (this.heard.get(eventId) ?? 0) + 1);
    this.wake(message);
  }

  private wake(key: string): void {
    const listeners = this.waiters.get(key);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) listener();
  }

  private remove(key: string, eventId: string, listener: () => void): void {
    const set = this.waiters.get(key);
    set?.delete(listener);
    if (set?.size === 0) this.waiters.delete(key);
    const held = (this.perEvent.get(eventId) ?? 1) - 1;
    if (held <= 0) {
      this.perEvent.delete(eventId);
      this.heard.delete(eventId);
    } else this.perEvent.set(eventId, held);
  }

  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    return this.subscriber.quit().then(() => undefined, () => this.subscriber.disconnect());
  }
}
