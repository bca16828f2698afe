import { Cache, MemoryCacheBackend } from '@eticket/cache';
import { describe, expect, it } from 'vitest';
import { MemoryEvents, MemoryUsers } from '../app/fakes';
import type { NewEvent } from '../domain/event';
import { CachedEventRepository } from './cached-event-repository';
import { CachedUserRepository } from './cached-user-repository';

const newEvent: NewEvent = {
  name: 'Concert',
  description: 'Loud',
  dateTime: new Date('2030-06-01T19:00:00.000Z'),
  venue: { name: 'Arena', location: 'Chisinau', capacity: 100 },
  totalSeats: 80,
  priceMinor: 2_500,
  currency: 'EUR',
  organizerId: '00000000-0000-4000-8000-000000000001',
};

function events() {
  const backend = new MemoryCacheBackend();
  const inner = new MemoryEvents();
  const repository = new CachedEventRepository(inner, new Cache(backend, 'event'), new Cache(backend, 'event-list'));
  return { backend, inner, repository };
}

describe('CachedEventRepository', () => {
  it('serves standby reads of an event from the cache, with its dates intact', async () => {
    const { inner, repository, backend } = events();
    const created = await inner.create(newEvent);
    const first = await repository.findById(created.id, 'replica');
    const second = await repository.findById(created.id, 'replica');
    expect(second).toEqual(created);
    expect(first).toEqual(created);
    expect(second?.dateTime).toBeInstanceOf(Date);
    expect(inner.reads).toEqual(['replica']);
    expect(backend.data.has(`event:${created.id}`)).toBe(true);
  });

  it('sends primary and read-your-writes reads to the database, never the cache', async () => {
    const { inner, repository, backend } = events();
    const created = await inner.create(newEvent);
    await repository.findById(created.id, 'primary');
    await repository.findById(created.id, { atLeastLsn: '0/1' });
    await repository.list({ limit: 10, offset: 0 }, 'primary');
    expect(inner.reads).toEqual(['primary', { atLeastLsn: '0/1' }, 'primary']);
    expect(backend.data.size).toBe(0);
  });

  it('caches a page of the list per query, and a new event retires every cached page at once', async () => {
    const { inner, repository } = events();
    await repository.create(newEvent);
    const page = { limit: 10, offset: 0 };
    expect((await repository.list(page, 'replica')).total).toBe(1);
    expect((await repository.list(page, 'replica')).total).toBe(1);
    expect((await repository.list({ ...page, text: 'loud' }, 'replica')).total).toBe(1);
    expect(inner.reads.filter((source) => source === 'replica')).toHaveLength(2);
    await repository.create({ ...newEvent, name: 'Opera' });
    const after = await repository.list(page, 'replica');
    expect(after.total).toBe(2);
    expect(after.items[0]?.dateTime).toBeInstanceOf(Date);
  });

  it('drops a cached event when it is written, and reads the database while the cache is down', async () => {
    const { inner, repository, backend } = events();
    const created = await repository.create(newEvent);
    await repository.findById(created.id, 'replica');
    await repository.create(newEvent);
    backend.failing = true;
    expect(await repository.findById(created.id, 'replica')).toEqual(created);
    expect((await repository.list({ limit: 10, offset: 0 }, 'replica')).total).toBe(2);
    expect(inner.reads.filter((source) => source === 'replica')).toHaveLength(3);
  });
});

describe('CachedUserRepository', () => {
  it('serves standby reads of a profile from the cache and drops the entry when the roles change', async () => {
    const backend = new MemoryCacheBackend();
    const inner = new MemoryUsers();
    const repository = new CachedUserRepository(inner, new Cache(backend, 'user'));
    const user = await repository.create('ana@example.com', 'plain:x', ['buyer']);
    expect(await repository.findById(user.id, 'replica')).toEqual(user);
    expect(await repository.findById(user.id, 'replica')).toEqual(user);
    expect(inner.reads).toEqual(['replica']);
    await repository.updateRoles(user.id, (roles) => [...roles, 'organizer']);
    expect((await repository.findById(user.id, 'replica'))?.roles).toEqual(['buyer', 'organizer']);
    // Credentials and primary reads never come from the cache.
    expect(await repository.findById(user.id, 'primary')).toMatchObject({ id: user.id });
    expect(inner.reads).toEqual(['replica', 'replica', 'primary']);
  });
});
