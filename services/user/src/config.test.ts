import { ConfigError } from '@eticket/config';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config';

const base = { USER_DB_WRITE_URL: 'postgres://u:p@127.0.0.1:5432/db', JWT_SECRET: 'j'.repeat(32), INTERNAL_AUTH_SECRET: 'i'.repeat(32) };

describe('user service config', () => {
  it('applies the documented defaults and reads from the write URL when no read URL is set', () => {
    expect(loadConfig(base)).toMatchObject({
      PORT: 21101, GRPC_PORT: 21111, HOST: '127.0.0.1', ACCESS_TOKEN_TTL_SECONDS: 900, USER_DB_READ_URL: base.USER_DB_WRITE_URL,
    });
  });

  it('refuses to start without the secrets, naming them', () => {
    const load = () => loadConfig({ USER_DB_WRITE_URL: base.USER_DB_WRITE_URL });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/JWT_SECRET/);
    expect(load).toThrow(/INTERNAL_AUTH_SECRET/);
  });

  it('reads the reminder windows, 24 h and 1 h by default, and names a bad list', () => {
    expect(loadConfig(base).REMINDER_WINDOWS).toEqual([86_400, 3_600]);
    expect(loadConfig({ ...base, REMINDER_WINDOWS_SECONDS: '600,7200' }).REMINDER_WINDOWS).toEqual([7_200, 600]);
    expect(() => loadConfig({ ...base, REMINDER_WINDOWS_SECONDS: '1h' })).toThrow(/REMINDER_WINDOWS_SECONDS/);
  });
});
