import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheTopologyFrom, externalServers, readEnvFile, redact, writeEnvFile, type PlatformEnv } from './env-contract';

const sample: PlatformEnv = {
  ETCD_ENDPOINTS: 'http://127.0.0.1:21379',
  USER_DB_WRITE_URL: 'postgres://eticket:eticket@127.0.0.1:21500/eticket_users',
  USER_DB_READ_URL: 'postgres://eticket:eticket@127.0.0.1:21501/eticket_users',
  USER_DB_ADMIN_URL: 'postgres://postgres:postgres@127.0.0.1:21500/eticket_users',
  PATRONI_REST_URLS: 'http://127.0.0.1:21008',
  USER_DB_NODE_URLS: 'postgres://postgres:postgres@127.0.0.1:21432/eticket_users',
  WAREHOUSE_DB_URL: 'postgres://eticket:eticket@127.0.0.1:21442/eticket_warehouse',
  REDIS_CLUSTER_NODES: '127.0.0.1:21601,127.0.0.1:21602',
  ORDER_MONGO_URL: 'mongodb://127.0.0.1:21017/eticket_orders',
  CACHE_TOPOLOGY: 'cluster',
  REDIS_SENTINELS: '',
  REDIS_RING_SHARDS: '',
};

describe('env contract', () => {
  it('round-trips through platform.env as KEY=VALUE lines', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eticket-env-')), 'platform.env');
    writeEnvFile(file, sample);
    expect(readEnvFile(file)).toEqual(sample);
  });

  it('treats a variable already set as an external server, the user DB keyed by its write URL', () => {
    expect(externalServers({})).toEqual({});
    const external = externalServers({ USER_DB_WRITE_URL: 'postgres://a/b', REDIS_CLUSTER_NODES: 'h:1', ETCD_ENDPOINTS: ' ' });
    expect(external.userDb).toEqual({ write: 'postgres://a/b', read: 'postgres://a/b', admin: 'postgres://a/b', patroniRest: '', nodes: '' });
    expect(external.redis).toBe('h:1');
    expect(external.etcd).toBeUndefined();
    expect(external.ring).toBeUndefined();
  });

  it('takes REDIS_SENTINELS as an external ring, its shard names defaulting to cache-0..2', () => {
    expect(externalServers({ REDIS_SENTINELS: 'h:1,h:2' }).ring).toEqual({ sentinels: 'h:1,h:2', shards: 'cache-0,cache-1,cache-2' });
    expect(externalServers({ REDIS_SENTINELS: 'h:1', REDIS_RING_SHARDS: 'a,b' }).ring).toEqual({ sentinels: 'h:1', shards: 'a,b' });
  });

  it('reads CACHE_TOPOLOGY as cluster, ring or both and rejects anything else', () => {
    expect(cacheTopologyFrom({})).toBeUndefined();
    expect(cacheTopologyFrom({ CACHE_TOPOLOGY: 'ring' })).toBe('ring');
    expect(() => cacheTopologyFrom({ CACHE_TOPOLOGY: 'memcached' })).toThrow(/cluster, ring or both/);
  });

  it('hides passwords when printing URLs', () => {
    expect(redact('postgres://eticket:secret@127.0.0.1:1/db')).toBe('postgres://eticket:***@127.0.0.1:1/db');
  });
});
