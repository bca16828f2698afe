/**
 * What each deployable image runs: the same entry files the local platform
 * starts with tsx (platform/src/services.ts; deploy/build.test.ts keeps the
 * two in step), the health path its HEALTHCHECK asks, and the variable that
 * holds its HTTP port.
 */
export interface ServiceTarget {
  /** Output name (dist/<name>.mjs) → entry file relative to the repository root. */
  readonly entries: Readonly<Record<string, string>>;
  readonly healthPath: string;
  readonly portVariable: string;
  /** A script of the service's own build run (with tsx) before bundling, e.g. the web client's Vite build. */
  readonly prebuild?: string;
  /** Files the code names with new URL(..., import.meta.url) that are not read at run time. */
  readonly omitAssets?: readonly string[];
}

export const SERVICE_TARGETS = {
  gateway: { entries: { main: 'services/gateway/src/main.ts' }, healthPath: '/status', portVariable: 'GATEWAY_PORT' },
  user: { entries: { main: 'services/user/src/main.ts' }, healthPath: '/health', portVariable: 'PORT' },
  order: { entries: { main: 'services/order/src/main.ts' }, healthPath: '/health', portVariable: 'PORT' },
  // The CLI too, so an operator can `docker compose exec etl node dist/cli.mjs run --full`.
  etl: { entries: { main: 'services/etl/src/main.ts', cli: 'services/etl/src/cli.ts' }, healthPath: '/health', portVariable: 'PORT' },
  web: {
    entries: { main: 'services/web/src/main.ts' }, healthPath: '/status', portVariable: 'PORT',
    // `npm run build:web`: Vite builds the browser client into services/web/dist, which the service serves.
    prebuild: 'services/web/src/build.ts',
    // paths.ts also names the client's sources (for the build); only dist/ is read at run time.
    omitAssets: ['services/web/client'],
  },
} as const satisfies Record<string, ServiceTarget>;

export type ServiceName = keyof typeof SERVICE_TARGETS;

export function isServiceName(name: string): name is ServiceName {
  return Object.hasOwn(SERVICE_TARGETS, name);
}

/**
 * Packages left out of the bundle and shipped as installed files instead,
 * because they read files of their own at run time or load native code:
 * argon2's prebuilt .node binary; etcd3 loads its .proto files from
 * `__dirname`; @fastify/swagger-ui serves its static assets from its folder;
 * pino starts transports as worker threads from file paths.
 */
export const SHIPPED_PACKAGES = ['@node-rs/argon2', 'etcd3', '@fastify/swagger-ui', 'pino'] as const;

/**
 * Optional peers the mongodb driver (and others) require inside try/catch:
 * not installed, not shipped, absent at run time exactly as in development.
 */
export const OPTIONAL_ABSENT = [
  'kerberos', '@mongodb-js/zstd', 'snappy', 'socks', 'aws4', 'mongodb-client-encryption', '@aws-sdk/credential-providers', 'gcp-metadata',
  'pino-pretty', 'bufferutil', 'utf-8-validate', 'pg-native', 'elastic-apm-node',
] as const;
