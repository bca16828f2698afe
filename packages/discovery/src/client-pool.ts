import { AppError } from '@eticket/errors';
import { CircuitOpenError, isNotSent, UpstreamPool, type BreakerListener, type Member, type PoolSettings } from '@eticket/resilience';
import type { ServiceInstance } from './instance';
import type { InstanceSource } from './watcher';

/** One instance with the client (e.g. a gRPC channel) used to call it. */
interface ClientTarget<C> {
  readonly id: string;
  readonly address: string;
  readonly client: C;
}

export interface ClientPoolOptions<C> {
  readonly settings: PoolSettings;
  /** Where to call an instance (e.g. its gRPC address); undefined skips instances that do not offer it. */
  readonly addressOf: (instance: ServiceInstance) => string | undefined;
  readonly connect: (address: string) => C;
  readonly disconnect: (client: C) => void;
  /** Which errors are the instance's fault (counted by its breaker); the rest are answers, e.g. NOT_FOUND. */
  readonly isFailure: (error: unknown) => boolean;
  /** Prefer these clients when any is (e.g. channels not in TRANSIENT_FAILURE). */
  readonly usable?: (client: C) => boolean;
  readonly onBreakerChange?: BreakerListener;
}

/** Carries an answer that is not a failure through the breaker (which would otherwise not count it as a success). */
class Answer {
  constructor(readonly error: unknown) {}
}

/**
 * The instances of one service, each with its own client (one channel per
 * instance: grpc-js has no etcd resolver), picked by UpstreamPool (power of
 * two choices, least outstanding) with a breaker and a bulkhead each. A call
 * the pool refused before sending it (breaker open, bulkhead full) moves on
 * to another instance, which is always safe; any other failure is the
 * caller's to handle: calls that must not be repeated blindly (a two-phase
 * commit Prepare) are never retried here.
 */
export class ClientPool<C> {
  private readonly pool: UpstreamPool<ClientTarget<C>>;
  private readonly onChange = (instances: ServiceInstance[]) => this.update(instances);

  constructor(
    private readonly source: InstanceSource,
    private readonly options: ClientPoolOptions<C>,
  ) {
    this.pool = new UpstreamPool<ClientTarget<C>>(source.service, options.settings, {
      ...(options.onBreakerChange === undefined ? {} : { onBreakerChange: options.onBreakerChange }),
      onEvict: (target) => options.disconnect(target.client),
      // A channel is reused while its address stays the same.
      sameTarget: (a, b) => a.address === b.address,
    });
    source.on('change', this.onChange);
    this.update(source.instances());
  }

  /** Runs `fn` with the client of one healthy instance; refusals by the pool try the next one. */
  async call<R>(fn: (client: C) => Promise<R>): Promise<R> {
    const tried = new Set<string>();
    let refusal: AppError | undefined;
    for (;;) {
      const usable = this.options.usable;
      const member: Member<ClientTarget<C>> | undefined = this.pool.pick(tried, usable === undefined ? undefined : (target) => usable(target.client));
      if (member === undefined) throw refusal ?? this.noInstance();
      tried.add(member.target.id);
      try {
        const result = await this.pool.run(member, async () => {
          try {
            return await fn(member.target.client);
          } catch (error) {
            if (this.options.isFailure(error)) throw error;
            return new Answer(error);
          }
        });
        if (result instanceof Answer) throw result.error;
        return result;
      } catch (error) {
        if (!isNotSent(error)) throw error;
        refusal = error as AppError;
      }
    }
  }

  status(): Array<{ id: string; address: string | undefined; breaker: string; outstanding: number }> {
    return this.pool.status().map((member) => ({ ...member, address: this.pool.targetOf(member.id)?.address }));
  }

  size(): number {
    return this.pool.size();
  }

  async close(): Promise<void> {
    this.source.off?.('change', this.onChange);
    this.pool.close();
    await this.source.close();
  }

  private noInstance(): AppError {
    if (this.pool.size() > 0) return new CircuitOpenError(this.source.service, this.pool.nextProbeInMs() / 1000);
    return new AppError('UPSTREAM_UNAVAILABLE', `No instance of the ${this.source.service} service is registered`, { retryAfterSeconds: 1 });
  }

  private update(instances: readonly ServiceInstance[]): void {
    const targets: ClientTarget<C>[] = [];
    for (const instance of instances) {
      const address = this.options.addressOf(instance);
      if (address === undefined) continue;
      const existing = this.pool.targetOf(instance.id);
      // Connect only for a new instance or a new address; the pool evicts (disconnects) the replaced one.
      targets.push(existing?.address === address ? existing : { id: instance.id, address, client: this.options.connect(address) });
    }
    this.pool.setTargets(targets);
  }
}
