import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import { interpolate } from './interpolate';

/** The parts of a Compose service the checks read. */
export interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile?: string; readonly args?: Record<string, string> };
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  readonly environment?: Record<string, string | number | boolean | null>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly depends_on?: Record<string, { readonly condition: string }>;
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly deploy?: { readonly replicas?: number | string };
  readonly profiles?: readonly string[];
  readonly restart?: string;
  readonly container_name?: string;
}

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly volumes?: Record<string, unknown>;
}

export interface LoadedProject {
  /** The file that defines the services (deploy/compose.yaml), whose folder relative paths start from. */
  readonly file: string;
  readonly dir: string;
  /** The raw text, before interpolation. */
  readonly text: string;
  /** The env file interpolation reads: the include's own, else the root's .env (Compose passes the including project's environment on). */
  readonly envFile: string;
  readonly compose: ComposeFile;
}

/** An include entry: the short form (a path) or the long one. */
type Include = string | { readonly path: string; readonly env_file?: string };

interface RootFile {
  readonly include?: readonly Include[];
}

/**
 * Reads the root compose.yaml, follows its one include, and interpolates the
 * included file with `env` (what the env file holds plus any overrides), as
 * `docker compose` does: interpolation happens on the YAML scalars, after
 * parsing (YAML merge keys `<<` resolved).
 */
export function loadProject(root: string, env: Readonly<Record<string, string | undefined>>): LoadedProject {
  const rootFile = parse(readFileSync(resolve(root, 'compose.yaml'), 'utf8')) as RootFile;
  const entry = rootFile.include?.[0];
  if (entry === undefined) throw new Error('compose.yaml includes no file');
  const include = typeof entry === 'string' ? { path: entry } : entry;
  const file = resolve(root, include.path);
  const text = readFileSync(file, 'utf8');
  const raw = parse(text, { merge: true }) as unknown;
  const compose = mapStrings(raw, (value) => interpolate(value, env)) as ComposeFile;
  return { file, dir: dirname(file), text, envFile: resolve(root, include.env_file ?? '.env'), compose };
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

export function readEnvFile(path: string): Record<string, string> {
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** A service's environment as the container sees it: every value a string. */
export function environmentOf(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]));
}
