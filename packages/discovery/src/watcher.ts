import { EventEmitter } from 'node:events';
import type { Logger } from '@eticket/logging';
import type { Namespace, Watcher } from 'etcd3';
import { parseInstance, servicePrefix, type ServiceInstance } from './instance';

/** Where a client learns the instances of a service: the registry, or a fixed list (static override, tests). */
export interface InstanceSource {
  readonly service: string;
  instances(): ServiceInstance[];
  on(event: 'change', listener: (instances: ServiceInstance[]) => void): unknown;
  off?(event: 'change', listener: (instances: ServiceInstance[]) => void): unknown;
  close(): Promise<void>;
}

/** A fixed list of instances, for a hand-configured address (development, tests) instead of discovery. */
export class StaticSource extends EventEmitter<{ change: [ServiceInstance[]] }> implements InstanceSource {
  constructor(
    readonly service: string,
    private readonly list: readonly ServiceInstance[],
  ) {
    super();
  }

  instances(): ServiceInstance[] {
    return [...this.list];
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const RETRY_MAX_MS = 5_000;

/**
 * Keeps a live view of one service's instances: a snapshot read, then a watch
 * from the snapshot's revision, so no change between the two is missed. The
 * etcd3 client re-establishes the watch after connection loss and resumes
 * from the last revision it saw. If etcd cannot be reached at start,
 * `start()` keeps trying in the background (the view stays empty meanwhile).
 */
export class ServiceWatcher extends EventEmitter<{ change: [ServiceInstance[]] }> implements InstanceSource {
  private readonly byKey = new Map<string, ServiceInstance>();
  private watcher: Watcher | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly etcd: Namespace,
    readonly service: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  /** Resolves once the first snapshot is loaded and the watch runs. */
  start(): Promise<void> {
    return new Promise((resolve) => {
      const attempt = (failures: number): void => {
        if (this.closed) return;
        this.open().then(resolve, (error: unknown) => {
          const pauseMs = Math.min(RETRY_MAX_MS, 250 * 2 ** failures);
          this.logger.warn({ err: error, service: this.service, retryInMs: pauseMs }, 'cannot watch the service registry yet; retrying');
          this.retryTimer = setTimeout(() => attempt(failures + 1), pauseMs);
        });
      };
      attempt(0);
    });
  }

  instances(): ServiceInstance[] {
    return [...this.byKey.values()];
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.watcher?.cancel();
  }

  private async open(): Promise<void> {
    const prefix = servicePrefix(this.service);
    const snapshot = await this.etcd.getAll().prefix(prefix).exec();
    this.byKey.clear();
    for (const kv of snapshot.kvs) this.upsert(kv.key.toString(), kv.value.toString());
    const nextRevision = (BigInt(snapshot.header.revision) + 1n).toString();
    const watcher = await this.etcd.watch().prefix(prefix).startRevision(nextRevision).create();
    if (this.closed) {
      await watcher.cancel();
      return;
    }
    this.watcher = watcher;
    watcher.on('put', (kv) => {
      this.upsert(kv.key.toString(), kv.value.toString());
      this.emitChange();
    });
    watcher.on('delete', (kv) => {
      this.byKey.delete(kv.key.toString());
      this.emitChange();
    });
    watcher.on('disconnected', () => this.logger.warn({ service: this.service }, 'registry watch disconnected; the client reconnects and resumes'));
    watcher.on('error', (error: Error) => this.logger.warn({ err: error, service: this.service }, 'registry watch error; the client retries'));
    this.emitChange();
  }

  private upsert(key: string, raw: string): void {
    const instance = parseInstance(raw);
    if (instance === undefined) {
      this.logger.warn({ key }, 'ignoring malformed registry entry');
      return;
    }
    this.byKey.set(key, instance);
  }

  private emitChange(): void {
    const instances = this.instances();
    this.logger.info({ service: this.service, instances: instances.map((instance) => instance.id) }, 'service instances changed');
    this.emit('change', instances);
  }
}
