import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';
import { Etcd3, isRecoverableError, type IOptions, type Namespace } from 'etcd3';
import type { DiscoveryConfig } from './config';

/** The longest pause between two attempts to open the watch stream again after etcd went away. */
export const WATCH_RETRY_MAX_MS = 2_000;
/** How long the client's breaker for an etcd host stays open before it lets one call through. */
export const HOST_HALF_OPEN_MS = 1_000;

/**
 * etcd3's fault handling for a host and the watch (the same kinds of policy
 * as its defaults; its retry of calls is kept) with shorter waits. Its defaults — a watch reconnect pause growing to 30 s, a
 * breaker per host that opens after 3 failures and tries again after 5 s —
 * left a gateway blind to registry changes for 21 s after an 8 s etcd outage
 * (test/chaos/etcd-outage.test.ts): the instances it knew kept serving, but
 * one that registered when etcd came back got no requests meanwhile, and one
 * that left was still in the pool. With these the watch is back within about
 * WATCH_RETRY_MAX_MS + HOST_HALF_OPEN_MS of etcd; while etcd is down each
 * client tries about once a second, which costs nothing worth counting.
 */
export function registryFaultHandling(): NonNullable<IOptions['faultHandling']> {
  return {
    host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: HOST_HALF_OPEN_MS, breaker: new ConsecutiveBreaker(3) }),
    // A backoff in progress (etcd3 asks it for the next pause after each failure, and starts over from it once
    // the watch is back), not the factory its default passes despite its own types.
    watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: WATCH_RETRY_MAX_MS }).next(),
  };
}

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
    faultHandling: registryFaultHandling(),
    // Streams (watch, keep-alive) are long-lived; everything else gets a deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + 3_000 }),
  });
  return { etcd: client.namespace(`${config.namespace}/`), close: () => client.close() };
}
