import type { NewNotification, ReminderCandidate, ReminderStore } from '../app/ports';
import type { StoredNotification } from '../domain/notification';
import type { DueReminder } from '../domain/reminders';
import { query, transaction, type Database } from './db';
import { storeNotification } from './notification-repository';

interface CandidateRow {
  user_id: string;
  event_id: string;
  name: string;
  date_time: Date;
}

export class PgReminderStore implements ReminderStore {
  constructor(private readonly db: Database) {}

  async candidates(now: Date, windows: readonly number[], limit: number): Promise<ReminderCandidate[]> {
    const largest = Math.max(...windows);
    // Events in (now, now + largest window], through the (date_time, id) index; then the subscriptions
    // that still miss the claim of a window already open.
    const rows = await query<CandidateRow>(this.db.write, `
      SELECT s.user_id, s.event_id, e.name, e.date_time
        FROM events e JOIN event_subscriptions s ON s.event_id = e.id
       WHERE e.date_time > $1 AND e.date_time <= $1 + make_interval(secs => $2)
         AND EXISTS (SELECT 1 FROM unnest($3::integer[]) AS w(seconds)
                      WHERE e.date_time - make_interval(secs => w.seconds) <= $1
                        AND NOT EXISTS (SELECT 1 FROM reminder_claims c
                                         WHERE c.user_id = s.user_id AND c.event_id = s.event_id AND c.window_seconds = w.seconds))
       ORDER BY e.date_time, s.event_id, s.user_id
       LIMIT $4`, [now, largest, windows, limit]);
    return rows.map((row) => ({ userId: row.user_id, eventId: row.event_id, eventName: row.name, eventAt: row.date_time }));
  }

  async claim(candidate: ReminderCandidate, due: DueReminder, reminder: NewNotification, instance: string): Promise<StoredNotification | undefined> {
    return transaction(this.db.write, async (client) => {
      const claimed = await query<{ window_seconds: number }>(client, `
        INSERT INTO reminder_claims (user_id, event_id, window_seconds, claimed_by)
        SELECT $1, $2, w, $4 FROM unnest($3::integer[]) AS w
        ON CONFLICT DO NOTHING RETURNING window_seconds`, [candidate.userId, candidate.eventId, due.claimed, instance]);
      if (!claimed.some((row) => row.window_seconds === due.sent)) return undefined;
      const stored = await storeNotification(client, reminder);
      return stored.created ? stored.notification : undefined;
    });
  }
}
