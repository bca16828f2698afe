import { MongoClient } from 'mongodb';
import pg from 'pg';
import { sleep } from './load';

// What must hold after every scenario, read from the databases themselves
// (not from the API), for the events the scenario sold:
//  - seats sold (total - available) = seats paid + seats held (orders pending payment);
//  - oversell: seats of committed reservations beyond the event's total, and
//    negative availability (both must be 0);
//  - no prepared transaction left in pg_prepared_xacts (waited for, bounded:
//    the coordinator or the participant's resolver finishes every one);
//  - stuck holds: committed reservations without a pending or paid order,
//    pending or paid orders without their reservation, and orders still
//    `preparing` (no decision) after the settle time.

export interface InvariantReport {
  readonly seatsSold: number;
  readonly seatsPaid: number;
  readonly seatsHeld: number;
  readonly soldEqualsPaidPlusHeld: boolean;
  readonly oversold: number;
  readonly preparedLeft: number;
  readonly stuck: number;
  /** Orders with no decision yet (they hold no committed seats; a prepared one shows in preparedLeft). */
  readonly undecided: number;
}

interface Doc {
  _id: string;
  event_id?: string;
  quantity?: number;
  outcome?: string;
}

export async function checkInvariants(databaseUrl: string, mongoUrl: string, eventIds: readonly string[]): Promise<InvariantReport> {
  const db = new pg.Client({ connectionString: databaseUrl });
  const mongo = new MongoClient(mongoUrl);
  await Promise.all([db.connect(), mongo.connect()]);
  try {
    // Prepared transactions finish within the decision bound plus a sweep (~12 s); wait up to 30 s.
    let preparedLeft = 0;
    for (let waited = 0; waited <= 30_000; waited += 500) {
      preparedLeft = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_prepared_xacts WHERE gid LIKE 'eticket:%'`)).rows[0]?.n ?? 0);
      if (preparedLeft === 0) break;
      await sleep(500);
    }
    const events = new Set(eventIds);
    const orders = (await mongo.db().collection<Doc>('orders').find({}, { projection: { _id: 1, event_id: 1, quantity: 1 } }).toArray()).filter((doc) => events.has(String(doc.event_id)));
    const decisions = new Map((await mongo.db().collection<Doc>('transactions').find({}, { projection: { _id: 1, outcome: 1 } }).toArray()).map((doc) => [doc._id, doc.outcome]));
    const closures = new Map((await mongo.db().collection<Doc>('order_closures').find({}, { projection: { _id: 1, outcome: 1 } }).toArray()).map((doc) => [doc._id, doc.outcome]));
    const reservations = new Map((await db.query<{ transaction_id: string; quantity: number }>(
      `SELECT transaction_id, quantity FROM reservations WHERE state = 'committed' AND event_id = ANY($1::uuid[])`, [eventIds],
    )).rows.map((row) => [row.transaction_id, row.quantity]));
    let seatsPaid = 0;
    let seatsHeld = 0;
    let stuck = 0;
    let undecided = 0;
    for (const order of orders) {
      const decision = decisions.get(order._id);
      const closure = closures.get(order._id);
      const holds = decision === 'commit' && (closure === undefined || closure === 'paid');
      if (decision === undefined) undecided += 1;
      if (holds && closure === 'paid') seatsPaid += order.quantity ?? 0;
      if (holds && closure === undefined) seatsHeld += order.quantity ?? 0;
      if (holds !== reservations.has(order._id)) stuck += 1;
    }
    const orderIds = new Set(orders.map((order) => order._id));
    for (const txId of reservations.keys()) if (!orderIds.has(txId)) stuck += 1;
    let seatsSold = 0;
    let oversold = 0;
    for (const eventId of eventIds) {
      const { rows } = await db.query<{ total: number; available: number; committed: string }>(
        `SELECT e.total_seats AS total, event_available_seats(e.id) AS available,
                (SELECT coalesce(sum(quantity), 0) FROM reservations r WHERE r.event_id = e.id AND r.state = 'committed') AS committed
           FROM events e WHERE e.id = $1`, [eventId],
      );
      const row = rows[0];
      if (row === undefined) continue;
      seatsSold += row.total - row.available;
      oversold += Math.max(0, Number(row.committed) - row.total) + Math.max(0, -row.available);
    }
    return { seatsSold, seatsPaid, seatsHeld, soldEqualsPaidPlusHeld: seatsSold === seatsPaid + seatsHeld, oversold, preparedLeft, stuck, undecided };
  } finally {
    await Promise.all([db.end(), mongo.close()]);
  }
}
