import { EventEmitter } from 'node:events';
import type { Logger } from '@eticket/logging';
import { Cluster, Redis } from 'ioredis';
import type { BusMessage, NotificationBus } from '../app/ports';

// Fan-out between User Service instances through Redis pub/sub on the
// platform's Redis (Cluster: PUBLISH reaches subscribers on every node; the
// Sentinel ring: the first shard's primary). Pub/sub rather than streams:
// delivery only has to reach the instances connected *now*, and PostgreSQL
// is the record — a message pub/sub drops (Redis down, a failover, a
// subscriber reconnecting) is read back from PostgreSQL by the gap fill or
// by the client's replay with `after`. Streams would add retention,
// trimming and a consumer position per instance for a guarantee the
// database already gives.

const hostPort = (address: string) => {
  const [host = '127.0.0.1', port = '6379'] = address.split(':');
  return { host, port: Number(port) };
};

function decode(text: string): BusMessage | undefined {
  try {
    const message = JSON.parse(text) as BusMessage;
    return typeof message === 'object' && message !== null && typeof message.type === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

type Client = Redis | Cluster;

/** Redis pub/sub on one channel per deployment; one connection publishes, another subscribes. */
export class RedisNotificationBus implements NotificationBus {
  private readonly events = new EventEmitter();

  constructor(
    private readonly publisher: Client,
    private readonly subscriber: Client,
    private readonly channel: string,
    private readonly kind: string,
    logger: Pick<Logger, 'warn' | 'info'>,
  ) {
    publisher.on('error', () => undefined);
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.channel) return;
      const message = decode(text);
      if (message !== undefined) this.events.emit('message', message);
    });
    // ioredis subscribes again by itself after a reconnect (and, on a Cluster, through another node).
    subscriber.subscribe(channel).catch((error: unknown) => logger.warn({ err: error, channel }, 'could not subscribe to the notification channel yet; ioredis retries on reconnect'));
  }

  async publish(message: BusMessage): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(message));
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.events.on('message', handler);
  }

  describe(): { kind: string; status: string } {
    return { kind: this.kind, status: this.subscriber.status };
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
    this.subscriber.disconnect();
    this.publisher.disconnect();
    await Promise.resolve();
  }
}

/** Without Redis: this instance alone (exact with one instance; say so at start-up). */
export class LocalNotificationBus implements NotificationBus {
  private readonly events = new EventEmitter();

  publish(message: BusMessage): Promise<void> {
    // Asynchronous like a real bus, so publishers never re-enter the hub.
    setImmediate(() => this.events.emit('message', message));
    return Promise.resolve();
  }

  onMessage(handler: (message: BusMessage) => void): void {
    this.events.on('message', handler);
  }

  describe(): { kind: string; status: string } {
    return { kind: 'local', status: 'ready' };
  }

  close(): Promise<void> {
    this.events.removeAllListeners();
    return Promise.resolve();
  }
}

export interface BusOptions {
  readonly topology: 'cluster' | 'ring' | undefined;
  readonly clusterNodes: readonly string[];
  readonly sentinels: readonly string[];
  readonly ringShards: readonly string[];
  /** Separates deployments sharing a Redis (DISCOVERY_NAMESPACE). */
  readonly namespace: string;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
}

export function createNotificationBus(options: BusOptions): NotificationBus {
  const channel = `notifications:${options.namespace}`;
  if (options.topology === 'cluster' && options.clusterNodes.length > 0) {
    const make = () => new Cluster(options.clusterNodes.map(hostPort), {
      enableOfflineQueue: true,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
      redisOptions: { connectTimeout: 1_000, maxRetriesPerRequest: 1, commandTimeout: 1_000 },
    });
    return new RedisNotificationBus(make(), make(), channel, 'redis-cluster', options.logger);
  }
  if (options.topology === 'ring' && options.sentinels.length > 0) {
    const make = () => new Redis({
      sentinels: options.sentinels.map(hostPort),
      name: options.ringShards[0] ?? 'cache-0',
      role: 'master',
      connectTimeout: 1_000,
      maxRetriesPerRequest: 1,
      commandTimeout: 1_000,
      sentinelRetryStrategy: (times) => Math.min(100 * times, 1_000),
    });
    return new RedisNotificationBus(make(), make(), channel, 'redis-sentinel', options.logger);
  }
  options.logger.warn('no Redis configured: notifications reach only the WebSocket clients of the instance that stored them (and every client on reconnect)');
  return new LocalNotificationBus();
}
