import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { sleep, type Client } from './load';
import type { Buyers } from './seed';

/** Polls are never closer than this (the gateway's hint is at least 250 ms). */
const MIN_POLL_MS = 100;

/**
 * One buyer: POST /order; when the waiting room queues them (202), poll the
 * ticket as told (poll_after_ms) until admitted, then POST /order again; when
 * the order is confirmed (201), pay it. A buyer still queued when the scenario
 * ends leaves (counted as abandoned). Recorded kinds: `order` (every POST
 * /order that the room let through, i.e. not a 202), `order-queued` (202s),
 * `queue-poll`, `payment`.
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
    let waitMs = Math.max(MIN_POLL_MS, Number(answer.body.poll_after_ms) || 250);
    for (;;) {
      if (performance.now() + waitMs > endsAt) {
        recorder.abandoned += 1;
        return;
      }
      await sleep(waitMs);
      // A long poll: near the head the gateway answers the moment this buyer is admitted.
      const poll = await client.call('queue-poll', 'GET', `/queue/${ticket}?wait=true`, buyer.token);
      if (poll.status === 503) {
        // The room could not answer (Redis slow or down): ask again after Retry-After, as a client would.
        waitMs = 1_000;
        continue;
      }
      if (poll.status !== 200) return;
      if (poll.body.status === 'queued') {
        waitMs = Math.max(MIN_POLL_MS, Number(poll.body.poll_after_ms) || 250);
        ticket = String(poll.body.ticket);
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
