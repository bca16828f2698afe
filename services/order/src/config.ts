import { ConfigError, LogLevel, NodeEnv, Port, Secret, Url, loadEnv } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

/**
 * The Ticket Order Service's environment. Every variable is named here, with
 * its default, and validated once at start-up (see docs/architecture.md).
 */
export const OrderConfigSchema = Type.Object({
  NODE_ENV: NodeEnv,
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Port(21201),
  /** The TransactionCoordinator gRPC service participants ask for decisions. */
  GRPC_PORT: Port(21211),
  SERVICE_INSTANCE: Type.String({ minLength: 1, default: 'order-1' }),
  LOG_LEVEL: LogLevel,
  ORDER_MONGO_URL: Url(),
  /**
   * host:port of one User Service gRPC server (SeatReservation, Notifications) instead of its
   * instances in service discovery (ETCD_ENDPOINTS); unset means discovery.
   */
  USER_SERVICE_GRPC_ADDR: Type.Optional(Type.String({ pattern: '^[^\\s:]+:\\d+$' })),
  INTERNAL_AUTH_SECRET: Secret(),
  /** How long a placed, unpaid order holds its seats. */
  HOLD_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
  /** The buyer gets one "hold about to expire" notification this long before an unpaid hold ends. */
  HOLD_WARNING_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 120 }),
  /** The coordinator's deadline for a participant's vote in phase 1. */
  TWO_PC_PREPARE_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 3_000 }),
  /**
   * Transactions this instance keeps in flight at once; each holds a
   * PostgreSQL prepared transaction (max_prepared_transactions is 100 on the
   * local platform, shared by every instance).
   */
  TWO_PC_MAX_IN_FLIGHT: Type.Integer({ minimum: 1, maximum: 1_000, default: 32 }),
  /** How long a new order may wait for one of those slots before it is refused with 503. */
  TWO_PC_SLOT_WAIT_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5_000 }),
  /** Deadline of one phase-2 call (Commit, Abort, Release) and of a notification. */
  TWO_PC_PHASE2_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 2_000 }),
  /**
   * A placement with no decision this long after it was created is presumed
   * aborted (by recovery, by a participant's GetDecision, or when read). Must
   * exceed TWO_PC_PREPARE_TIMEOUT_MS so a live coordinator always decides first.
   */
  TWO_PC_DECISION_BOUND_MS: Type.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
  /** How often the recovery scan looks for work another instance (or a crash) left behind. */
  RECOVERY_SCAN_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
  /** `two_phase_commit` (default) or `local`: the non-atomic single-local-transaction baseline used by bench/orders.ts. */
  ORDER_PLACEMENT_MODE: Type.Union([Type.Literal('two_phase_commit'), Type.Literal('local')], { default: 'two_phase_commit' }),
  PAYMENT_SIM_LATENCY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 50 }),
  /** Share of simulated charges that are declined, 0..1. */
  PAYMENT_SIM_FAILURE_RATE: Type.Number({ minimum: 0, maximum: 1, default: 0 }),
  /** A payment still `processing` this long after it started is resolved by asking the provider. */
  PAYMENT_STUCK_AFTER_MS: Type.Integer({ minimum: 1_000, maximum: 3_600_000, default: 60_000 }),
  /**
   * The platform's shared cache, where GET /order/:id keeps orders in a final
   * state (store/cached-order-lookups.ts). Unset: no cache, every look-up
   * reads the database.
   */
  CACHE_TOPOLOGY: Type.Optional(Type.Union([Type.Literal('cluster'), Type.Literal('ring')])),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINELS: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_RING_SHARDS: Type.Optional(Type.String({ minLength: 1 })),
  /** A cache operation slower than this counts as a miss: the look-up reads the database. */
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 10_000, default: 100 }),
  /**
   * Test-only fault injection, honoured only when NODE_ENV=test: the process
   * SIGKILLs itself at that point of the two-phase commit.
   */
  TWO_PC_FAULT: Type.Union([Type.Literal('none'), Type.Literal('crash-after-prepare'), Type.Literal('crash-after-decision')], { default: 'none' }),
});

export type OrderConfig = Static<typeof OrderConfigSchema>;

export function loadOrderConfig(env: NodeJS.ProcessEnv = process.env): Readonly<OrderConfig> {
  const config = loadEnv(OrderConfigSchema, env);
  if (config.TWO_PC_DECISION_BOUND_MS <= config.TWO_PC_PREPARE_TIMEOUT_MS) {
    throw new ConfigError(['TWO_PC_DECISION_BOUND_MS: must be larger than TWO_PC_PREPARE_TIMEOUT_MS']);
  }
  return config;
}
