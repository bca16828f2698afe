import { Type, type Static } from '@sinclair/typebox';
import { COMMON_PROBLEMS, problems, Uuid, type ApiRoute, type ApiSchema } from './common';

// The gateway's waiting room for on-sales: when more buyers want an event
// than the system can confirm, POST /order answers 202 with a place in a
// first-come-first-served queue, which the buyer polls until admitted.

/** A queue ticket: a signed token (three base64url parts), bound to the account that queued. */
export const QueueTicket = Type.String({ minLength: 20, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'The ticket from the 202 answer of POST /order' });

export const QUEUE_STATUS_NAMES = ['queued', 'admitted', 'expired'] as const;

export const QueuePlaceSchema = Type.Object(
  {
    status: Type.Union(QUEUE_STATUS_NAMES.map((status) => Type.Literal(status)), {
      description: 'queued: still waiting; admitted: place the order now (POST /order again, within a few seconds); expired: the place lapsed (not polled, or the admission not used): POST /order again to queue anew',
    }),
    ticket: QueueTicket,
    event_id: Uuid(),
    position: Type.Integer({ minimum: 0, maximum: 100_000_000, description: '1 = next in line; 0 when not queued' }),
    estimated_wait_seconds: Type.Number({ minimum: 0, maximum: 1e9, description: 'Position / the rate at which orders are being confirmed' }),
    poll_after_ms: Type.Integer({ minimum: 0, maximum: 3_600_000, description: 'Poll GET /queue/{ticket} again after this long (also Retry-After, rounded up)' }),
  },
  { additionalProperties: false, title: 'QueuePlace' },
);

export const QueueTicketParams = Type.Object({ ticket: QueueTicket }, { additionalProperties: false });

export const QueuePollQuery = Type.Object(
  {
    wait: Type.Optional(Type.Boolean({
      default: false,
      description: 'Long poll: the answer comes when the buyer is admitted, or after the gateway\'s hold time (20 s by default) with poll_after_ms 0: ask again at once. A buyer whose estimated wait is longer than a hold is not held but answered at once with poll_after_ms half the estimate: ask again then (earlier is allowed and keeps the place)',
    })),
  },
  { additionalProperties: false },
);

export type QueuePlaceView = Static<typeof QueuePlaceSchema>;

const route = <S extends ApiSchema>(method: ApiRoute['method'], url: string, schema: S): ApiRoute<S> => ({ method, url, schema });

/** Served by the gateway itself. */
export const waitingRoomApi = {
  getQueuePlace: route('GET', '/queue/:ticket', {
    summary: 'Where a queued buyer stands in an event\'s waiting room',
    description: 'Only the account that queued may read its ticket (403 QUEUE_TICKET_NOT_YOURS). Poll no more often than poll_after_ms, or long-poll (wait=true); asking again never moves a place.',
    tags: ['orders'],
    operationId: 'getQueuePlace',
    params: QueueTicketParams,
    querystring: QueuePollQuery,
    response: { 200: QueuePlaceSchema, ...problems(...COMMON_PROBLEMS, 401, 403) },
  }),
} as const;
