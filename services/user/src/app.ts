import type * as grpc from '@grpc/grpc-js';
import { registerIdentity } from '@eticket/auth';
import type { Logger } from '@eticket/logging';
import { collectStatus, createHttpApp, registerStatusRoutes, type HttpApp } from '@eticket/service-kit';
import { Directory } from './app/directory';
import { EventCatalog } from './app/event-catalog';
import { argon2Hasher } from './app/password-hasher';
import type { Clock, PasswordHasher } from './app/ports';
import { UserAccounts } from './app/user-accounts';
import type { UserServiceConfig } from './config';
import type { ThrottlePolicy } from './domain/login-throttle';
import { closeGrpc, createGrpcServer, type ExtraGrpcService } from './grpc/server';
import { registerEventRoutes } from './http/event-routes';
import { registerUserRoutes } from './http/user-routes';
import { databaseChecks, type Database } from './store/db';
import { PgEventRepository } from './store/event-repository';
import { PgLoginThrottleStore } from './store/login-throttle-store';
import { PgNotificationRepository } from './store/notification-repository';
import { PgUserRepository } from './store/user-repository';

export interface UserServiceDeps {
  readonly logger: Logger;
  readonly db: Database;
  readonly hasher?: PasswordHasher;
  readonly clock?: Clock;
  readonly throttlePolicy?: ThrottlePolicy;
  /** More gRPC services on the same server (the seat-reservation participant goes here). */
  readonly extraGrpcServices?: readonly ExtraGrpcService[];
}

export interface UserService {
  readonly http: HttpApp;
  /** Created, not bound: main.ts (or a test) binds it. */
  readonly grpc: grpc.Server;
  readonly accounts: UserAccounts;
  readonly catalog: EventCatalog;
  readonly directory: Directory;
  /** Stops HTTP and gRPC (draining in-flight work); the caller owns and closes the database. */
  close(): Promise<void>;
}

/** Wires the User Service from its configuration and dependencies; nothing listens yet. */
export function buildUserService(config: UserServiceConfig, deps: UserServiceDeps): UserService {
  const clock = deps.clock ?? (() => new Date());
  const users = new PgUserRepository(deps.db);
  const events = new PgEventRepository(deps.db);
  const accounts = new UserAccounts({
    users,
    throttle: new PgLoginThrottleStore(deps.db),
    hasher: deps.hasher ?? argon2Hasher,
    clock,
    jwtSecret: config.JWT_SECRET,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    ...(deps.throttlePolicy === undefined ? {} : { throttlePolicy: deps.throttlePolicy }),
  });
  const catalog = new EventCatalog({ events, users, clock });
  const directory = new Directory({ users, events, notifications: new PgNotificationRepository(deps.db) });

  const http = createHttpApp({ logger: deps.logger, bodyLimit: config.BODY_LIMIT_BYTES });
  registerIdentity(http, config.INTERNAL_AUTH_SECRET);
  registerUserRoutes(http, accounts);
  registerEventRoutes(http, catalog);
  const checks = databaseChecks(deps.db);
  registerStatusRoutes(http, 'user', config.SERVICE_INSTANCE, checks);
  // The platform runner polls /health; same readiness report as /status.
  http.get('/health', async (_request, reply) => {
    const report = await collectStatus('user', config.SERVICE_INSTANCE, checks);
    return reply.status(report.status === 'down' ? 503 : 200).send(report);
  });

  const grpcServer = createGrpcServer({ directory }, deps.extraGrpcServices ?? []);
  return {
    http,
    grpc: grpcServer,
    accounts,
    catalog,
    directory,
    close: async () => {
      await Promise.all([http.close(), closeGrpc(grpcServer)]);
    },
  };
}
