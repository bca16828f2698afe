import { loadEnv, LogLevel, Port, Secret, Url } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every variable the User Service reads; validated once at start-up. */
export const UserServiceEnv = Type.Object({
  PORT: Port(21101),
  GRPC_PORT: Port(21111),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  SERVICE_INSTANCE: Type.String({ minLength: 1, maxLength: 100, default: 'user-1' }),
  LOG_LEVEL: LogLevel,
  USER_DB_WRITE_URL: Url(),
  /** A standby (HAProxy's read port); defaults to the write URL. */
  USER_DB_READ_URL: Type.Optional(Url()),
  USER_DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  JWT_SECRET: Secret(),
  INTERNAL_AUTH_SECRET: Secret(),
  ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 86_400, default: 900 }),
  /** The first admin, created at start-up when both are set and the account does not exist yet. */
  ADMIN_EMAIL: Type.Optional(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' })),
  ADMIN_PASSWORD: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 65_536 }),
});

export type UserServiceConfig = Readonly<Static<typeof UserServiceEnv> & { USER_DB_READ_URL: string }>;

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): UserServiceConfig {
  const config = loadEnv(UserServiceEnv, env);
  return Object.freeze({ ...config, USER_DB_READ_URL: config.USER_DB_READ_URL ?? config.USER_DB_WRITE_URL });
}
