import { Type, type TString } from '@sinclair/typebox';

/** A comma-separated list in one variable, e.g. `REDIS_CLUSTER_NODES=a:1,b:2`. */
export function commaList(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}

export const Port = (defaultPort?: number) => Type.Integer({ minimum: 0, maximum: 65535, ...(defaultPort === undefined ? {} : { default: defaultPort }) });

export const Url = (options: { default?: string } = {}): TString => Type.String({ pattern: '^[a-z][a-z0-9+.-]*://', ...options });

export const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  { default: 'info' },
);

export const NodeEnv = Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' });

/** A secret must be long enough to be one; 32 characters ~ 256 bits of base64. */
export const Secret = () => Type.String({ minLength: 32 });
