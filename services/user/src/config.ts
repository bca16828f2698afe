import { ConfigError, loadEnv, LogLevel, Port, Secret, Url } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';
import { parseWindows } from './domain/reminders';

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
  /** Patroni REST URLs of the PostgreSQL nodes (comma-separated): /status shows each node's role, timeline and lag. */
  PATRONI_REST_URLS: Type.Optional(Type.String({ minLength: 1 })),
  /** After a user's write, their reads see it (standby only once it has replayed it, else the primary) for this long. */
  READ_YOUR_WRITES_WINDOW_MS: Type.Integer({ minimum: 1_000, maximum: 600_000, default: 15_000 }),
  /**
   * The platform's cache, where instances share read-your-writes marks. Unset:
   * each instance keeps its own (exact with one instance only).
   */
  CACHE_TOPOLOGY: Type.Optional(Type.Union([Type.Literal('cluster'), Type.Literal('ring')])),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_RING_SHARDS: Type.Optional(Type.String({ minLength: 1 })),
  /** A mark look-up slower than this counts as unknown: that read goes to the primary. */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 100 }),
  /** The deployment (shared with service discovery): names the Redis channel notifications fan out on. */
  DISCOVERY_NAMESPACE: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.-]+$', default: 'eticket' }),
  NODE_ENV: Type.Optional(Type.String({ maxLength: 20 })),
  /** Open notification WebSockets per user, per instance; one more is refused with 429 TOO_MANY_CONNECTIONS. */
  WS_MAX_CONNECTIONS_PER_USER: Type.Integer({ minimum: 1, maximum: 1_000, default: 5 }),
  /** A WebSocket with more unsent bytes than this is a slow consumer and is dropped (it reconnects with `after`). */
  WS_MAX_BUFFERED_BYTES: Type.Integer({ minimum: 1_024, maximum: 64 * 1_048_576, default: 1_048_576 }),
  /** Ping period; a socket that did not answer the previous ping is dropped. */
  WS_HEARTBEAT_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
  /** Availability frames per event at most once per this interval (per instance). */
  AVAILABILITY_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 250 }),
  /** Reminder windows before an event, in seconds, comma-separated (default 24 h and 1 h). */
  REMINDER_WINDOWS_SECONDS: Type.String({ minLength: 1, maxLength: 200, default: '86400,3600' }),
  REMINDER_SCAN_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  /**
   * Tests only (honoured with NODE_ENV=test): a file holding an ISO instant
   * that the reminder scheduler takes as "now", so a test can move time
   * forward for every instance at once. Missing or empty file: the real clock.
   */
  TEST_CLOCK_FILE: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000 })),
});

export type UserServiceConfig = Readonly<Static<typeof UserServiceEnv> & { USER_DB_READ_URL: string; REMINDER_WINDOWS: readonly number[] }>;

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): UserServiceConfig {
  const config = loadEnv(UserServiceEnv, env);
  let windows: readonly number[];
  try {
    windows = parseWindows(config.REMINDER_WINDOWS_SECONDS);
  } catch (error) {
    throw new ConfigError([`REMINDER_WINDOWS_SECONDS: ${(error as Error).message}`]);
  }
  return Object.freeze({ ...config, USER_DB_READ_URL: config.USER_DB_READ_URL ?? config.USER_DB_WRITE_URL, REMINDER_WINDOWS: Object.freeze(windows) });
}
