import type { Logger } from '@eticket/logging';
import type { Lease, Namespace } from 'etcd3';
import { instanceKey, type ServiceInstance } from './instance';

export interface Registration {
  /** Resolves once the instance is in the registry for the first time. */
  readonly registered: Promise<void>;
  /** Revokes the lease so the instance leaves every pool at once (graceful shutdown); stops re-registering. */
  deregister(): Promise<void>;
}

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * Announces an instance under a lease that the client keeps alive (a
 * keep-alive every TTL/3). A crashed process stops the keep-alives, so etcd
 * deletes its key when the TTL runs out and every watcher drops it.
 *
 * Registration never blocks or fails the service: if etcd is unreachable at
 * start, or the lease is lost while the process lives (etcd restarted, the
 * process was paused past its TTL), it keeps trying in the background, with a
 * growing pause, until it is registered again.
 */
export function registerInstance(etcd: Namespace, instance: ServiceInstance, ttlSeconds: number, logger: Logger): Registration {
  const key = instanceKey(instance.service, instance.id);
  let lease: Lease | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let firstDone: () => void = () => undefined;
  const registered = new Promise<void>((resolve) => {
    firstDone = resolve;
  });

  const attempt = (failures: number): void => {
    if (closed) return;
    const current = etcd.lease(ttlSeconds, { autoKeepAlive: true });
    lease = current;
    let retried = false;
    const retry = (error: unknown): void => {
      // 'lost' and a failed put can both report one failure: retry once.
      if (closed || retried || lease !== current) return;
      retried = true;
      const pauseMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** failures);
      logger.warn({ err: error, key, retryInMs: pauseMs }, 'not in the service registry; registering again');
      current.release();
      retryTimer = setTimeout(() => attempt(failures + 1), pauseMs);
    };
    current.on('lost', retry);
    current.put(key).value(JSON.stringify({ ...instance, registeredAt: new Date().toISOString() })).then(
      () => {
        if (closed) return;
        logger.info({ key, ttlSeconds }, 'registered in service discovery');
        firstDone();
      },
      retry,
    );
  };

  attempt(0);
  return {
    registered,
    async deregister() {
      closed = true;
      clearTimeout(retryTimer);
      try {
        await lease?.revoke();
        logger.info({ key }, 'deregistered from service discovery');
      } catch (error) {
        logger.warn({ err: error, key }, 'could not revoke the registry lease; the key expires with its TTL');
      }
    },
  };
}
