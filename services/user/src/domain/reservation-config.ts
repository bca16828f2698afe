import { loadEnv, NodeEnv } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

/** The seat-reservation participant's own variables, read next to the User Service's config. */
export const ReservationEnv = Type.Object({
  NODE_ENV: NodeEnv,
  /**
   * host:port of the Ticket Order Service's TransactionCoordinator (GetDecision). Set, it wins over service
   * discovery (development, tests); unset, the discovered instances are asked, or DEFAULT_COORDINATOR_ADDR
   * when discovery is off.
   */
  ORDER_SERVICE_GRPC_ADDR: Type.Optional(Type.String({ pattern: '^[^\\s:]+:\\d+$' })),
  /** A transaction prepared longer than this is resolved by asking the coordinator. */
  RESERVATION_PREPARED_MAX_AGE_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 5_000 }),
  RESERVATION_SWEEP_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 2_000 }),
  /** How long a prepare retries while the remaining seats sit in buckets other transactions hold. */
  RESERVATION_CLAIM_BUDGET_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 2_000 }),
  /** Test only (NODE_ENV=test): SIGKILL this process right after a PREPARE, or on a Commit before COMMIT PREPARED. */
  RESERVATION_TEST_FAULT: Type.Union([Type.Literal('none'), Type.Literal('crash-after-prepare'), Type.Literal('crash-before-commit')], { default: 'none' }),
  /** Test only: delay a prepare at RESERVATION_TEST_DELAY_POINT by this much. */
  RESERVATION_TEST_PREPARE_DELAY_MS: Type.Integer({ minimum: 0, maximum: 120_000, default: 0 }),
  RESERVATION_TEST_DELAY_POINT: Type.Union([Type.Literal('before-claim'), Type.Literal('after-prepare')], { default: 'after-prepare' }),
});

/** The coordinator's address when neither ORDER_SERVICE_GRPC_ADDR nor service discovery names one (the platform's default port). */
export const DEFAULT_COORDINATOR_ADDR = '127.0.0.1:21211';

export type ReservationConfig = Readonly<Static<typeof ReservationEnv>>;

export function loadReservationConfig(env: Readonly<Record<string, string | undefined>> = process.env): ReservationConfig {
  return loadEnv(ReservationEnv, env);
}
