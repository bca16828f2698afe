import type { EventRecord } from '@eticket/contracts/generated/eticket/user/v1/EventRecord';
import type { UserRecord } from '@eticket/contracts/generated/eticket/user/v1/UserRecord';
import { AppError } from '@eticket/errors';
import { assertUuid } from '../domain/notification';
import type { EventRepository, UserRepository } from './ports';

/**
 * What other services ask the User Service over gRPC. Reads go to the
 * primary: the Ticket Order Service prices and places orders from them.
 */
export class Directory {
  constructor(private readonly deps: { readonly users: UserRepository; readonly events: EventRepository }) {}

  async getUser(userId: string): Promise<UserRecord> {
    assertUuid(userId, 'user_id');
    const user = await this.deps.users.findById(userId, 'primary');
    if (user === undefined) throw new AppError('NOT_FOUND', `No user ${userId}`);
    return { id: user.id, email: user.email, roles: [...user.roles] };
  }

  async getEvent(eventId: string): Promise<EventRecord> {
    assertUuid(eventId, 'event_id');
    const event = await this.deps.events.findById(eventId, 'primary');
    if (event === undefined) throw new AppError('NOT_FOUND', `No event ${eventId}`);
    return {
      id: event.id,
      name: event.name,
      date_time: event.dateTime.toISOString(),
      price_minor: String(event.priceMinor),
      currency: event.currency,
      total_seats: event.totalSeats,
      available_seats: event.availableSeats,
      organizer_id: event.organizerId,
    };
  }
}
