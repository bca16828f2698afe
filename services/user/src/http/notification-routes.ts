import { requireIdentity } from '@eticket/auth';
import { userApi } from '@eticket/contracts';
import type { HttpApp } from '@eticket/service-kit';
import type { NotificationFeed } from '../app/notification-feed';

/** REST history and event subscriptions (docs/notifications.md); each route validates, authenticates and delegates. */
export function registerNotificationRoutes(app: HttpApp, feed: NotificationFeed): void {
  const { listNotifications, subscribeEvent, unsubscribeEvent, listSubscriptions } = userApi;

  app.get(listNotifications.url, { schema: listNotifications.schema }, (request) =>
    feed.history(requireIdentity(request), request.query.after ?? 0, request.query.limit ?? 20));

  app.post(subscribeEvent.url, { schema: subscribeEvent.schema }, async (request, reply) => {
    const { created, view } = await feed.subscribe(requireIdentity(request), request.body.event_id);
    return reply.status(created ? 201 : 200).send(view);
  });

  app.delete(unsubscribeEvent.url, { schema: unsubscribeEvent.schema }, async (request, reply) => {
    await feed.unsubscribe(requireIdentity(request), request.params.event_id);
    return reply.status(204).send(null);
  });

  app.get(listSubscriptions.url, { schema: listSubscriptions.schema }, (request) => feed.listSubscriptions(requireIdentity(request)));
}
