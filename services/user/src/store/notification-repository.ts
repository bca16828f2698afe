import { AppError } from '@eticket/errors';
import type { NewNotification, NotificationRepository } from '../app/ports';
import { isForeignKeyViolation, query, type Database } from './db';

export class PgNotificationRepository implements NotificationRepository {
  constructor(private readonly db: Database) {}

  async store(notification: NewNotification): Promise<string> {
    const { userId, kind, message, orderId, dedupeKey } = notification;
    try {
      const [inserted] = await query<{ id: string }>(
        this.db.write,
        `INSERT INTO notifications (user_id, kind, message, order_id, dedupe_key) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT notifications_dedupe DO NOTHING RETURNING id`,
        [userId, kind, message, orderId, dedupeKey],
      );
      if (inserted !== undefined) return inserted.id;
      // A retry of a send we already stored: answer with the first one's id.
      const [existing] = await query<{ id: string }>(this.db.write, 'SELECT id FROM notifications WHERE user_id = $1 AND dedupe_key = $2', [userId, dedupeKey]);
      if (existing === undefined) throw new Error('deduplicated notification vanished');
      return existing.id;
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new AppError('NOT_FOUND', `No user ${userId}`);
      throw error;
    }
  }
}
