import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { issueAccessToken, type Identity } from '@eticket/auth';
import pg from 'pg';

// Seed data: buyer accounts straight in PostgreSQL (tens of thousands of
// registrations through the API would spend minutes on argon2, which is not
// what is measured; the rows are what registration writes, with one real
// hash), an organizer, and events created through the gateway.

export interface Buyer {
  readonly userId: string;
  readonly token: string;
}

/** Buyer accounts and their access tokens (signed with the stack's JWT secret, as login would). */
export class Buyers {
  private readonly tokens = new Map<number, Promise<string>>();

  private constructor(private readonly ids: readonly string[], private readonly jwtSecret: string) {}

  static async seed(databaseUrl: string, count: number, jwtSecret: string): Promise<Buyers> {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const passwordHash = await hash('bench buyer password 1');
      const run = randomUUID().slice(0, 8);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO users (email, password_hash) SELECT 'buyer-' || $1 || '-' || n || '@bench.test', $2 FROM generate_series(1, $3) AS n RETURNING id`,
        [run, passwordHash, count],
      );
      const buyers = new Buyers(rows.map((row) => row.id), jwtSecret);
      // Every token now, before any scenario: buyers log in before an on-sale opens, and minting
      // (jose, ~0.2 ms) inside a run would bill the load generator's CPU to the system's figures.
      for (let from = 0; from < count; from += 1_000) await Promise.all(Array.from({ length: Math.min(1_000, count - from) }, (_, i) => buyers.get(from + i)));
      return buyers;
    } finally {
      await db.end();
    }
  }

  get size(): number {
    return this.ids.length;
  }

  /** Buyer `i` (modulo the number seeded); tokens are minted on first use (seed() mints them all). */
  async get(i: number): Promise<Buyer> {
    const index = i % this.ids.length;
    const userId = this.ids[index]!;
    let token = this.tokens.get(index);
    if (token === undefined) {
      const identity: Identity = { userId, email: `buyer-${index}@bench.test`, roles: ['buyer'] };
      token = issueAccessToken(identity, this.jwtSecret, 3_600).then((issued) => issued.token);
      this.tokens.set(index, token);
    }
    return { userId, token: await token };
  }
}

/** An organizer account (inserted with the role; createEvent re-reads roles from the database) and its token. */
export async function organizerToken(databaseUrl: string, jwtSecret: string): Promise<string> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const email = `organizer-${randomUUID().slice(0, 8)}@bench.test`;
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO users (email, password_hash, roles) VALUES ($1, $2, ARRAY['buyer', 'organizer']) RETURNING id`,
      [email, await hash('bench organizer password 1')],
    );
    return (await issueAccessToken({ userId: rows[0]!.id, email, roles: ['buyer', 'organizer'] }, jwtSecret, 3_600)).token;
  } finally {
    await db.end();
  }
}

/** A new event with `seats` seats, created through the gateway; its id. */
export async function createEvent(gatewayUrl: string, token: string, seats: number, name: string): Promise<string> {
  const response = await fetch(`${gatewayUrl}/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}` },
    body: JSON.stringify({
      name: `${name} ${randomUUID().slice(0, 6)}`,
      description: 'on-sale benchmark',
      date_time: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      venue: { name: 'Bench Arena', location: 'Localhost', capacity: seats },
      total_seats: seats,
      price: 4_900,
      currency: 'EUR',
    }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || body.id === undefined) throw new Error(`creating an event failed: ${response.status} ${JSON.stringify(body)}`);
  return body.id;
}
