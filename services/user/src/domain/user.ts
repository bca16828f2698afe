import type { Role } from '@eticket/auth';

/** A registered account. The password hash never leaves the store and the login use-case. */
export interface User {
  readonly id: string;
  readonly email: string;
  readonly roles: readonly Role[];
  readonly createdAt: Date;
}

export interface UserCredentials extends User {
  readonly passwordHash: string;
}

/** Everyone who registers is a buyer; organizer and admin are granted. */
export const DEFAULT_ROLES: readonly Role[] = ['buyer'];

/** Roles an admin may grant or revoke through the API; admin itself is only bootstrapped. */
export const GRANTABLE_ROLES: readonly Role[] = ['organizer'];

/**
 * One spelling per address, so uniqueness and login are case-insensitive:
 * trimmed, Unicode NFC and lower case. (Local parts are case-sensitive in
 * theory; no real provider treats them so, and two accounts differing only in
 * case are a phishing gift.)
 */
export function normaliseEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

/** Roles in a stable order, without duplicates. */
export function withRole(roles: readonly Role[], role: Role): Role[] {
  const order: readonly Role[] = ['buyer', 'organizer', 'admin'];
  return order.filter((candidate) => candidate === role || roles.includes(candidate));
}

export function withoutRole(roles: readonly Role[], role: Role): Role[] {
  return roles.filter((candidate) => candidate !== role);
}
