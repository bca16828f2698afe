import { ConfigError, loadEnv, LogLevel, Port, Secret, Url } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';
import { Cron } from 'croner';

/** What a run needs: the service and the CLI (which serves no HTTP) both read these. */
const jobVariables = {
  SERVICE_INSTANCE: Type.String({ minLength: 1, maxLength: 100, default: 'etl-1' }),
  LOG_LEVEL: LogLevel,
  /** The warehouse: staging, star schema, run history, watermarks, quarantine. */
  WAREHOUSE_DB_URL: Url(),
  /** The User Service's database through a standby (HAProxy's read port): extraction never loads the primary. */
  USER_DB_READ_URL: Url(),
  ORDER_MONGO_URL: Url(),
  /** When the scheduled runs start (croner syntax, 5 or 6 fields, server time zone). */
  ETL_CRON: Type.String({ minLength: 1, maxLength: 100, default: '*/5 * * * *' }),
  /** Off: no scheduled runs in this instance (runs only from the CLI). */
  ETL_SCHEDULE_ENABLED: Type.Boolean({ default: true }),
  /**
   * Each window starts this long before the previous high-water mark: a row
   * stamped by its writer a moment before it committed (or by a clock a bit
   * behind ours) is picked up by the next run instead of being skipped. The
   * merges are idempotent, so re-reading the overlap costs reads, not changes.
   */
  ETL_OVERLAP_SECONDS: Type.Integer({ minimum: 0, maximum: 86_400, default: 120 }),
  /** Rows per extraction batch and per staging upsert. */
  ETL_BATCH_SIZE: Type.Integer({ minimum: 100, maximum: 50_000, default: 5_000 }),
  /** Connection / server-selection timeout towards every source; a source down fails the run this fast. */
  ETL_SOURCE_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5_000 }),
  /**
   * Refuse to extract when USER_DB_READ_URL reaches a primary (HAProxy's read
   * port falls back to the primary when no standby is up): the run fails and a
   * later one catches up, rather than putting analytics load on the primary.
   */
  ETL_REQUIRE_STANDBY: Type.Boolean({ default: true }),
};

export const EtlJobEnv = Type.Object(jobVariables);

/** Every variable the ETL service reads; validated once at start-up. */
export const EtlEnv = Type.Object({
  ...jobVariables,
  PORT: Port(21301),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  /** Verifies the gateway's identity assertions on the report routes. */
  INTERNAL_AUTH_SECRET: Secret(),
});

export type EtlJobConfig = Readonly<Static<typeof EtlJobEnv>>;
export type EtlConfig = Readonly<Static<typeof EtlEnv>>;

type Environment = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Environment = process.env): EtlConfig {
  return checkCron(loadEnv(EtlEnv, env));
}

/** The CLI's variables only (no HTTP, no secret). */
export function loadJobConfig(env: Environment = process.env): EtlJobConfig {
  return checkCron(loadEnv(EtlJobEnv, env));
}

function checkCron<C extends EtlJobConfig>(config: C): C {
  try {
    // Parsing only (paused, never scheduled), so a typo fails at start-up with the variable's name.
    new Cron(config.ETL_CRON, { paused: true }).stop();
  } catch (error) {
    throw new ConfigError([`ETL_CRON: ${error instanceof Error ? error.message : String(error)} (got ${JSON.stringify(config.ETL_CRON)})`]);
  }
  return config;
}
