import { randomBytes, randomUUID } from 'node:crypto';
import { signInternalIdentity, type Identity, type Role } from '@eticket/auth';
import { createLogger } from '@eticket/logging';
import { buildUserService, type UserService } from '../../services/user/src/app';
import { loadConfig, type UserServiceConfig } from '../../services/user/src/config';
import type { ThrottlePolicy } from '../../services/user/src/domain/login-throttle';
import { createDatabase, type Database } from '../../services/user/src/store/db';
import { migrate } from '../../services/user/src/store/migrate';
import { platformEnv } from '../setup/platform-env';

// The User Service in-process against the real platform database: HTTP via
// app.inject(), gRPC on a real socket when a test binds it. Every test
// creates its own users (unique emails), so files can share one database.

export interface TestUserService {
  readonly service: UserService;
  readonly config: UserServiceConfig;
  readonly db: Database;
  /** Headers that make a request come from `identity`, as the gateway would send them. */
  as(identity: Identity): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

export const uniqueEmail = (prefix = 'user'): string => `${prefix}-${randomUUID().slice(0, 8)}@example.test`;

export async function startUserService(options: { throttlePolicy?: ThrottlePolicy } = {}): Promise<TestUserService> {
  const env = platformEnv();
  const logger = createLogger({ service: 'user', instance: 'user-test', level: 'silent' });
  const config = loadConfig({
    USER_DB_WRITE_URL: env.USER_DB_WRITE_URL,
    USER_DB_READ_URL: env.USER_DB_READ_URL,
    JWT_SECRET: randomBytes(32).toString('hex'),
    INTERNAL_AUTH_SECRET: randomBytes(32).toString('hex'),
    SERVICE_INSTANCE: 'user-test',
    BODY_LIMIT_BYTES: '16384',
  });
  await migrate(config.USER_DB_WRITE_URL, logger);
  const db = createDatabase({ writeUrl: config.USER_DB_WRITE_URL, readUrl: config.USER_DB_READ_URL, poolSize: 5, applicationName: 'user-test', logger });
  const service = buildUserService(config, { logger, db, ...(options.throttlePolicy === undefined ? {} : { throttlePolicy: options.throttlePolicy }) });
  await service.http.ready();
  return {
    service,
    config,
    db,
    as: async (identity) => ({ 'x-eticket-identity': await signInternalIdentity(identity, config.INTERNAL_AUTH_SECRET) }),
    close: async () => {
      await service.close();
      await db.close();
    },
  };
}

/**
 * A user with `roles`: buyers register through the API, organizers are then
 * granted the role through the API, admins are bootstrapped as at start-up
 * (the API cannot make admins).
 */
export async function createUser(user: TestUserService, roles: readonly Role[] = ['buyer']): Promise<Identity> {
  const email = uniqueEmail(roles.join('-'));
  if (roles.includes('admin')) {
    await user.service.accounts.bootstrapAdmin(email, PASSWORD);
  } else {
    const registered = await user.service.http.inject({ method: 'POST', url: '/user/register', payload: { email, password: PASSWORD } });
    if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.body}`);
  }
  const login = await user.service.http.inject({ method: 'POST', url: '/user/login', payload: { email, password: PASSWORD } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const { id } = login.json<{ user: { id: string } }>().user;
  if (roles.includes('organizer')) {
    const granted = await user.service.http.inject({ method: 'PUT', url: `/user/${id}/roles/organizer`, headers: await user.as(adminIdentity()) });
    if (granted.statusCode !== 200) throw new Error(`grant failed: ${granted.body}`);
  }
  return { userId: id, email, roles: roles.includes('admin') ? ['buyer', 'admin'] : [...roles] };
}

/** An admin as the gateway would vouch for one; the admin routes trust the assertion's roles. */
export function adminIdentity(): Identity {
  return { userId: randomUUID(), email: 'admin@example.test', roles: ['buyer', 'admin'] };
}

/** A valid event body starting `daysAhead` days from now. */
export function eventBody(overrides: Record<string, unknown> = {}, daysAhead = 30): Record<string, unknown> {
  return {
    name: 'Symphony night',
    description: 'Beethoven 9',
    date_time: new Date(Date.now() + daysAhead * 86_400_000).toISOString(),
    venue: { name: 'Palatul National', location: 'Chisinau', capacity: 1_000 },
    total_seats: 800,
    price: 25_000,
    currency: 'MDL',
    ...overrides,
  };
}
