import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runningPlatformEnv } from './platform-env';

/** A platform data directory whose env file holds `lines`. */
function dataDir(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-env-'));
  writeFileSync(join(dir, 'platform.env'), `${lines.join('\n')}\n`);
  return dir;
}

describe('runningPlatformEnv', () => {
  it('takes the variables from the process environment when every one is set there, the read URL defaulting to the write URL', () => {
    const env = { USER_DB_WRITE_URL: 'postgres://w', ETCD_ENDPOINTS: 'http://etcd', ETICKET_PLATFORM_DATA_DIR: '/nonexistent' };
    expect(runningPlatformEnv(['USER_DB_WRITE_URL', 'USER_DB_READ_URL', 'ETCD_ENDPOINTS'], env)).toEqual({
      USER_DB_WRITE_URL: 'postgres://w', USER_DB_READ_URL: 'postgres://w', ETCD_ENDPOINTS: 'http://etcd',
    });
  });

  it('reads the running platform\'s env file when one is missing from the environment, requiring only the keys asked for', () => {
    const dir = dataDir(['USER_DB_WRITE_URL=postgres://file-w', 'USER_DB_READ_URL=postgres://file-r', 'ORDER_MONGO_URL=mongodb://m?a=b']);
    const env = { USER_DB_WRITE_URL: 'postgres://ignored', ETICKET_PLATFORM_DATA_DIR: dir };
    expect(runningPlatformEnv(['USER_DB_WRITE_URL', 'USER_DB_READ_URL', 'ORDER_MONGO_URL'], env)).toEqual({
      USER_DB_WRITE_URL: 'postgres://file-w', USER_DB_READ_URL: 'postgres://file-r', ORDER_MONGO_URL: 'mongodb://m?a=b',
    });
  });

  it('names what is missing: the env file, or the keys it lacks', () => {
    expect(() => runningPlatformEnv(['ETCD_ENDPOINTS'], { ETICKET_PLATFORM_DATA_DIR: '/nonexistent' })).toThrow(/no platform: .*set ETCD_ENDPOINTS; looked for \/nonexistent\/platform.env/);
    const dir = dataDir(['USER_DB_WRITE_URL=postgres://w']);
    expect(() => runningPlatformEnv(['USER_DB_WRITE_URL', 'REDIS_CLUSTER_NODES'], { ETICKET_PLATFORM_DATA_DIR: dir })).toThrow(/lacks REDIS_CLUSTER_NODES/);
  });
});
