import { requireIdentity } from '@eticket/auth';
import { userApi } from '@eticket/contracts';
import type { HttpApp } from '@eticket/service-kit';
import type { EventCatalog } from '../app/event-catalog';

/** The `/event*` routes; anyone may read, organizers and admins may create. */
export function registerEventRoutes(app: HttpApp, catalog: EventCatalog): void {
  const { createEvent, listEvents, getEvent } = userApi;

  app.post(createEvent.url, { schema: createEvent.schema }, async (request, reply) =>
    reply.status(201).send(await catalog.create(requireIdentity(request), request.body)));

  app.get(listEvents.url, { schema: listEvents.schema }, (request) => catalog.list(request.identity, request.query));

  app.get(getEvent.url, { schema: getEvent.schema }, (request) => catalog.get(request.identity, request.params.id));
}
