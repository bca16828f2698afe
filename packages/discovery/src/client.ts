import { Etcd3, type Namespace } from 'etcd3';
import type { DiscoveryConfig } from './config';

export interface Registry {
  /** The namespaced view every registration and watch goes through. */
  readonly etcd: Namespace;
  close(): void;
}

/**
 * An etcd client for the registry (the maintained `etcd3` package: leases
 * with keep-alive, watches that resume from the last revision after a
 * reconnect). Calls are bounded so a dead etcd never hangs a caller.
 */
export function connectRegistry(config: Pick<DiscoveryConfig, 'endpoints' | 'namespace'>): Registry {
  if (config.endpoints.length === 0) throw new Error('ETCD_ENDPOINTS is empty: discovery is off');
  const client = new Etcd3({
    hosts: config.endpoints.map((endpoint) => (/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`)),
    dialTimeout: 2_000,
    // Streams (watch, keep-alive) are long-lived; everything else gets a deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 3_000 }),
  });
  return { etcd: client.namespace(`${config.namespace}/`), close: () => client.close() };
}
