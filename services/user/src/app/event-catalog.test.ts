import type { Identity } from '@eticket/auth';
import type { CreateEventBody } from '@eticket/contracts';
import { describe, expect, it } from 'vitest';
import { EventCatalog } from './event-catalog';
import { MemoryConsistency, MemoryEvents, MemoryUsers } from './fakes';

const now = new Date('2030-01-01T00:00:00Z');
const body: CreateEventBody = {
  name: 'Concert',
  description: 'Loud',
  date_time: '2030-06-01T19:00:00Z',
  venue: { name: 'Arena', location: 'Chisinau', capacity: 100 },
  total_seats: 80,
  price: 2500,
  currency: 'EUR',
};

async function setup() {
  const users = new MemoryUsers();
  const events = new MemoryEvents();
  const organizerUser = await users.create('org@example.com', 'h', ['buyer', 'organizer']);
  const organizer: Identity = { userId: organizerUser.id, email: organizerUser.email, roles: organizerUser.roles };
  const consistency = new MemoryConsistency();
  return { users, events, organizer, consistency, catalog: new EventCatalog({ events, users, clock: () => now, consistency }) };
}

describe('EventCatalog', () => {
  it('creates an event whose available seats start at its total', async () => {
    const { catalog, organizer } = await setup();
    const event = await catalog.create(organizer, body);
    expect(event).toMatchObject({ name: 'Concert', total_seats: 80, available_seats: 80, price: 2500, currency: 'EUR', organizer_id: organizer.userId, date_time: '2030-06-01T19:00:00.000Z' });
  });

  it('refuses a buyer with FORBIDDEN', async () => {
    const { catalog } = await setup();
    await expect(catalog.create({ userId: 'b', email: 'b@x.y', roles: ['buyer'] }, body)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses an organizer whose role was revoked after their token was issued', async () => {
    const { catalog, organizer, users } = await setup();
    await users.updateRoles(organizer.userId, () => ['buyer']);
    await expect(catalog.create(organizer, body)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses more seats than the venue holds, naming total_seats', async () => {
    const { catalog, organizer } = await setup();
    await expect(catalog.create(organizer, { ...body, total_seats: 101 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'total_seats' }] });
  });

  it('reads from a standby, and for an organizer who just created an event from a server that has it', async () => {
    const { catalog, organizer, events, consistency } = await setup();
    await catalog.list(null, {});
    await catalog.list({ userId: 'b', email: 'b@x.y', roles: ['buyer'] }, {});
    expect(events.reads).toEqual(['replica', 'replica']);
    const created = await catalog.create(organizer, body);
    expect(consistency.writers).toEqual([organizer.userId]);
    await catalog.get(organizer, created.id);
    await catalog.list(organizer, {});
    expect(events.reads.slice(-2)).toEqual([{ atLeastLsn: '0/1' }, { atLeastLsn: '0/1' }]);
  });

  it('finds a brand-new event on the primary when the standby has not replayed it yet', async () => {
    const { catalog, organizer, events } = await setup();
    const created = await catalog.create(organizer, body);
    events.lagging.add(created.id);
    await expect(catalog.get(null, created.id)).resolves.toMatchObject({ id: created.id });
    expect(events.reads.slice(-2)).toEqual(['replica', 'primary']);
  });

  it('answers NOT_FOUND for an unknown event', async () => {
    const { catalog } = await setup();
    await expect(catalog.get(null, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists with default paging and refuses an inverted date range', async () => {
    const { catalog, organizer } = await setup();
    await catalog.create(organizer, body);
    await expect(catalog.list(null, {})).resolves.toMatchObject({ limit: 20, offset: 0, total: 1 });
    await expect(catalog.list(null, { from: '2030-02-01T00:00:00Z', to: '2030-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
