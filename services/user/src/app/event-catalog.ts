import { assertRole, hasRole, type Identity } from '@eticket/auth';
import type { CreateEventBody, EventPageView, EventView, ListEventsQuery } from '@eticket/contracts';
import { AppError } from '@eticket/errors';
import { assertValidNewEvent, assertValidRange, type NewEvent } from '../domain/event';
import type { Clock, EventRepository, ReadConsistency, UserRepository } from './ports';
import { toEventView } from './views';

export interface EventCatalogDeps {
  readonly events: EventRepository;
  readonly users: UserRepository;
  readonly clock: Clock;
  /** Standby reads, with read-your-writes for a caller who just wrote. */
  readonly consistency: ReadConsistency;
}

export class EventCatalog {
  constructor(private readonly deps: EventCatalogDeps) {}

  async create(identity: Identity, body: CreateEventBody): Promise<EventView> {
    assertRole(identity, 'organizer', 'admin');
    // The token's roles may be up to one token lifetime old; a revoked organizer must stop at once.
    const current = await this.deps.users.findById(identity.userId, 'primary');
    if (current === undefined || !hasRole({ ...identity, roles: current.roles }, 'organizer', 'admin')) {
      throw new AppError('FORBIDDEN', 'This needs the organizer or admin role');
    }
    const event: NewEvent = {
      name: body.name,
      description: body.description,
      dateTime: new Date(body.date_time),
      venue: { name: body.venue.name, location: body.venue.location, capacity: body.venue.capacity },
      totalSeats: body.total_seats,
      priceMinor: body.price,
      currency: body.currency,
      organizerId: identity.userId,
    };
    assertValidNewEvent(event, this.deps.clock());
    const created = await this.deps.events.create(event);
    await this.deps.consistency.wrote([identity.userId]);
    return toEventView(created);
  }

  async get(identity: Identity | null, id: string): Promise<EventView> {
    const source = await this.deps.consistency.sourceFor(identity?.userId ?? null);
    // A standby that has not replayed a brand-new event (someone else's) yet is asked again on the primary.
    const event = (await this.deps.events.findById(id, source)) ?? (source === 'primary' ? undefined : await this.deps.events.findById(id, 'primary'));
    if (event === undefined) throw new AppError('NOT_FOUND', `No event ${id}`);
    return toEventView(event);
  }

  async list(identity: Identity | null, query: ListEventsQuery): Promise<EventPageView> {
    const from = query.from === undefined ? undefined : new Date(query.from);
    const to = query.to === undefined ? undefined : new Date(query.to);
    assertValidRange(from, to);
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const filter = {
      limit,
      offset,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      ...(query.q === undefined ? {} : { text: query.q }),
    };
    const { items, total } = await this.deps.events.list(filter, await this.deps.consistency.sourceFor(identity?.userId ?? null));
    return { items: items.map(toEventView), limit, offset, total };
  }
}
