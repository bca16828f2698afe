import type { Role } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import type { Paged, ReadSource, UserRepository } from '../app/ports';
import type { User, UserCredentials } from '../domain/user';
import { isUniqueViolation, query, transaction, type Database } from './db';
import type { ReadRouter } from './read-router';
import { toUser, USER_COLUMNS, type UserRow } from './rows';

export class PgUserRepository implements UserRepository {
  constructor(private readonly db: Database, private readonly reads: ReadRouter) {}

  async create(email: string, passwordHash: string, roles: readonly Role[]): Promise<User> {
    try {
      const [row] = await query<UserRow>(this.db.write, `INSERT INTO users (email, password_hash, roles) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`, [email, passwordHash, roles]);
      if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
      return toUser(row);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists', { fields: [{ field: 'email', message: 'is already registered' }] });
      throw error;
    }
  }

  async findCredentials(email: string): Promise<UserCredentials | undefined> {
    // Login reads the primary: a password or role change must count at once.
    const [row] = await query<UserRow & { password_hash: string }>(this.db.write, `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
    return row === undefined ? undefined : { ...toUser(row), passwordHash: row.password_hash };
  }

  async findById(id: string, source: ReadSource): Promise<User | undefined> {
    const [row] = await this.reads.run(source, (db) => query<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]));
    return row === undefined ? undefined : toUser(row);
  }

  async list(limit: number, offset: number, source: ReadSource): Promise<Paged<User>> {
    const [rows, counted] = await this.reads.run(source, (db) => Promise.all([
      query<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, id LIMIT $1 OFFSET $2`, [limit, offset]),
      query<{ total: string }>(db, 'SELECT count(*) AS total FROM users'),
    ]));
    return { items: rows.map(toUser), total: Number(counted[0]?.total ?? 0) };
  }

  async updateRoles(id: string, change: (current: readonly Role[]) => readonly Role[]): Promise<User | undefined> {
    return transaction(this.db.write, async (client) => {
      const [current] = await query<UserRow>(client, `SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [id]);
      if (current === undefined) return undefined;
      const roles = change(toUser(current).roles);
      const [updated] = await query<UserRow>(client, `UPDATE users SET roles = $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`, [id, roles]);
      return updated === undefined ? undefined : toUser(updated);
    });
  }
}
