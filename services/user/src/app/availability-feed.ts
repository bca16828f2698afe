import type { Logger } from '@eticket/logging';
import { KeyedThrottle } from './keyed-throttle';
import type { NotificationBus, SeatCounts } from './ports';

/**
 * After a seat change on this instance (a reservation committed or
 * released), reads the event's count and publishes it, at most once per
 * interval per event (the latest figure). Receiving instances coalesce
 * again per event, so a burst of sales becomes a few frames a second.
 */
export class AvailabilityFeed {
  private readonly throttle: KeyedThrottle<true>;

  constructor(
    private readonly seats: SeatCounts,
    private readonly bus: NotificationBus,
    private readonly logger: Pick<Logger, 'debug'>,
    intervalMs: number,
  ) {
    this.throttle = new KeyedThrottle(intervalMs, (eventId) => void this.publish(eventId));
  }

  /** The seats of this event changed. */
  eventChanged(eventId: string): void {
    this.throttle.push(eventId, true);
  }

  /** A reservation transaction was committed or released: its event's seats changed. */
  transactionSettled(txId: string): void {
    this.seats.eventOfTransaction(txId).then(
      (eventId) => (eventId === undefined ? undefined : this.eventChanged(eventId)),
      (error: unknown) => this.logger.debug({ err: error, txId }, 'could not find the event of a reservation for an availability update'),
    );
  }

  close(): void {
    this.throttle.close();
  }

  private async publish(eventId: string): Promise<void> {
    try {
      const availableSeats = await this.seats.availableSeats(eventId);
      if (availableSeats !== undefined) await this.bus.publish({ type: 'availability', eventId, availableSeats });
    } catch (error) {
      // A lost update is superseded by the next change; clients also read the count with the event.
      this.logger.debug({ err: error, eventId }, 'could not publish an availability update');
    }
  }
}
