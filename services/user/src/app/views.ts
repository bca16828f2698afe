import type { EventView, UserView } from '@eticket/contracts';
import type { CatalogEvent } from '../domain/event';
import type { User } from '../domain/user';

// Domain objects as the public JSON (snake_case, ISO dates). Mapping field by
// field means a property added to the domain never leaks by accident.

export function toUserView(user: User): UserView {
  return { id: user.id, email: user.email, roles: [...user.roles], created_at: user.createdAt.toISOString() };
}

export function toEventView(event: CatalogEvent): EventView {
  return {
    id: event.id,
    name: event.name,
    description: event.description,
    date_time: event.dateTime.toISOString(),
    venue: { id: event.venue.id, name: event.venue.name, location: event.venue.location, capacity: event.venue.capacity },
    total_seats: event.totalSeats,
    available_seats: event.availableSeats,
    price: event.priceMinor,
    currency: event.currency,
    organizer_id: event.organizerId,
    created_at: event.createdAt.toISOString(),
  };
}
