import type { Cluster } from 'ioredis';

/**
 * Wakes long polls the moment their buyer is admitted. The room's scripts
 * PUBLISH `<event>:<user>` on one channel per deployment whenever they admit
 * someone from the queue; every gateway subscribes (a Redis Cluster
 * broadcasts PUBLISH to every node) and resolves the polls it holds for that
 * buyer. So an admitted slot is not left idle for a polling interval — with
 * slots counted in single digits, that idle time was a large share of it.
 * A lost notice costs only latency: the poll wakes at its timeout and asks
 * Redis anyway.
 */
export class AdmissionNotices {
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(private readonly subscriber: Cluster, readonly channel: string) {
    subscriber.on('message', (from: string, message: string) => {
      if (from !== channel) return;
      const listeners = this.waiters.get(message);
      if (listeners === undefined) return;
      this.waiters.delete(message);
      for (const listener of listeners) listener();
    });
    // Subscribed once; ioredis subscribes again after a reconnect.
    subscriber.subscribe(channel).catch(() => undefined);
  }

  /** Resolves when `<eventId>:<userId>` is admitted, or after `timeoutMs`, whichever is first. Call before asking Redis, so no notice is missed. */
  waitFor(eventId: string, userId: string, timeoutMs: number): { readonly done: Promise<void>; cancel(): void } {
    const key = `${eventId}:${userId}`;
    let listener: () => void = () => undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      listener = () => {
        clearTimeout(timer);
        resolve();
      };
      timer = setTimeout(() => {
        this.remove(key, listener);
        resolve();
      }, timeoutMs);
    });
    let set = this.waiters.get(key);
    if (set === undefined) this.waiters.set(key, (set = new Set()));
    set.add(listener);
    return {
      done,
      cancel: () => {
        clearTimeout(timer);
        this.remove(key, listener);
      },
    };
  }

  private remove(key: string, listener: () => void): void {
    const set = this.waiters.get(key);
    set?.delete(listener);
    if (set?.size === 0) this.waiters.delete(key);
  }

  close(): Promise<void> {
    return this.subscriber.quit().then(() => undefined, () => this.subscriber.disconnect());
  }
}
