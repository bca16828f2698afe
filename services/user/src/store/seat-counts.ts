import type { SeatCounts } from '../app/ports';
import { isUuid } from '../domain/notification';
import { query, type Database } from './db';

/** Live seat counts from the primary (a standby may not have the reservation that just changed them yet). */
export class PgSeatCounts implements SeatCounts {
  constructor(private readonly db: Database) {}

  async availableSeats(eventId: string): Promise<number | undefined> {
    const [row] = await query<{ n: number | null }>(this.db.write, 'SELECT CASE WHEN EXISTS (SELECT 1 FROM events WHERE id = $1) THEN event_available_seats($1) END AS n', [eventId]);
    return row?.n ?? undefined;
  }

  async eventOfTransaction(txId: string): Promise<string | undefined> {
    if (!isUuid(txId)) return undefined;
    const [row] = await query<{ event_id: string | null }>(this.db.write, 'SELECT event_id FROM reservations WHERE transaction_id = $1', [txId]);
    return row?.event_id ?? undefined;
  }
}
