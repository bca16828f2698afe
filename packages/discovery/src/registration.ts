import type { Logger } from '@eticket/logging';
import type { Etcd3, Lease } from 'etcd3';
import { instanceKey, type ServiceInstance } from './instance';

export interface Registration {
  /** Revokes the lease so the instance leaves every pool at once (graceful shutdown). */
  deregister(): Promise<void>;
}

/**
 * Announces an instance under a lease that the client keeps alive. A crashed
 * process stops the keep-alives, so etcd deletes its key when the TTL runs out
 * and every watcher drops it. If the lease is lost while the process lives
 * (etcd restarted, a long pause), the instance registers again.
 */
export async function registerInstance(etcd: Etcd3, instance: ServiceInstance, ttlSeconds: number, logger: Logger): Promise<Registration> {
  let lease: Lease | undefined;
  let closed = false;
  const key = instanceKey(instance.service, instance.id);

  const grant = async (): Promise<void> => {
    const current = etcd.lease(ttlSeconds, { autoKeepAlive: true });
    lease = current;
    current.on('lost', (error: Error) => {
      if (closed) return;
      logger.warn({ err: error, key }, 'registry lease lost; registering again');
      setTimeout(() => {
        grant().catch((retryError: unknown) => logger.error({ err: retryError, key }, 'could not register again'));
      }, 1_000).unref();
    });
    await current.put(key).value(JSON.stringify(instance));
  };

  await grant();
  logger.info({ key, ttlSeconds }, 'registered in service discovery');
  return {
    async deregister() {
      closed = true;
      try {
        await lease?.revoke();
      } catch (error) {
        logger.warn({ err: error, key }, 'could not revoke registry lease; it will expire');
      }
    },
  };
}
