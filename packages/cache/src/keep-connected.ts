import type { Redis } from 'ioredis';

/**
 * A client in `end` never reconnects by itself: ioredis ends a client whose
 * connect attempt was aborted (a `disconnect()` while it was still asking the
 * Sentinels for the primary) or whose retry strategy gave up. A cache shard
 * must not be lost for the life of the process to that, so while `isOpen()`
 * an ended client is connected again after `delayMs`.
 */
export function keepConnected(client: Redis, isOpen: () => boolean, delayMs = 250): void {
  client.on('end', () => {
    if (!isOpen()) return;
    setTimeout(() => {
      if (isOpen() && client.status === 'end') client.connect().catch(() => undefined);
    }, delayMs).unref();
  });
}
