import { insertOrders, orderDocuments, pickStatus, seededRandom, type OrderDocuments, type OrderSpec, type PaymentOutcome } from './fixtures';
import { replicated, seedEvents, seedUsers, type Harness, type SeededEvent } from './support';

// A small realistic data set for one test file: buyers, events in three
// currencies, and orders in every status with their payment attempts
// (declined retries, refunds of charges that lost to an expiry).

export interface Seeded {
  readonly users: string[];
  readonly events: SeededEvent[];
  readonly specs: OrderSpec[];
  readonly orders: OrderDocuments[];
}

const DAY_MS = 86_400_000;

export async function seedMarketplace(h: Harness, options: { orders: number; seed: number; days?: number }): Promise<Seeded> {
  const random = seededRandom(options.seed);
  const old = new Date(Date.now() - 10 * DAY_MS);
  const users = await seedUsers(h, 25, old);
  const events = await seedEvents(h, users[0]!, [
    { priceMinor: 2_500, currency: 'EUR', totalSeats: 2_000 },
    { priceMinor: 4_000, currency: 'EUR', totalSeats: 1_000 },
    { priceMinor: 9_900, currency: 'USD', totalSeats: 800 },
    { priceMinor: 15_000, currency: 'MDL', totalSeats: 5_000 },
  ], old);
  await replicated(h, 'users', users);
  await replicated(h, 'events', events.map((event) => event.id));
  const spanMs = (options.days ?? 3) * DAY_MS;
  // Orders end an hour ago at the latest, so every document (an expiry is stamped 10 min after its order) lies in the past.
  const newest = Date.now() - 3_600_000;
  const specs: OrderSpec[] = Array.from({ length: options.orders }, () => {
    const event = events[Math.floor(random() * events.length)]!;
    const status = pickStatus(random);
    const extra: PaymentOutcome[] = random() < 0.15 ? ['failed'] : [];
    if ((status === 'expired' || status === 'cancelled') && random() < 0.2) extra.push('refunded');
    return {
      userId: users[Math.floor(random() * users.length)]!,
      eventId: event.id,
      quantity: 1 + Math.floor(random() * 4),
      unitPriceMinor: event.priceMinor,
      currency: event.currency,
      status,
      createdAt: new Date(newest - Math.floor(random() * spanMs)),
      extraPayments: extra,
    };
  });
  const orders = specs.map(orderDocuments);
  await insertOrders(h.db, orders);
  return { users, events, specs, orders };
}
