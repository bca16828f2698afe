/**
 * Compose's variable interpolation (the compose-spec "Interpolation" section):
 * `$VAR`, `${VAR}`, `${VAR:-default}` / `${VAR-default}`, `${VAR:?error}` /
 * `${VAR?error}`, `${VAR:+alt}` / `${VAR+alt}`, and `$$` for a literal `$`.
 * Written here because no maintained npm package implements Compose's rules
 * (the reference is the Go library compose-go); only the tests use it, to see
 * the environment a container would get.
 */
export interface Reference {
  readonly name: string;
  /** `-` / `:-` default, `?` / `:?` required, `+` / `:+` alternative; undefined for a bare `${VAR}`. */
  readonly operator?: string;
  readonly argument?: string;
}

const PATTERN = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export class MissingVariableError extends Error {}

export function references(text: string): Reference[] {
  const found: Reference[] = [];
  for (const match of text.matchAll(PATTERN)) {
    if (match[0] === '$$') continue;
    const name = match[1] ?? match[4] ?? '';
    found.push(match[2] === undefined ? { name } : { name, operator: match[2], argument: match[3] ?? '' });
  }
  return found;
}

export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(PATTERN, (whole, braced: string | undefined, operator: string | undefined, argument: string | undefined, bare: string | undefined) => {
    if (whole === '$$') return '$';
    const name = braced ?? bare ?? '';
    const value = env[name];
    const unsetOrEmpty = value === undefined || value === '';
    const missing = operator?.startsWith(':') ? unsetOrEmpty : value === undefined;
    const arg = interpolate(argument ?? '', env);
    switch (operator) {
      case ':-': case '-': return missing ? arg : value ?? '';
      case ':?': case '?':
        if (missing) throw new MissingVariableError(`${name}: ${arg || 'required variable is missing'}`);
        return value ?? '';
      case ':+': case '+': return missing ? '' : arg;
      default: return value ?? '';
    }
  });
}
