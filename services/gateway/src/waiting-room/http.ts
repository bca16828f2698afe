import { waitingRoomApi, type QueuePlaceView } from '@eticket/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, onRequestHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { authenticate } from '../auth/edge-auth';
import type { Entry, PollAnswer } from './waiting-room';
import type { WaitingRoom } from './waiting-room';

function view(answer: PollAnswer, ticket: string): QueuePlaceView {
  if (answer.status === 'queued') {
    return { status: 'queued', ticket, event_id: answer.eventId, position: answer.position, estimated_wait_seconds: answer.estimatedWaitSeconds, poll_after_ms: answer.pollAfterMs };
  }
  return { status: answer.status, ticket, event_id: answer.eventId, position: 0, estimated_wait_seconds: 0, poll_after_ms: answer.pollAfterMs };
}

const retryAfter = (reply: FastifyReply, ms: number) => reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1000))));

/** The seconds of RFC 7240 `Prefer: wait=N` (0 without one; at most a day, the hold is capped anyway). */
export function preferredWaitMs(prefer: string | string[] | undefined): number {
  const header = Array.isArray(prefer) ? prefer.join(',') : prefer;
  if (header === undefined || header.length > 1_000) return 0;
  const match = /(?:^|[,;\s])wait\s*=\s*"?(\d{1,6})"?(?=$|[,;\s])/i.exec(header);
  return match === null ? 0 : Math.min(86_400, Number(match[1])) * 1000;
}

/**
 * The waiting room's gate on POST /order, after authentication, rate limit and
 * validation (it needs the caller and the event). Admitted: the order goes on
 * to the Ticket Order Service and its slot is given back when the answer has
 * gone out (or the client hung up), with the latency the controller learns
 * from. Queued: 202 with the place, Location of the ticket and Retry-After;
 * nothing reaches a service, so a rush costs the system one Redis script per
 * request. With `Prefer: wait=N` a queued buyer's request is held instead
 * (WaitingRoom.awaitTurn): admitted within N s, the same request places the
 * order, and the answer says how long it queued (`Server-Timing: queue;dur=`,
 * ms) and `Preference-Applied: wait=N`; else the 202 after the hold. A
 * buyer far back (paced by the room) gets the 202 at once, with when to come back.
 */
export function admissionHook(room: WaitingRoom): preHandlerAsyncHookHandler {
  return async function waitingRoomGate(request: FastifyRequest, reply: FastifyReply) {
    const identity = request.identity;
    const body = request.body as { event_id?: unknown } | undefined;
    if (identity === null || typeof body?.event_id !== 'string') return;
    let started = performance.now();
    let entry: Entry | undefined = await room.enter(body.event_id, identity.userId);
    const waitMs = entry.status === 'queued' ? preferredWaitMs(request.headers.prefer) : 0;
    // Far back in the line (paced) the 202 comes at once and says when to ask again: nothing is held.
    if (entry.status === 'queued' && waitMs > 0 && !entry.paced) {
      void reply.header('preference-applied', `wait=${waitMs / 1000}`);
      const left = new AbortController();
      const hangUp = () => left.abort();
      reply.raw.once('close', hangUp);
      try {
        entry = await room.awaitTurn(entry, identity.userId, waitMs, left.signal);
      } finally {
        reply.raw.off('close', hangUp);
      }
      // The client left while held: nobody reads an answer, and no slot was taken.
      if (entry === undefined) return reply.code(202).send();
      const queuedMs = performance.now() - started;
      if (entry.status === 'admitted') void reply.header('server-timing', `queue;dur=${queuedMs.toFixed(1)}`);
      // The controller learns the order's latency, not the wait before it.
      started = performance.now();
    }
    if (entry.status === 'admitted') {
      const admitted = entry;
      // 'close' fires once, whether the answer was sent or the client went away.
      reply.raw.once('close', () => admitted.done(performance.now() - started, reply.raw.writableFinished && reply.statusCode < 500));
      return;
    }
    const place = view(entry, entry.ticket);
    await retryAfter(reply, place.poll_after_ms).header('location', `/queue/${entry.ticket}`).code(202).send(place);
  };
}

/** GET /queue/{ticket}: where the caller's place stands (only the account that queued may ask). */
export interface QueueRouteHooks {
  readonly jwtSecret: string;
  readonly rateLimit: onRequestAsyncHookHandler;
  readonly securityHeaders: onRequestHookHandler;
}

export function registerQueueRoute(app: FastifyInstance, room: WaitingRoom, hooks: QueueRouteHooks): void {
  const route = waitingRoomApi.getQueuePlace;
  app.route({
    method: route.method,
    url: route.url,
    schema: { ...route.schema, security: [{ bearerAuth: [] }] },
    helmet: false,
    onRequest: [
      hooks.securityHeaders,
      async (request) => {
        request.identity = await authenticate(request, { auth: 'required' }, hooks.jwtSecret);
      },
      hooks.rateLimit,
    ],
    handler: async (request, reply) => {
      const { ticket } = request.params as { ticket: string };
      const { wait } = request.query as { wait?: boolean };
      // A held long poll ends early when its client hangs up ('close' before the answer is sent).
      const left = new AbortController();
      const hangUp = () => left.abort();
      if (wait === true) reply.raw.once('close', hangUp);
      let answer: PollAnswer;
      try {
        answer = await room.poll(ticket, request.identity?.userId ?? '', wait === true, left.signal);
      } finally {
        reply.raw.off('close', hangUp);
      }
      const place = view(answer, ticket);
      if (place.status === 'queued') void retryAfter(reply, place.poll_after_ms);
      return reply.send(place);
    },
  });
}
