import { AppError } from '@eticket/errors';
import type { NewNotification, NotificationRepository, StoreOutcome } from '../app/ports';
import type { StoredNotification } from '../domain/notification';
import { isForeignKeyViolation, query, transaction, type Database, type Queryable } from './db';

interface NotificationRow {
  id: string;
  user_id: string;
  seq: string;
  kind: string;
  message: string;
  order_id: string | null;
  event_id: string | null;
  created_at: Date;
}

const COLUMNS = 'id, user_id, seq, kind, message, order_id, event_id, created_at';

function toNotification(row: NotificationRow): StoredNotification {
  return {
    userId: row.user_id,
    // bigint arrives as text; a user's count stays far below 2^53.
    id: Number(row.seq),
    kind: row.kind,
    message: row.message,
    orderId: row.order_id,
    eventId: row.event_id,
    createdAt: row.created_at,
  };
}

/**
 * Stores a notification with the user's next number inside the caller's
 * transaction. The counter row is locked first (upsert), so one user's
 * notifications are numbered one at a time, a number becomes visible only
 * with its commit (a reader never sees N+1 without N), and the dedupe check
 * that follows cannot race with a retry of the same send.
 */
export async function storeNotification(client: Queryable, notification: NewNotification): Promise<StoreOutcome> {
  const { userId, kind, message, orderId, eventId, dedupeKey } = notification;
  await query(client, `INSERT INTO notification_counters (user_id, last_seq) VALUES ($1, 0)
    ON CONFLICT (user_id) DO UPDATE SET last_seq = notification_counters.last_seq`, [userId]);
  if (dedupeKey !== null) {
    const [existing] = await query<NotificationRow>(client, `SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 AND dedupe_key = $2`, [userId, dedupeKey]);
    if (existing !== undefined) return { notification: toNotification(existing), key: existing.id, created: false };
  }
  const [counter] = await query<{ last_seq: string }>(client, 'UPDATE notification_counters SET last_seq = last_seq + 1 WHERE user_id = $1 RETURNING last_seq', [userId]);
  if (counter === undefined) throw new Error('notification counter vanished');
  const [row] = await query<NotificationRow>(
    client,
    `INSERT INTO notifications (user_id, seq, kind, message, order_id, event_id, dedupe_key) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [userId, counter.last_seq, kind, message, orderId, eventId, dedupeKey],
  );
  if (row === undefined) throw new Error('notification insert returned nothing');
  return { notification: toNotification(row), key: row.id, created: true };
}

export class PgNotificationRepository implements NotificationRepository {
  constructor(private readonly db: Database) {}

  async store(notification: NewNotification): Promise<StoreOutcome> {
    try {
      return await transaction(this.db.write, (client) => storeNotification(client, notification));
    } catch (error) {
      if (isForeignKeyViolation(error)) throw new AppError('NOT_FOUND', `No user ${notification.userId}`);
      throw error;
    }
  }

  async after(userId: string, after: number, limit: number): Promise<StoredNotification[]> {
    const rows = await query<NotificationRow>(this.db.write, `SELECT ${COLUMNS} FROM notifications WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [userId, after, limit]);
    return rows.map(toNotification);
  }

  async latestId(userId: string): Promise<number> {
    const [row] = await query<{ last_seq: string }>(this.db.write, 'SELECT last_seq FROM notification_counters WHERE user_id = $1', [userId]);
    return row === undefined ? 0 : Number(row.last_seq);
  }
}
