import { AppError } from '@eticket/errors';
import type { Subscription, SubscriptionRepository } from '../app/ports';
import { isForeignKeyViolation, query, type Database } from './db';

interface SubscriptionRow {
  event_id: string;
  subscribed_at: Date;
}

const MAX_SUBSCRIPTIONS_LISTED = 1_000;

export class PgSubscriptionRepository implements SubscriptionRepository {
  constructor(private readonly db: Database) {}

  async subscribe(userId: string, eventId: string): Promise<Subscription & { readonly created: boolean }> {
    try {
      const [inserted] = await query<SubscriptionRow>(this.db.write,
        'INSERT INTO event_subscriptions (user_id, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id, subscribed_at', [userId, eventId]);
      if (inserted !== undefined) return { eventId: inserted.event_id, subscribedAt: inserted.subscribed_at, created: true };
      const [existing] = await query<SubscriptionRow>(this.db.write, 'SELECT event_id, subscribed_at FROM event_subscriptions WHERE user_id = $1 AND event_id = $2', [userId, eventId]);
      // Unsubscribed between the two statements: as good as subscribing again.
      if (existing === undefined) return this.subscribe(userId, eventId);
      return { eventId: existing.event_id, subscribedAt: existing.subscribed_at, created: false };
    } catch (error) {
      // The event (or, if deleted meanwhile, the user) does not exist.
      if (isForeignKeyViolation(error)) throw new AppError('NOT_FOUND', `No event ${eventId}`);
      throw error;
    }
  }

  async unsubscribe(userId: string, eventId: string): Promise<void> {
    await query(this.db.write, 'DELETE FROM event_subscriptions WHERE user_id = $1 AND event_id = $2', [userId, eventId]);
  }

  async list(userId: string): Promise<Subscription[]> {
    const rows = await query<SubscriptionRow>(this.db.write,
      'SELECT event_id, subscribed_at FROM event_subscriptions WHERE user_id = $1 ORDER BY subscribed_at, event_id LIMIT $2', [userId, MAX_SUBSCRIPTIONS_LISTED]);
    return rows.map((row) => ({ eventId: row.event_id, subscribedAt: row.subscribed_at }));
  }
}
