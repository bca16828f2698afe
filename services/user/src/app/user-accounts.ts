import { assertOwnerOrAdmin, assertRole, issueAccessToken, type Identity, type Role } from '@eticket/auth';
import type { ListUsersQuery, LoginBody, LoginView, RegisterBody, UserPageView, UserView } from '@eticket/contracts';
import { AppError } from '@eticket/errors';
import { decideAttempt, DEFAULT_THROTTLE_POLICY, type ThrottlePolicy } from '../domain/login-throttle';
import { assertPasswordPolicy } from '../domain/password-policy';
import { DEFAULT_ROLES, normaliseEmail, withoutRole, withRole, type User } from '../domain/user';
import type { Clock, LoginThrottleStore, PasswordHasher, ReadConsistency, UserRepository } from './ports';
import { toUserView } from './views';

export interface UserAccountsDeps {
  readonly users: UserRepository;
  readonly throttle: LoginThrottleStore;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly jwtSecret: string;
  readonly accessTokenTtlSeconds: number;
  readonly throttlePolicy?: ThrottlePolicy;
  /** Standby reads, with read-your-writes for a caller who just wrote. */
  readonly consistency: ReadConsistency;
}

export type AdminBootstrap = 'created' | 'exists';

/** Registration, login, user look-ups and role management. */
export class UserAccounts {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly deps: UserAccountsDeps) {}

  async register(body: RegisterBody): Promise<UserView> {
    const email = normaliseEmail(body.email);
    assertPasswordPolicy(body.password, email);
    const user = await this.deps.users.create(email, await this.deps.hasher.hash(body.password), DEFAULT_ROLES);
    // The new user is the writer: their first look at their own profile must find it.
    await this.deps.consistency.wrote([user.id]);
    return toUserView(user);
  }

  /**
   * One generic INVALID_CREDENTIALS for an unknown email and a wrong
   * password alike, and the same argon2 work for both, so neither the answer
   * nor its timing tells which accounts exist.
   */
  async login(body: LoginBody, clientIp: string): Promise<LoginView> {
    const email = normaliseEmail(body.email);
    const key = { email, clientIp };
    const policy = this.deps.throttlePolicy ?? DEFAULT_THROTTLE_POLICY;
    const decision = await this.deps.throttle.decide(key, (current) => decideAttempt(current, this.deps.clock(), policy));
    if (!decision.allowed) {
      throw new AppError('RATE_LIMITED', 'Too many failed logins for this email from your address; try again later', { retryAfterSeconds: decision.retryAfterSeconds });
    }
    const account = await this.deps.users.findCredentials(email);
    const verified = await this.deps.hasher.verify(account?.passwordHash ?? (await this.timingDummy()), body.password);
    if (account === undefined || !verified) throw new AppError('INVALID_CREDENTIALS');
    await this.deps.throttle.reset(key);
    const ttl = this.deps.accessTokenTtlSeconds;
    const issued = await issueAccessToken({ userId: account.id, email: account.email, roles: account.roles }, this.deps.jwtSecret, ttl);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: ttl, expires_at: issued.expiresAt.toISOString(), user: toUserView(account) };
  }

  /** Checked before the look-up, so a buyer cannot even learn whether another id exists. */
  async getUser(identity: Identity, id: string): Promise<UserView> {
    assertOwnerOrAdmin(identity, id);
    const source = await this.deps.consistency.sourceFor(identity.userId);
    // A standby may not have replayed an account someone else just created: a miss is asked again on the primary.
    const user = (await this.deps.users.findById(id, source)) ?? (source === 'primary' ? undefined : await this.deps.users.findById(id, 'primary'));
    return toUserView(this.found(user, id));
  }

  async listUsers(identity: Identity, page: ListUsersQuery): Promise<UserPageView> {
    assertRole(identity, 'admin');
    const limit = page.limit ?? 20;
    const offset = page.offset ?? 0;
    const { items, total } = await this.deps.users.list(limit, offset, await this.deps.consistency.sourceFor(identity.userId));
    return { items: items.map(toUserView), limit, offset, total };
  }

  grantRole(identity: Identity, id: string, role: Role): Promise<UserView> {
    return this.changeRoles(identity, id, (roles) => withRole(roles, role));
  }

  revokeRole(identity: Identity, id: string, role: Role): Promise<UserView> {
    return this.changeRoles(identity, id, (roles) => withoutRole(roles, role));
  }

  /** Creates the first admin from the environment unless that account exists; never changes an existing account. */
  async bootstrapAdmin(rawEmail: string, password: string): Promise<AdminBootstrap> {
    const email = normaliseEmail(rawEmail);
    if ((await this.deps.users.findCredentials(email)) !== undefined) return 'exists';
    assertPasswordPolicy(password, email);
    try {
      const admin = await this.deps.users.create(email, await this.deps.hasher.hash(password), ['buyer', 'admin']);
      await this.deps.consistency.wrote([admin.id]);
      return 'created';
    } catch (error) {
      // Another instance bootstrapping at the same moment won the race.
      if (error instanceof AppError && error.code === 'EMAIL_TAKEN') return 'exists';
      throw error;
    }
  }

  private async changeRoles(identity: Identity, id: string, change: (roles: readonly Role[]) => Role[]): Promise<UserView> {
    assertRole(identity, 'admin');
    const updated = this.found(await this.deps.users.updateRoles(id, change), id);
    // Both the admin and the user whose roles changed read the change next.
    await this.deps.consistency.wrote([identity.userId, id]);
    return toUserView(updated);
  }

  private found(user: User | undefined, id: string): User {
    if (user === undefined) throw new AppError('NOT_FOUND', `No user ${id}`);
    return user;
  }

  private timingDummy(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash('timing-equaliser-not-a-real-password');
    return this.dummyHash;
  }
}
