import { commaList, loadEnv } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

/** The discovery variables every service reads next to its own config. */
export const DiscoveryEnv = Type.Object({
  /** etcd client URLs, comma-separated; unset means no discovery (static addresses, single-instance development). */
  ETCD_ENDPOINTS: Type.Optional(Type.String({ minLength: 1 })),
  /** Prefix of every registry key, so several environments can share one etcd (Patroni uses its own). */
  DISCOVERY_NAMESPACE: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._-]+$', default: 'eticket' }),
  /**
   * Lease TTL: a crashed instance leaves every pool at most this long after
   * its last keep-alive (sent every TTL/3). 5 s fails over fast locally yet
   * survives two lost keep-alives or a GC pause; the breakers cover the first
   * seconds of a crash anyway (refused connections fail over at once).
   */
  DISCOVERY_LEASE_TTL_SECONDS: Type.Integer({ minimum: 2, maximum: 300, default: 5 }),
  /** Address other services reach this one at; defaults to HOST unless that is a wildcard. */
  DISCOVERY_ADVERTISE_HOST: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  /** After deregistering on SIGTERM, keep serving this long before draining so watchers stop sending first. */
  DISCOVERY_DEREGISTER_GRACE_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 300 }),
});

export interface DiscoveryConfig {
  /** Empty: discovery is off. */
  readonly endpoints: readonly string[];
  readonly namespace: string;
  readonly leaseTtlSeconds: number;
  readonly advertiseHost: string | undefined;
  readonly deregisterGraceMs: number;
}

export function loadDiscoveryConfig(env: Readonly<Record<string, string | undefined>> = process.env): DiscoveryConfig {
  const raw: Readonly<Static<typeof DiscoveryEnv>> = loadEnv(DiscoveryEnv, env);
  return Object.freeze({
    endpoints: raw.ETCD_ENDPOINTS === undefined ? [] : commaList(raw.ETCD_ENDPOINTS),
    namespace: raw.DISCOVERY_NAMESPACE,
    leaseTtlSeconds: raw.DISCOVERY_LEASE_TTL_SECONDS,
    advertiseHost: raw.DISCOVERY_ADVERTISE_HOST,
    deregisterGraceMs: raw.DISCOVERY_DEREGISTER_GRACE_MS,
  });
}
