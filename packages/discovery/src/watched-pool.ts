import { isAppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import { DEFAULT_BREAKER, type PoolSettings } from '@eticket/resilience';
import { connectRegistry, type Registry } from './client';
import { ClientPool, type ClientPoolOptions } from './client-pool';
import type { DiscoveryConfig } from './config';
import { grpcAddressOf, type ServiceInstance } from './instance';
import { ServiceWatcher, StaticSource, type InstanceSource } from './watcher';

/**
 * Per gRPC peer instance: a bulkhead wide enough for any caller's own limits, and a breaker that judges
 * 5 s at 5 calls/s or more. Service-to-service calls follow user actions (one Prepare per order), so at a
 * lower rate there is no overload to protect against, and a few slow two-phase-commit calls (a Prepare
 * waiting for contended seats) must not shut a healthy participant out; under an on-sale's load it opens.
 */
export const GRPC_POOL_SETTINGS: PoolSettings = {
  breaker: { ...DEFAULT_BREAKER, samplingWindowMs: 5_000, minimumRps: 5 },
  maxConcurrentPerInstance: 128,
  maxQueuedPerInstance: 1_024,
};

/**
 * Whether a failed call counts against the instance's breaker: the transport
 * failed or the peer could not serve (unavailable, deadline, internal error).
 * A catalog answer (NOT_FOUND, CONFLICT, NOT_ENOUGH_SEATS, ...) is the peer
 * working as it should.
 */
export function isTransportFailure(error: unknown): boolean {
  return !isAppError(error) || ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'INTERNAL'].includes(error.code);
}

/** A fixed `host:port` as a one-instance source (a hand-configured address instead of discovery). */
export function staticGrpcSource(service: string, address: string): StaticSource {
  const at = address.lastIndexOf(':');
  const instance: ServiceInstance = {
    service,
    id: `${service}@${address}`,
    host: address.slice(0, at),
    grpcPort: Number(address.slice(at + 1)),
    version: 'static',
    protocols: ['grpc'],
    registeredAt: '',
  };
  return new StaticSource(service, [instance]);
}

/** A registry watcher that owns its etcd connection (closing it closes both). */
class RegistrySource implements InstanceSource {
  private readonly registry: Registry;
  private readonly watcher: ServiceWatcher;

  constructor(config: DiscoveryConfig, readonly service: string, logger: Logger) {
    this.registry = connectRegistry(config);
    this.watcher = new ServiceWatcher(this.registry.etcd, service, logger);
    // Starts in the background: calls meanwhile find no instance (UPSTREAM_UNAVAILABLE) rather than waiting.
    void this.watcher.start();
  }

  instances(): ServiceInstance[] {
    return this.watcher.instances();
  }

  on(event: 'change', listener: (instances: ServiceInstance[]) => void): this {
    this.watcher.on(event, listener);
    return this;
  }

  off(event: 'change', listener: (instances: ServiceInstance[]) => void): this {
    this.watcher.off(event, listener);
    return this;
  }

  async close(): Promise<void> {
    await this.watcher.close();
    this.registry.close();
  }
}

export interface GrpcPeerOptions<C> extends Omit<ClientPoolOptions<C>, 'settings' | 'addressOf' | 'isFailure'> {
  readonly settings?: PoolSettings;
  readonly isFailure?: (error: unknown) => boolean;
}

/**
 * The gRPC instances of `service`: discovered through the registry, unless
 * `staticAddress` (a hand-configured `host:port`) is given — explicit beats
 * implicit. Without either, a start-up error naming both.
 */
export function grpcPeers<C>(
  config: DiscoveryConfig,
  service: string,
  staticAddress: string | undefined,
  options: GrpcPeerOptions<C>,
  logger: Logger,
): ClientPool<C> {
  let source: InstanceSource;
  if (staticAddress !== undefined) {
    logger.info({ peer: service, address: staticAddress }, 'static gRPC address (no discovery for this peer)');
    source = staticGrpcSource(service, staticAddress);
  } else if (config.endpoints.length > 0) {
    source = new RegistrySource(config, service, logger);
  } else {
    throw new Error(`no way to find the ${service} service's gRPC instances: set ETCD_ENDPOINTS (discovery) or a static address`);
  }
  return new ClientPool(source, {
    settings: options.settings ?? GRPC_POOL_SETTINGS,
    addressOf: grpcAddressOf,
    isFailure: options.isFailure ?? isTransportFailure,
    ...options,
  });
}
