import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Thrown at start-up when the environment does not satisfy a service's schema. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Environment = Readonly<Record<string, string | undefined>>;

function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Parses the environment against a TypeBox schema whose keys are the
 * variable names: strings are converted to the declared types, defaults are
 * applied, and every violation is reported at once, naming the variable, so a
 * service fails fast at start-up instead of at its first request. The result
 * is deeply frozen.
 */
export function loadEnv<S extends TObject>(schema: S, env: Environment = process.env): Readonly<Static<S>> {
  const known = Object.fromEntries(Object.keys(schema.properties).filter((key) => env[key] !== undefined && env[key] !== '').map((key) => [key, env[key]]));
  const converted = Value.Convert(schema, Value.Default(schema, known));
  const problems = [...Value.Errors(schema, converted)].map((error) => {
    const variable = error.path.replace(/^\//, '') || '(root)';
    const received = (converted as Record<string, unknown>)[variable];
    const shown = received === undefined ? 'it is not set' : `got ${JSON.stringify(isSecretName(variable) ? '***' : received)}`;
    return `${variable}: ${error.message} (${shown})`;
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(converted as Static<S>);
}

function isSecretName(variable: string): boolean {
  return /SECRET|PASSWORD|TOKEN|KEY/i.test(variable);
}
