import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep, type Client } from './load';
import type { Buyers } from './seed';

/** A 202 that came back sooner than this was not held: the buyer waits at least MIN_POLL_MS before asking again. */
const HELD_AT_LEAST_MS = 50;
/** Asks are never closer than this. */
const MIN_POLL_MS = 100;
/** The longest a POST /order asks to be held in the waiting room (Prefer: wait=N), s. */
const PREFERRED_WAIT_S = 20;

/**
 * One buyer, as the web UI behaves: POST /order with `Prefer: wait=20`, so
 * that when the waiting room queues them near the head the gateway holds the
 * request until they are admitted and then places the order in the same
 * request (a buyer still held at the scenario's end leaves, counted as
 * abandoned). A 202 after a hold means "still queued, ask again at once"; a
 * 202 at once, far back in the line, says when to come back
 * (`poll_after_ms`): the buyer waits that long and asks again the same way
 * (their place is kept), or leaves if that is after the scenario's end. When
 * the order is confirmed (201), pay it. Recorded kinds: `order` (every POST
 * /order the room let through, its latency less the time held in the queue),
 * `order-queued` (202s), `payment`.
 */
export async function buyerSession(client: Client, buyers: Buyers, buyerIndex: number, eventId: string, endsAt: number, pay: boolean): Promise<void> {
  const recorder = client.recorder;
  const buyer = await buyers.get(buyerIndex);
  const key = randomUUID();
  const arrived = performance.now();
  // A 202 is the room's answer, not an order's: filed apart.
  const kind = (status: number) => (status === 202 ? 'order-queued' : 'order');
  // At the run's end the buyers still held leave (Client.leave), as they would give up, instead of every
  // hold ending with the run (load.ts says why).
  const place = () => client.call(kind, 'POST', '/order', buyer.token, { event_id: eventId, quantity: 1 }, key, { held: true, headers: { prefer: `wait=${PREFERRED_WAIT_S}` } });
  let sent = performance.now();
  let answer = await place();
  let queued = answer.queuedMs > 0;
  while (answer.status === 202) {
    queued = true;
    const comeBackMs = Number(answer.body.poll_after_ms) || 0;
    const waitMs = performance.now() - sent < HELD_AT_LEAST_MS ? Math.max(MIN_POLL_MS, comeBackMs) : comeBackMs;
    if (endsAt - performance.now() - waitMs < 1_000) {
      recorder.abandoned += 1;
      return;
    }
    await sleep(waitMs);
    sent = performance.now();
    answer = await place();
  }
  if (answer.status === -1) {
    recorder.abandoned += 1;
    return;
  }
  if (queued) recorder.queueWaits.push(performance.now() - arrived);
  if (answer.status !== 201) return;
  recorder.confirmedAt.push(performance.now());
  if (pay) await client.call('payment', 'POST', '/payment', buyer.token, { order_id: String(answer.body.id), payment_method: 'card' }, randomUUID());
}

/** One reader: half list the events, half read one event. */
export async function browseSession(client: Client, events: readonly string[], i: number): Promise<void> {
  if (i % 2 === 0) await client.call('browse-list', 'GET', `/event?limit=20&offset=${(i * 7) % 80}`);
  else await client.call('browse-event', 'GET', `/event/${events[i % events.length]!}`);
}
