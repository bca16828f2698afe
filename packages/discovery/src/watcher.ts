import { EventEmitter } from 'node:events';
import type { Logger } from '@eticket/logging';
import type { Etcd3, Watcher } from 'etcd3';
import { parseInstance, servicePrefix, type ServiceInstance } from './instance';

/**
 * Keeps a live view of one service's instances: a snapshot read, then a watch
 * from the snapshot's revision, so no change between the two is missed. The
 * etcd3 client re-establishes the watch after connection loss.
 */
export class ServiceWatcher extends EventEmitter<{ change: [ServiceInstance[]] }> {
  private readonly byKey = new Map<string, ServiceInstance>();
  private watcher: Watcher | undefined;

  constructor(
    private readonly etcd: Etcd3,
    readonly service: string,
    private readonly logger: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    const prefix = servicePrefix(this.service);
    const snapshot = await this.etcd.getAll().prefix(prefix).exec();
    for (const kv of snapshot.kvs) this.upsert(kv.key.toString(), kv.value.toString());
    const nextRevision = (BigInt(snapshot.header.revision) + 1n).toString();
    this.watcher = await this.etcd.watch().prefix(prefix).startRevision(nextRevision).create();
    this.watcher.on('put', (kv) => {
      this.upsert(kv.key.toString(), kv.value.toString());
      this.emitChange();
    });
    this.watcher.on('delete', (kv) => {
      this.byKey.delete(kv.key.toString());
      this.emitChange();
    });
    this.watcher.on('error', (error: Error) => this.logger.warn({ err: error, service: this.service }, 'registry watch error; the client retries'));
    this.emitChange();
  }

  instances(): ServiceInstance[] {
    return [...this.byKey.values()];
  }

  async close(): Promise<void> {
    await this.watcher?.cancel();
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
