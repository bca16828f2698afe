import type { LoginThrottleStore } from '../app/ports';
import type { ThrottleDecision, ThrottleKey, ThrottleState } from '../domain/login-throttle';
import { query, transaction, type Database } from './db';

interface ThrottleRow {
  attempts: number;
  last_attempt_at: Date;
  locked_until: Date | null;
}

/**
 * The throttle state in PostgreSQL, so every instance counts the same
 * attempts. The row is locked while the domain decides, which makes
 * concurrent attempts for one key count one after another.
 */
export class PgLoginThrottleStore implements LoginThrottleStore {
  constructor(private readonly db: Database) {}

  async decide(key: ThrottleKey, decide: (current: ThrottleState | null) => ThrottleDecision): Promise<ThrottleDecision> {
    return transaction(this.db.write, async (client) => {
      // A placeholder row (epoch = "nothing recent") gives FOR UPDATE something to lock on the first attempt.
      await query(
        client,
        `INSERT INTO login_throttle (email, client_ip, attempts, last_attempt_at) VALUES ($1, $2, 0, 'epoch') ON CONFLICT DO NOTHING`,
        [key.email, key.clientIp],
      );
      const [row] = await query<ThrottleRow>(
        client,
        'SELECT attempts, last_attempt_at, locked_until FROM login_throttle WHERE email = $1 AND client_ip = $2 FOR UPDATE',
        [key.email, key.clientIp],
      );
      const current = row === undefined || row.attempts === 0
        ? null
        : { attempts: row.attempts, lastAttemptAt: row.last_attempt_at, lockedUntil: row.locked_until };
      const decision = decide(current);
      if (decision.allowed) {
        await query(
          client,
          'UPDATE login_throttle SET attempts = $3, last_attempt_at = $4, locked_until = $5 WHERE email = $1 AND client_ip = $2',
          [key.email, key.clientIp, decision.next.attempts, decision.next.lastAttemptAt, decision.next.lockedUntil],
        );
      }
      return decision;
    });
  }

  async reset(key: ThrottleKey): Promise<void> {
    await query(this.db.write, 'DELETE FROM login_throttle WHERE email = $1 AND client_ip = $2', [key.email, key.clientIp]);
  }
}
