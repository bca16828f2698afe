import type { Logger } from '@eticket/logging';
import { dueReminder, reminderMessage, type ReminderWindows } from '../domain/reminders';
import type { NotificationFeed } from './notification-feed';
import type { ReminderStore } from './ports';

export interface ReminderSettings {
  readonly windows: ReminderWindows;
  readonly batch: number;
  readonly instance: string;
}

export interface ReminderReport {
  readonly candidates: number;
  readonly sent: number;
}

/**
 * Event reminders. Every instance scans; each due (subscription, window) is
 * claimed with a unique row in the same transaction that stores the
 * reminder, so it is sent exactly once whatever the number of instances,
 * their timing or their restarts. A crash before the commit leaves neither
 * the claim nor the reminder: the next scan sends it.
 */
export class ReminderScheduler {
  constructor(
    private readonly store: ReminderStore,
    private readonly feed: NotificationFeed,
    private readonly clock: () => Date,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    private readonly settings: ReminderSettings,
  ) {}

  async scan(): Promise<ReminderReport> {
    const now = this.clock();
    const candidates = await this.store.candidates(now, this.settings.windows, this.settings.batch);
    let sent = 0;
    for (const candidate of candidates) {
      const due = dueReminder(candidate.eventAt, now, this.settings.windows);
      if (due === undefined) continue;
      const stored = await this.store.claim(candidate, due, {
        userId: candidate.userId,
        kind: 'event_reminder',
        message: reminderMessage(candidate.eventName, candidate.eventAt, due.sent),
        orderId: null,
        eventId: candidate.eventId,
        dedupeKey: `event_reminder:${candidate.eventId}:${due.sent}`,
      }, this.settings.instance);
      if (stored === undefined) continue;
      sent += 1;
      await this.feed.published(stored);
    }
    if (sent > 0) this.logger.info({ sent, candidates: candidates.length }, 'event reminders sent');
    return { candidates: candidates.length, sent };
  }
}
