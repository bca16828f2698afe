import { existsSync, readFileSync } from 'node:fs';
import { dataLayout, defaultDataDir, type PlatformEnv, type PlatformEnvKey } from '../../platform/src/index';

// How a bench that runs against a platform someone else started (`npx tsx
// platform/src/cli.ts up --infra-only`, or external servers) finds it.

/** The running platform's data directory: ETICKET_PLATFORM_DATA_DIR, else the one `npm start` uses. */
export function platformDataLayout(env: NodeJS.ProcessEnv = process.env): ReturnType<typeof dataLayout> {
  return dataLayout(env.ETICKET_PLATFORM_DATA_DIR ?? defaultDataDir);
}

/** A platform without standbys reads where it writes. */
function lookup(source: (key: PlatformEnvKey) => string | undefined, key: PlatformEnvKey): string | undefined {
  const value = source(key);
  return value || (key === 'USER_DB_READ_URL' ? source('USER_DB_WRITE_URL') || undefined : undefined);
}

/**
 * The platform variables a bench needs: from the process environment when
 * every one of them is set there, else from the running platform's env file.
 * Only these keys are required of the file, so an env file another runner
 * version wrote still serves. USER_DB_READ_URL falls back to USER_DB_WRITE_URL.
 */
export function runningPlatformEnv<K extends PlatformEnvKey>(keys: readonly K[], env: NodeJS.ProcessEnv = process.env): Pick<PlatformEnv, K> {
  const fromProcess = keys.map((key) => [key, lookup((name) => env[name], key)] as const);
  if (fromProcess.every(([, value]) => value !== undefined)) return Object.fromEntries(fromProcess) as Pick<PlatformEnv, K>;
  const envFile = platformDataLayout(env).envFile;
  if (!existsSync(envFile)) {
    throw new Error(`no platform: start one (npx tsx platform/src/cli.ts up --infra-only) or set ${keys.join(', ')}; looked for ${envFile}`);
  }
  const values = new Map(readFileSync(envFile, 'utf8').split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  const fromFile = keys.map((key) => [key, lookup((name) => values.get(name), key)] as const);
  const missing = fromFile.filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length > 0) throw new Error(`${envFile} lacks ${missing.join(', ')}`);
  return Object.fromEntries(fromFile) as Pick<PlatformEnv, K>;
}
