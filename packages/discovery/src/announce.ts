import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '@eticket/logging';
import { connectRegistry, type Registry } from './client';
import type { DiscoveryConfig } from './config';
import type { ServiceInstance } from './instance';
import { registerInstance, type Registration } from './registration';

export interface AnnounceOptions {
  readonly service: string;
  /** SERVICE_INSTANCE: unique per process. */
  readonly id: string;
  /** The address the service listens on (HOST); a wildcard is replaced by the advertise host or the hostname. */
  readonly host: string;
  readonly httpPort?: number;
  readonly grpcPort?: number;
  readonly version: string;
  readonly protocols: ServiceInstance['protocols'];
}

export interface Announcement {
  /** Resolves once the instance is in the registry (never, while etcd stays unreachable; at once without discovery). */
  readonly registered: Promise<void>;
  /** Leaves the registry (SIGTERM, before draining): watchers drop the instance at once; then waits the grace period. */
  withdraw(): Promise<void>;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** The version of the service whose package.json sits at `packageJsonUrl` ("unknown" if it cannot be read). */
export function packageVersion(packageJsonUrl: URL): string {
  try {
    const { version } = JSON.parse(readFileSync(packageJsonUrl, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Registers this process in service discovery (when ETCD_ENDPOINTS is set)
 * and returns how to leave it. Call after the servers listen, so no one is
 * sent to an instance that cannot answer yet.
 */
export function announce(config: DiscoveryConfig, options: AnnounceOptions, logger: Logger): Announcement {
  if (config.endpoints.length === 0) {
    logger.warn({ service: options.service }, 'ETCD_ENDPOINTS is not set: not registering in service discovery');
    return { registered: Promise.resolve(), withdraw: () => Promise.resolve() };
  }
  const registry: Registry = connectRegistry(config);
  const host = config.advertiseHost ?? (WILDCARDS.has(options.host) ? hostname() : options.host);
  const instance: ServiceInstance = { ...options, host, registeredAt: new Date().toISOString() };
  const registration: Registration = registerInstance(registry.etcd, instance, config.leaseTtlSeconds, logger);
  return {
    registered: registration.registered,
    async withdraw() {
      await registration.deregister();
      registry.close();
      // Watchers see the delete within milliseconds; requests already on their way still arrive meanwhile.
      await new Promise((resolve) => setTimeout(resolve, config.deregisterGraceMs));
    },
  };
}
