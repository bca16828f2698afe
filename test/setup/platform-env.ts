// How a test file reaches the platform started by test/setup/platform.global.ts.
//
// The global setup runs in vitest's main process before any worker exists.
// Two channels carry the env contract to the test files, both verified with
// vitest 3.2:
//  1. `project.provide('platformEnv', env)` + `inject('platformEnv')` here —
//     the documented way (vitest.dev/config/globalsetup), typed below;
//  2. `process.env`: the forks pool builds each worker's environment from the
//     main process's `process.env` when it runs the files, i.e. after global
//     setup, so code under test that reads `process.env.USER_DB_WRITE_URL`
//     sees the values too.
import { inject } from 'vitest';
import { PlatformControl, type PlatformEnv } from '../../platform/src/index';

declare module 'vitest' {
  export interface ProvidedContext {
    platformEnv: PlatformEnv;
    /** The platform supervisor's control socket. */
    platformControlSocket: string;
  }
}

/** The running test platform's env contract (ETCD_ENDPOINTS, USER_DB_WRITE_URL, ...). */
export function platformEnv(): PlatformEnv {
  const env = inject('platformEnv');
  if (env === undefined) throw new Error('platformEnv not provided: run this file in the "integration" vitest project (its globalSetup starts the platform)');
  return env;
}

/**
 * Kill and restart the platform's processes by name (`redis-<port>`,
 * `ring-redis-<port>`, `sentinel-<port>`). The global setup guarantees a
 * supervisor that answers (it never reuses a platform without one).
 */
export function platformControl(): PlatformControl {
  const socket = inject('platformControlSocket');
  if (!socket) throw new Error('no platform supervisor answers on its control socket: tests that kill servers cannot run');
  return new PlatformControl(socket);
}

/** A comma-separated env value as a list. */
export function listOf(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);
}
