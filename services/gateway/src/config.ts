import { loadEnv, LogLevel, Port, Secret, Url } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';

/** Every variable the gateway reads; validated once at start-up. */
export const GatewayEnv = Type.Object({
  GATEWAY_PORT: Port(8080),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  SERVICE_INSTANCE: Type.String({ minLength: 1, maxLength: 100, default: 'gateway-1' }),
  LOG_LEVEL: LogLevel,
  USER_SERVICE_HTTP_URL: Url({ default: 'http://127.0.0.1:21101' }),
  ORDER_SERVICE_HTTP_URL: Url({ default: 'http://127.0.0.1:21201' }),
  JWT_SECRET: Secret(),
  INTERNAL_AUTH_SECRET: Secret(),
  /** How long the gateway waits for an upstream's response headers (and between body chunks). */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
  /** Largest request body accepted at the edge. */
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 65_536 }),
  /** Time a client has to send its whole request. */
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1_000, maximum: 300_000, default: 30_000 }),
  /** Keep-alive connections the gateway holds open per upstream origin. */
  UPSTREAM_CONNECTIONS: Type.Integer({ minimum: 1, maximum: 1_024, default: 128 }),
});

export type GatewayConfig = Readonly<Static<typeof GatewayEnv>>;

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  return loadEnv(GatewayEnv, env);
}
