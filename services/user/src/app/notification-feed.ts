import type { Identity } from '@eticket/auth';
import { AppError } from '@eticket/errors';
import type { Logger } from '@eticket/logging';
import { assertUuid, assertValidNotification, notificationView, type NotificationRequest, type NotificationView, type StoredNotification } from '../domain/notification';
import type { BusMessage, EventRepository, NewNotification, NotificationBus, NotificationRepository, StoreOutcome, SubscriptionRepository } from './ports';

export interface SubscriptionView {
  readonly event_id: string;
  readonly subscribed_at: string;
}

export interface NotificationPage {
  readonly items: NotificationView[];
  readonly next_after: number | null;
}

export interface NotificationFeedDeps {
  readonly notifications: NotificationRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly events: EventRepository;
  readonly bus: NotificationBus;
  readonly logger: Pick<Logger, 'warn'>;
}

/**
 * Notifications and subscriptions: stored in PostgreSQL (the record), then
 * published on the bus so whichever instance holds the user's WebSocket
 * delivers them. A failed publish loses nothing: the client's connection
 * fills the gap on the next notification, or replays on reconnect.
 */
export class NotificationFeed {
  constructor(private readonly deps: NotificationFeedDeps) {}

  /** From another service (gRPC Notifications.Send); a retried send with the same dedupe key is stored and delivered once. */
  async send(request: NotificationRequest & { readonly eventId?: string }): Promise<StoreOutcome> {
    assertValidNotification(request);
    const eventId = request.eventId ?? '';
    if (eventId !== '') assertUuid(eventId, 'event_id');
    const outcome = await this.deps.notifications.store({
      userId: request.userId,
      kind: request.kind,
      message: request.message,
      orderId: request.orderId === '' ? null : request.orderId,
      eventId: eventId === '' ? null : eventId,
      dedupeKey: request.dedupeKey === '' ? null : request.dedupeKey,
    });
    if (outcome.created) await this.published(outcome.notification);
    return outcome;
  }

  /** Publishes a notification stored elsewhere (e.g. a reminder stored with its claim). */
  async published(notification: StoredNotification): Promise<void> {
    await this.publish({ type: 'notification', userId: notification.userId, notification: notificationView(notification) });
  }

  async history(identity: Identity, after: number, limit: number): Promise<NotificationPage> {
    const rows = await this.deps.notifications.after(identity.userId, after, limit);
    const items = rows.map(notificationView);
    return { items, next_after: items.length === limit ? (items.at(-1)?.id ?? null) : null };
  }

  async subscribe(identity: Identity, eventId: string): Promise<{ created: boolean; view: SubscriptionView }> {
    const event = await this.deps.events.findById(eventId, 'primary');
    if (event === undefined) throw new AppError('NOT_FOUND', `No event ${eventId}`);
    const subscription = await this.deps.subscriptions.subscribe(identity.userId, eventId);
    if (subscription.created) await this.publish({ type: 'subscription', userId: identity.userId, eventId, subscribed: true });
    return { created: subscription.created, view: { event_id: subscription.eventId, subscribed_at: subscription.subscribedAt.toISOString() } };
  }

  async unsubscribe(identity: Identity, eventId: string): Promise<void> {
    await this.deps.subscriptions.unsubscribe(identity.userId, eventId);
    await this.publish({ type: 'subscription', userId: identity.userId, eventId, subscribed: false });
  }

  async listSubscriptions(identity: Identity): Promise<{ items: SubscriptionView[] }> {
    const rows = await this.deps.subscriptions.list(identity.userId);
    return { items: rows.map((row) => ({ event_id: row.eventId, subscribed_at: row.subscribedAt.toISOString() })) };
  }

  private async publish(message: BusMessage): Promise<void> {
    try {
      await this.deps.bus.publish(message);
    } catch (error) {
      this.deps.logger.warn({ err: error, type: message.type }, 'could not publish on the notification bus; clients catch up from PostgreSQL');
    }
  }
}

export type { NewNotification };
