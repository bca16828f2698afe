import { createHash } from 'node:crypto';
import type { Cache, CachePolicy } from '@eticket/cache';
import type { EventRepository, Paged, ReadSource } from '../app/ports';
import type { CatalogEvent, EventFilter, NewEvent } from '../domain/event';

// Event details and event lists through the shared cache (docs/architecture.md, "What the services cache").

/** An event as stored in the cache: JSON, so its dates travel as ISO strings. */
type CachedEvent = Omit<CatalogEvent, 'dateTime' | 'createdAt'> & { readonly dateTime: string; readonly createdAt: string };

/**
 * Event details: 5 s. The event's own fields change only through writes that
 * invalidate the entry; its available seats change with every sale and are
 * not invalidated (a rush would empty the cache exactly when it helps most):
 * a shown count may be up to 5 s old, which the seat reservation, made on the
 * primary, never relies on. Not-found is not remembered: the catalog asks the
 * primary about an id the standby lacks (a brand-new event), which a
 * remembered "not found" could not spare.
 */
export const EVENT_POLICY: CachePolicy = { ttlSeconds: 5, notFoundTtlSeconds: 0, schemaVersion: 1 };
/** Pages of the list: 5 s, under a generation that every event write replaces. */
export const EVENT_LIST_POLICY: CachePolicy = { ttlSeconds: 5, notFoundTtlSeconds: 0, schemaVersion: 1 };
const LIST_GENERATION = 'all';

const toCached = (event: CatalogEvent): CachedEvent => ({ ...event, dateTime: event.dateTime.toISOString(), createdAt: event.createdAt.toISOString() });
const fromCached = (event: CachedEvent): CatalogEvent => ({ ...event, dateTime: new Date(event.dateTime), createdAt: new Date(event.createdAt) });

/** One cache key per distinct query; hashed, since the search text is free-form. */
function listKey(generation: string, filter: EventFilter): string {
  const query = JSON.stringify([filter.from?.toISOString() ?? null, filter.to?.toISOString() ?? null, filter.text ?? null, filter.limit, filter.offset]);
  return `${generation}:${createHash('sha256').update(query).digest('base64url')}`;
}

/**
 * The event repository with cache-aside in front of the reads that may go to
 * a standby (`replica`): a standby is allowed to be a little behind, and so
 * is the cache. Reads that must see the caller's own write (`atLeastLsn`)
 * or the latest state (`primary`, e.g. the gRPC directory that prices
 * orders) go to the database, never the cache. Writes go to the database
 * first, then invalidate: the event's entry is deleted and the list
 * generation replaced (each again about a second later, see Cache).
 */
export class CachedEventRepository implements EventRepository {
  constructor(private readonly inner: EventRepository, private readonly events: Cache, private readonly lists: Cache) {}

  async create(event: NewEvent): Promise<CatalogEvent> {
    const created = await this.inner.create(event);
    await Promise.all([this.events.invalidate(created.id), this.lists.bumpGeneration(LIST_GENERATION, EVENT_LIST_POLICY.ttlSeconds)]);
    return created;
  }

  async findById(id: string, source: ReadSource): Promise<CatalogEvent | undefined> {
    if (source !== 'replica') return this.inner.findById(id, source);
    const cached = await this.events.getOrLoad(id, EVENT_POLICY, async () => {
      const event = await this.inner.findById(id, source);
      return event === undefined ? undefined : toCached(event);
    });
    return cached === undefined ? undefined : fromCached(cached);
  }

  async list(filter: EventFilter, source: ReadSource): Promise<Paged<CatalogEvent>> {
    if (source !== 'replica') return this.inner.list(filter, source);
    const generation = await this.lists.generation(LIST_GENERATION);
    if (generation === undefined) return this.inner.list(filter, source);
    const page = await this.lists.getOrLoad(listKey(generation, filter), EVENT_LIST_POLICY, async () => {
      const loaded = await this.inner.list(filter, source);
      return { items: loaded.items.map(toCached), total: loaded.total };
    });
    // The loader never answers "not found"; undefined only if a corrupt entry slipped through: read the database.
    if (page === undefined) return this.inner.list(filter, source);
    return { items: page.items.map(fromCached), total: page.total };
  }
}
