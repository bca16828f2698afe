import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, eventBody, startUserService, type TestUserService } from './support';

let user: TestUserService;
let organizer: Identity;
let buyer: Identity;

beforeAll(async () => {
  user = await startUserService();
  [organizer, buyer] = await Promise.all([createUser(user, ['buyer', 'organizer']), createUser(user)]);
});

afterAll(async () => {
  await user.close();
});

async function create(body: Record<string, unknown>, who: Identity = organizer) {
  return user.service.http.inject({ method: 'POST', url: '/event', payload: body, headers: await user.as(who) });
}

type Page = { items: { id: string; name: string; date_time: string }[]; total: number; limit: number; offset: number };

async function list(search: string, who?: Identity): Promise<Page> {
  const response = await user.service.http.inject({ method: 'GET', url: `/event?${search}`, headers: who === undefined ? {} : await user.as(who) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
}

describe('events against PostgreSQL', () => {
  it('creates an event with available seats equal to total seats and reads it back, also anonymously', async () => {
    const response = await create(eventBody({ name: `Opening ${randomUUID()}` }));
    expect(response.statusCode).toBe(201);
    const event = response.json<{ id: string; venue: { id: string } }>();
    expect(event).toMatchObject({ total_seats: 800, available_seats: 800, price: 25_000, currency: 'MDL', organizer_id: organizer.userId, venue: { capacity: 1_000 } });
    const read = await user.service.http.inject({ method: 'GET', url: `/event/${event.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(event);
  });

  it('reuses a venue with the same name, location and capacity', async () => {
    const venue = { name: `Hall ${randomUUID()}`, location: 'Balti', capacity: 300 };
    const first = (await create(eventBody({ venue, total_seats: 100 }))).json<{ venue: { id: string } }>();
    const second = (await create(eventBody({ venue, total_seats: 200 }, 40))).json<{ venue: { id: string } }>();
    expect(second.venue.id).toBe(first.venue.id);
  });

  it('filters by date range and text, case-insensitively, and pages in start order', async () => {
    const tag = `tag${randomUUID().slice(0, 8)}`;
    for (const [days, name] of [[10, `Rock ${tag} one`], [20, `ROCK ${tag} two`], [30, `Jazz ${tag} three`], [40, `rock ${tag} four`]] as const) {
      expect((await create(eventBody({ name }, days))).statusCode).toBe(201);
    }
    // Read as their writer: anonymous reads come from a standby that may not have replayed the last insert yet.
    const all = await list(`q=${tag}`, organizer);
    expect(all.items.map((event) => event.name)).toEqual([`Rock ${tag} one`, `ROCK ${tag} two`, `Jazz ${tag} three`, `rock ${tag} four`]);
    const rock = await list(`q=${encodeURIComponent(`rock ${tag}`)}`, organizer);
    expect(rock.total).toBe(3);
    const from = new Date(Date.now() + 15 * 86_400_000).toISOString();
    const to = new Date(Date.now() + 35 * 86_400_000).toISOString();
    const ranged = await list(`q=${tag}&from=${from}&to=${to}`, organizer);
    expect(ranged.items.map((event) => event.name)).toEqual([`ROCK ${tag} two`, `Jazz ${tag} three`]);
    const second = await list(`q=${tag}&limit=1&offset=1`, organizer);
    expect(second).toMatchObject({ total: 4, limit: 1, offset: 1, items: [{ name: `ROCK ${tag} two` }] });
  });

  it('treats injection strings in free text as data: stored verbatim, searched literally', async () => {
    const tag = randomUUID().slice(0, 8);
    const name = `'; DROP TABLE events; -- <script>alert(1)</script> ${tag}`;
    const created = await create(eventBody({ name, description: '50% off_now \\ "quoted"' }));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name, description: '50% off_now \\ "quoted"' });
    expect((await list(`q=${encodeURIComponent(`DROP TABLE events; -- <script>alert(1)</script> ${tag}`)}`, organizer)).total).toBe(1);
    expect((await list(`q=${encodeURIComponent('\' OR \'1\'=\'1')}`)).total).toBe(0);
    // `%` and `_` are characters, not wildcards: "5_%" must not match "50% off".
    expect((await list(`q=${encodeURIComponent(`${tag}%`)}`)).total).toBe(0);
  });

  it('shows an organizer their brand-new event immediately (read-your-writes: a standby that has replayed it, or the primary)', async () => {
    const tag = randomUUID();
    await create(eventBody({ name: `Fresh ${tag}` }));
    expect((await list(`q=${tag}`, organizer)).total).toBe(1);
  });

  it('stops an organizer whose role was revoked, even with an assertion that still says organizer', async () => {
    const revoked = await createUser(user, ['buyer', 'organizer']);
    const admin = await user.as({ userId: randomUUID(), email: 'a@example.test', roles: ['admin'] });
    await user.service.http.inject({ method: 'DELETE', url: `/user/${revoked.userId}/roles/organizer`, headers: admin });
    const response = await create(eventBody(), revoked);
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a buyer and an anonymous caller', async () => {
    expect((await create(eventBody(), buyer)).statusCode).toBe(403);
    expect((await user.service.http.inject({ method: 'POST', url: '/event', payload: eventBody() })).statusCode).toBe(401);
  });
});
