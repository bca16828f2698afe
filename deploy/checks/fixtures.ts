import { resolve } from 'node:path';
import { loadProject, readEnvFile, type LoadedProject } from './compose-project';
import { references } from './interpolate';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const ENV_EXAMPLE = resolve(ROOT, '.env.example');

/** The application services: built from this repository, one image each. */
export const APP_SERVICES = ['gateway', 'user', 'order', 'etl', 'web'] as const;

/**
 * The variables .env.example leaves blank that Compose requires (`${X:?...}`):
 * the secrets. The checks fill them with a stand-in of the right shape, as an
 * operator following .env.example would.
 */
export function requiredBlank(text: string, example: Readonly<Record<string, string>>): string[] {
  const required = new Set(references(text).filter((ref) => ref.operator === ':?' || ref.operator === '?').map((ref) => ref.name));
  return Object.keys(example).filter((name) => required.has(name) && example[name] === '');
}

/** The project as `cp .env.example .env` + generated secrets would run it. */
export function exampleProject(overrides: Readonly<Record<string, string>> = {}): LoadedProject & { env: Record<string, string> } {
  const example = readEnvFile(ENV_EXAMPLE);
  const probe = loadProjectText();
  const secrets = Object.fromEntries(requiredBlank(probe, example).map((name, i) => [name, `${i}${'0123456789abcdef'.repeat(4)}`]));
  const env = { ...example, ...secrets, ...overrides };
  return { ...loadProject(ROOT, env), env };
}

function loadProjectText(): string {
  // Interpolation needs the secrets, so read the raw text with a permissive environment first.
  return loadProject(ROOT, new Proxy({}, { get: () => 'x' })).text;
}
