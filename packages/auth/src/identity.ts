import { AppError } from '@eticket/errors';

export const ROLES = ['buyer', 'organizer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established by the gateway from a verified access token. */
export interface Identity {
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly Role[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function hasRole(identity: Identity, ...roles: readonly Role[]): boolean {
  return roles.some((role) => identity.roles.includes(role));
}

/** Throws FORBIDDEN unless the caller holds one of the roles. */
export function assertRole(identity: Identity, ...roles: readonly Role[]): void {
  if (!hasRole(identity, ...roles)) throw new AppError('FORBIDDEN', `This needs the ${roles.join(' or ')} role`);
}

/** Throws FORBIDDEN unless the caller is the owner of the resource or an admin. */
export function assertOwnerOrAdmin(identity: Identity, ownerId: string): void {
  if (identity.userId !== ownerId && !hasRole(identity, 'admin')) throw new AppError('FORBIDDEN', 'You may only see your own data');
}
