import type { EventRepository, Paged, ReadSource } from '../app/ports';
import type { CatalogEvent, EventFilter, NewEvent } from '../domain/event';
import { query, transaction, type Database } from './db';
import type { ReadRouter } from './read-router';
import { EVENT_SELECT, toEvent, type EventRow } from './rows';

/** `%`, `_` and `\` are LIKE wildcards; a search for "50%" means the characters. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

export class PgEventRepository implements EventRepository {
  constructor(private readonly db: Database, private readonly reads: ReadRouter) {}

  async create(event: NewEvent): Promise<CatalogEvent> {
    const id = await transaction(this.db.write, async (client) => {
      // The no-op update makes RETURNING yield the existing venue too.
      const [venue] = await query<{ id: string }>(
        client,
        `INSERT INTO venues (name, location, capacity) VALUES ($1, $2, $3)
         ON CONFLICT ON CONSTRAINT venues_identity DO UPDATE SET name = EXCLUDED.name RETURNING id`,
        [event.venue.name, event.venue.location, event.venue.capacity],
      );
      const [created] = await query<{ id: string }>(
        client,
        `INSERT INTO events (organizer_id, venue_id, name, description, date_time, total_seats, available_seats, price_minor, currency)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8) RETURNING id`,
        [event.organizerId, venue?.id, event.name, event.description, event.dateTime, event.totalSeats, event.priceMinor, event.currency],
      );
      return created?.id;
    });
    const stored = id === undefined ? undefined : await this.findById(id, 'primary');
    if (stored === undefined) throw new Error('the event just created cannot be read back');
    return stored;
  }

  async findById(id: string, source: ReadSource): Promise<CatalogEvent | undefined> {
    const [row] = await this.reads.run(source, (db) => query<EventRow>(db, `${EVENT_SELECT} WHERE e.id = $1`, [id]));
    return row === undefined ? undefined : toEvent(row);
  }

  async list(filter: EventFilter, source: ReadSource): Promise<Paged<CatalogEvent>> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const bind = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (filter.from !== undefined) conditions.push(`e.date_time >= ${bind(filter.from)}`);
    if (filter.to !== undefined) conditions.push(`e.date_time <= ${bind(filter.to)}`);
    // Same expression as events_text_trgm_idx, so the trigram index applies.
    if (filter.text !== undefined) conditions.push(`(e.name || ' ' || e.description) ILIKE ${bind(likePattern(filter.text))}`);
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    const page = `${EVENT_SELECT} ${where} ORDER BY e.date_time, e.id LIMIT ${bind(filter.limit)} OFFSET ${bind(filter.offset)}`;
    const [rows, counted] = await this.reads.run(source, (db) => Promise.all([
      query<EventRow>(db, page, values),
      query<{ total: string }>(db, `SELECT count(*) AS total FROM events e ${where}`, values.slice(0, conditions.length)),
    ]));
    return { items: rows.map(toEvent), total: Number(counted[0]?.total ?? 0) };
  }
}
