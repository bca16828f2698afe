import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep, type Client } from './load';
import type { Buyers } from './seed';

/** A held request that comes back sooner than this was not held (the room has no hold configured). */
const HELD_AT_LEAST_MS = 50;
/** Polls are never closer than this. */
const MIN_POLL_MS = 100;
/** The longest a POST /order asks to be held in the waiting room (Prefer: wait=N), s. */
const PREFERRED_WAIT_S = 20;

/**
 * One buyer: POST /order with `Prefer: wait=20`, so that when the waiting room
 * queues them the gateway holds the request until they are admitted and then
 * places the order in the same request (a buyer still held at the scenario's
 * end leaves, counted as abandoned). A 202 after a hold
 * means "still queued": the buyer asks again the same way (their place is
 * kept). Should the gateway not hold (a 202 at once), the buyer long-polls the
 * ticket (GET /queue/{ticket}?wait=true) until admitted and POSTs again.
 * When the order is confirmed (201), pay it. Recorded kinds: `order` (every
 * POST /order the room let through, its latency less the time held in the
 * queue), `order-queued` (202s), `queue-poll`, `payment`.
 */
export async function buyerSession(client: Client, buyers: Buyers, buyerIndex: number, eventId: string, endsAt: number, pay: boolean): Promise<void> {
  const recorder = client.recorder;
  const buyer = await buyers.get(buyerIndex);
  const key = randomUUID();
  const arrived = performance.now();
  // A 202 is the room's answer, not an order's: filed apart.
  const kind = (status: number) => (status === 202 ? 'order-queued' : 'order');
  // The hold a browser asks for, whatever is left of the run: at the run's end the buyers still held leave
  // (Client.leave), as they would give up, instead of every hold ending with the run (load.ts says why).
  const place = () => client.call(kind, 'POST', '/order', buyer.token, { event_id: eventId, quantity: 1 }, key, { held: true, headers: { prefer: `wait=${PREFERRED_WAIT_S}` } });
  let sent = performance.now();
  let answer = await place();
  let queued = answer.queuedMs > 0;
  if (answer.status === -1) {
    recorder.abandoned += 1;
    return;
  }
  while (answer.status === 202) {
    queued = true;
    if (endsAt - performance.now() < 1_000) {
      recorder.abandoned += 1;
      return;
    }
    if (performance.now() - sent < HELD_AT_LEAST_MS && !(await longPoll(client, buyer.token, String(answer.body.ticket), endsAt))) return;
    sent = performance.now();
    answer = await place();
    if (answer.status === -1) {
      recorder.abandoned += 1;
      return;
    }
  }
  if (queued) recorder.queueWaits.push(performance.now() - arrived);
  if (answer.status !== 201) return;
  recorder.confirmedAt.push(performance.now());
  if (pay) await client.call('payment', 'POST', '/payment', buyer.token, { order_id: String(answer.body.id), payment_method: 'card' }, randomUUID());
}

/** Long-polls a ticket until admitted (true: POST again) or the scenario ends (false, counted as abandoned) or a refusal (false). */
async function longPoll(client: Client, token: string, firstTicket: string, endsAt: number): Promise<boolean> {
  let ticket = firstTicket;
  for (;;) {
    const left = endsAt - performance.now();
    if (left <= 0) {
      client.recorder.abandoned += 1;
      return false;
    }
    const asked = performance.now();
    const poll = await client.call('queue-poll', 'GET', `/queue/${ticket}?wait=true`, token, undefined, undefined, { held: true, signal: AbortSignal.timeout(Math.ceil(left)) });
    if (poll.status === -1) {
      client.recorder.abandoned += 1;
      return false;
    }
    if (poll.status === 503) {
      // The room could not answer (Redis slow or down): ask again after Retry-After, as a client would.
      await sleep(1_000);
      continue;
    }
    if (poll.status !== 200) return false;
    if (poll.body.status !== 'queued') return true;
    ticket = String(poll.body.ticket);
    if (performance.now() - asked < HELD_AT_LEAST_MS) await sleep(Math.max(MIN_POLL_MS, Number(poll.body.poll_after_ms) || 250));
  }
}

/** One reader: half list the events, half read one event. */
export async function browseSession(client: Client, events: readonly string[], i: number): Promise<void> {
  if (i % 2 === 0) await client.call('browse-list', 'GET', `/event?limit=20&offset=${(i * 7) % 80}`);
  else await client.call('browse-event', 'GET', `/event/${events[i % events.length]!}`);
}
