import { describe, expect, it } from 'vitest';
import { PLATFORM_ENV_KEYS, portsFor } from '../../platform/src/index';
import { platformEnv } from '../setup/platform-env';

describe('platform env contract', () => {
  it('reaches test files both through inject() and process.env, with exactly the contract keys', () => {
    const env = platformEnv();
    expect(Object.keys(env).sort()).toEqual([...PLATFORM_ENV_KEYS].sort());
    for (const key of PLATFORM_ENV_KEYS) {
      expect(env[key], key).not.toBe('');
      expect(process.env[key], key).toBe(env[key]);
    }
    const ports = portsFor(Number(process.env.ETICKET_TEST_BASE_PORT ?? 20000));
    expect(env.USER_DB_WRITE_URL).toBe(`postgres://eticket:eticket@127.0.0.1:${ports.haproxyWrite}/eticket_users`);
    expect(env.ORDER_MONGO_URL).toBe(`mongodb://127.0.0.1:${ports.ferretdb}/eticket_orders`);
  });
});
