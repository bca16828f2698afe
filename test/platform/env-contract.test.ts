import { describe, expect, it } from 'vitest';
import { PLATFORM_ENV_KEYS } from '../../platform/src/index';
import { platformEnv } from '../setup/platform-env';

describe('platform env contract', () => {
  it('reaches test files both through inject() and process.env, with exactly the contract keys', () => {
    const env = platformEnv();
    expect(Object.keys(env).sort()).toEqual([...PLATFORM_ENV_KEYS].sort());
    for (const key of PLATFORM_ENV_KEYS) {
      expect(env[key], key).not.toBe('');
      expect(process.env[key], key).toBe(env[key]);
    }
    expect(env.USER_DB_WRITE_URL).toBe('postgres://eticket:eticket@127.0.0.1:20500/eticket_users');
    expect(env.ORDER_MONGO_URL).toBe('mongodb://127.0.0.1:20017/eticket_orders');
  });
});
