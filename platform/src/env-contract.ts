// THE contract between the platform and the services: these keys, nothing
// else. Services read them from their environment; tests read them through
// the vitest global setup; `<dataDir>/platform.env` holds them for `status`.
import { readFileSync, writeFileSync } from 'node:fs';

export const PLATFORM_ENV_KEYS = [
  'ETCD_ENDPOINTS',
  'USER_DB_WRITE_URL',
  'USER_DB_READ_URL',
  'USER_DB_ADMIN_URL',
  'PATRONI_REST_URLS',
  'USER_DB_NODE_URLS',
  'WAREHOUSE_DB_URL',
  'REDIS_CLUSTER_NODES',
  'ORDER_MONGO_URL',
  // Which cache topology the services use: `cluster` (REDIS_CLUSTER_NODES) or
  // `ring` (REDIS_SENTINELS + REDIS_RING_SHARDS). The keys of a topology the
  // platform did not start are empty.
  'CACHE_TOPOLOGY',
  'REDIS_SENTINELS',
  'REDIS_RING_SHARDS',
] as const;

export type PlatformEnvKey = (typeof PLATFORM_ENV_KEYS)[number];
export type PlatformEnv = Readonly<Record<PlatformEnvKey, string>>;

/**
 * Components given from outside: a variable already set in the environment
 * means "use that server, do not start ours". For the user DB the write URL
 * decides; the other user-DB keys default to it (or to empty lists).
 */
export interface ExternalServers {
  etcd?: string;
  userDb?: { write: string; read: string; admin: string; patroniRest: string; nodes: string };
  warehouse?: string;
  redis?: string;
  /** Sentinels (host:port list) and the Sentinel master names of the ring's shards. */
  ring?: { sentinels: string; shards: string };
  mongo?: string;
}

export type CacheTopology = 'cluster' | 'ring';
/** What the platform starts: one topology, or both (the integration tests test both). */
export type CacheTopologyChoice = CacheTopology | 'both';

/** The ring's shard names when REDIS_RING_SHARDS is not given. */
export const DEFAULT_RING_SHARDS = ['cache-0', 'cache-1', 'cache-2'] as const;

/** `CACHE_TOPOLOGY` from an environment: undefined when unset, an error when not a known value. */
export function cacheTopologyFrom(env: NodeJS.ProcessEnv): CacheTopologyChoice | undefined {
  const raw = env.CACHE_TOPOLOGY?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'cluster' || raw === 'ring' || raw === 'both') return raw;
  throw new Error(`CACHE_TOPOLOGY=${raw}: expected cluster, ring or both`);
}

function given(env: NodeJS.ProcessEnv, key: PlatformEnvKey): string | undefined {
  const value = env[key];
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

export function externalServers(env: NodeJS.ProcessEnv): ExternalServers {
  const out: ExternalServers = {};
  const etcd = given(env, 'ETCD_ENDPOINTS');
  if (etcd) out.etcd = etcd;
  const write = given(env, 'USER_DB_WRITE_URL');
  if (write) {
    out.userDb = {
      write,
      read: given(env, 'USER_DB_READ_URL') ?? write,
      admin: given(env, 'USER_DB_ADMIN_URL') ?? write,
      patroniRest: given(env, 'PATRONI_REST_URLS') ?? '',
      nodes: given(env, 'USER_DB_NODE_URLS') ?? '',
    };
  }
  const warehouse = given(env, 'WAREHOUSE_DB_URL');
  if (warehouse) out.warehouse = warehouse;
  const redis = given(env, 'REDIS_CLUSTER_NODES');
  if (redis) out.redis = redis;
  // The sentinels decide; the shard names default to ours.
  const sentinels = given(env, 'REDIS_SENTINELS');
  if (sentinels) out.ring = { sentinels, shards: given(env, 'REDIS_RING_SHARDS') ?? DEFAULT_RING_SHARDS.join(',') };
  const mongo = given(env, 'ORDER_MONGO_URL');
  if (mongo) out.mongo = mongo;
  return out;
}

/** Comma list → items, ignoring blanks. */
export function splitList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

export function writeEnvFile(path: string, env: PlatformEnv): void {
  const lines = PLATFORM_ENV_KEYS.map((key) => `${key}=${env[key]}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export function readEnvFile(path: string): PlatformEnv {
  const values = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1));
  }
  const missing = PLATFORM_ENV_KEYS.filter((key) => !values.has(key));
  if (missing.length > 0) throw new Error(`${path} lacks ${missing.join(', ')}`);
  return Object.fromEntries(PLATFORM_ENV_KEYS.map((key) => [key, values.get(key) ?? ''])) as Record<PlatformEnvKey, string>;
}

/** Hides the password of a URL for printing. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
