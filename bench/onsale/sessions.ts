import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep, type Client } from './load';
import type { Buyers } from './seed';

/** A long poll that comes back sooner than this was not held (the room has no hold configured): wait as told before asking again. */
const HELD_AT_LEAST_MS = 50;
/** Polls are never closer than this. */
const MIN_POLL_MS = 100;

/**
 * One buyer: POST /order; when the waiting room queues them (202), long-poll
 * the ticket (GET /queue/{ticket}?wait=true, held by the gateway until the
 * buyer is admitted or for its hold time, then asked again at once) until
 * admitted, then POST /order again; when the order is confirmed (201), pay it.
 * A buyer still queued when the scenario ends leaves (counted as abandoned;
 * the held poll is cut). Recorded kinds: `order` (every POST /order that the
 * room let through, i.e. not a 202), `order-queued` (202s), `queue-poll`,
 * `payment`.
 */
export async function buyerSession(client: Client, buyers: Buyers, buyerIndex: number, eventId: string, endsAt: number, pay: boolean): Promise<void> {
  const recorder = client.recorder;
  const buyer = await buyers.get(buyerIndex);
  const key = randomUUID();
  const arrived = performance.now();
  // A 202 is the room's answer, not an order's: filed apart.
  const place = () => client.call((status) => (status === 202 ? 'order-queued' : 'order'), 'POST', '/order', buyer.token, { event_id: eventId, quantity: 1 }, key);
  let answer = await place();
  let queued = false;
  while (answer.status === 202) {
    queued = true;
    let ticket = String(answer.body.ticket);
    for (;;) {
      const left = endsAt - performance.now();
      if (left <= 0) {
        recorder.abandoned += 1;
        return;
      }
      const asked = performance.now();
      const poll = await client.call('queue-poll', 'GET', `/queue/${ticket}?wait=true`, buyer.token, undefined, undefined, { held: true, signal: AbortSignal.timeout(Math.ceil(left)) });
      if (poll.status === -1) {
        recorder.abandoned += 1;
        return;
      }
      if (poll.status === 503) {
        // The room could not answer (Redis slow or down): ask again after Retry-After, as a client would.
        await sleep(1_000);
        continue;
      }
      if (poll.status !== 200) return;
      if (poll.body.status === 'queued') {
        ticket = String(poll.body.ticket);
        if (performance.now() - asked < HELD_AT_LEAST_MS) await sleep(Math.max(MIN_POLL_MS, Number(poll.body.poll_after_ms) || 250));
        continue;
      }
      break;
    }
    answer = await place();
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
