import { isRole, type Role } from '@eticket/auth';
import type { CatalogEvent } from '../domain/event';
import type { User } from '../domain/user';

// Row shapes and their mapping to domain objects, shared by the repositories.

export interface UserRow {
  id: string;
  email: string;
  roles: string[];
  created_at: Date;
}

export const USER_COLUMNS = 'id, email, roles, created_at';

export function toUser(row: UserRow): User {
  // The CHECK constraint keeps roles to the known set; the filter only satisfies the type.
  const roles: Role[] = row.roles.filter(isRole);
  return { id: row.id, email: row.email, roles, createdAt: row.created_at };
}

export interface EventRow {
  id: string;
  name: string;
  description: string;
  date_time: Date;
  total_seats: number;
  available_seats: number;
  /** bigint arrives as text; prices stay far below 2^53 (see MAX_PRICE_MINOR). */
  price_minor: string;
  currency: string;
  organizer_id: string;
  created_at: Date;
  venue_id: string;
  venue_name: string;
  venue_location: string;
  venue_capacity: number;
}

// available_seats is the live sum of the event's seat buckets (migration 1001, docs/seat-inventory.md).
export const EVENT_SELECT = `
  SELECT e.id, e.name, e.description, e.date_time, e.total_seats, event_available_seats(e.id) AS available_seats, e.price_minor, e.currency,
         e.organizer_id, e.created_at, v.id AS venue_id, v.name AS venue_name, v.location AS venue_location, v.capacity AS venue_capacity
    FROM events e JOIN venues v ON v.id = e.venue_id`;

export function toEvent(row: EventRow): CatalogEvent {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    dateTime: row.date_time,
    venue: { id: row.venue_id, name: row.venue_name, location: row.venue_location, capacity: row.venue_capacity },
    totalSeats: row.total_seats,
    availableSeats: row.available_seats,
    priceMinor: Number(row.price_minor),
    currency: row.currency,
    organizerId: row.organizer_id,
    createdAt: row.created_at,
  };
}
