import { loadEnv, LogLevel, Port } from '@eticket/config';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_DIST_DIR } from './paths';

/** Every variable the web service reads (discovery's own: packages/discovery/src/config.ts); validated once at start-up. */
export const WebEnv = Type.Object({
  PORT: Port(21401),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  SERVICE_INSTANCE: Type.String({ minLength: 1, maxLength: 100, default: 'web-1' }),
  LOG_LEVEL: LogLevel,
  /** The built client (index.html + assets/); `npm run build -w services/web` writes it. */
  WEB_DIST_DIR: Type.String({ minLength: 1, default: DEFAULT_DIST_DIR }),
});

export type WebConfig = Readonly<Static<typeof WebEnv>>;

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): WebConfig {
  return loadEnv(WebEnv, env);
}
