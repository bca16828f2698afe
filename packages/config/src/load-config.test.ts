import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv, Port, Secret } from './index';

const schema = Type.Object({
  PORT: Port(3000),
  DATABASE_URL: Type.String({ minLength: 1 }),
  JWT_SECRET: Secret(),
  FEATURE_ON: Type.Boolean({ default: false }),
});

describe('loadEnv', () => {
  it('converts strings to the declared types and applies defaults', () => {
    const config = loadEnv(schema, { DATABASE_URL: 'postgres://x', JWT_SECRET: 'x'.repeat(32), FEATURE_ON: 'true' });
    expect(config).toEqual({ PORT: 3000, DATABASE_URL: 'postgres://x', JWT_SECRET: 'x'.repeat(32), FEATURE_ON: true });
  });

  it('names every bad or missing variable in one error, hiding secret values', () => {
    try {
      loadEnv(schema, { PORT: 'eighty', JWT_SECRET: 'short' });
      expect.unreachable('loadEnv accepted a bad environment');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toMatch(/PORT: .*"eighty"/);
      expect(message).toMatch(/DATABASE_URL: .*not set/);
      expect(message).toMatch(/JWT_SECRET: .*"\*\*\*"/);
      expect(message).not.toContain('short');
    }
  });

  it('returns a frozen object so configuration cannot change after start-up', () => {
    const config = loadEnv(schema, { DATABASE_URL: 'postgres://x', JWT_SECRET: 'x'.repeat(32) });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('ignores variables the schema does not declare', () => {
    const config = loadEnv(schema, { DATABASE_URL: 'postgres://x', JWT_SECRET: 'x'.repeat(32), PATH: '/bin' });
    expect(config).not.toHaveProperty('PATH');
  });
});
