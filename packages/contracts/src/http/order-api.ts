import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { COMMON_PROBLEMS, DateTime, Page, PaginationQuery, problems, Uuid, type ApiRoute, type ApiSchema } from './common';
import { MAX_PRICE_MINOR } from './user-api';
import { QueuePlaceSchema } from './waiting-room-api';

// The Ticket Order Service's public HTTP API (the seed's `/order*` and
// `/payment*` paths). Money is in minor units of `currency`, like an
// event's `price`, so no amount is ever a float.

/** Largest quantity one order may ask for. */
export const MAX_TICKETS_PER_ORDER = 10;

/** Retrying a POST with the same key returns the first answer instead of doing the work twice. */
export const IdempotencyKeyHeaders = Type.Object(
  {
    'idempotency-key': Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: '^[\\x21-\\x7E]+$',
      description: 'A unique key per intended operation (e.g. a UUID), printable ASCII without spaces. A retry with the same key and body returns the same result; with another body it is refused (422).',
    }),
  },
  { additionalProperties: true },
);

/** POST /order: the Idempotency-Key, and optionally RFC 7240 `Prefer: wait=N` for the gateway's waiting room. */
export const PlaceOrderHeaders = Type.Object(
  {
    ...IdempotencyKeyHeaders.properties,
    prefer: Type.Optional(Type.String({
      maxLength: 1_000,
      description: 'RFC 7240. With wait=N (seconds), a buyer the waiting room queues is held up to N s (at most the gateway\'s hold, 20 s by default) instead of answered 202 at once: admitted meanwhile, the same request places the order (Server-Timing: queue;dur=<ms> says how long it queued); else the 202 with the place comes after the hold. A buyer whose estimated wait is longer than a hold is answered 202 at once, with poll_after_ms (and Retry-After) saying when to ask again.',
    })),
  },
  { additionalProperties: true },
);

export const ORDER_STATUS_NAMES = ['preparing', 'pending_payment', 'rejected', 'paid', 'expired', 'cancelled'] as const;
export const OrderStatusName = Type.Union(ORDER_STATUS_NAMES.map((status) => Type.Literal(status)), {
  description: 'preparing: being placed; pending_payment: seats held until hold_expires_at; rejected: not placed (see status_reason); paid; expired: not paid in time, seats released; cancelled by the buyer, seats released',
});

export const PAYMENT_METHOD_NAMES = ['card', 'paypal', 'apple_pay', 'google_pay', 'bank_transfer'] as const;
export const PaymentMethodName = Type.Union(PAYMENT_METHOD_NAMES.map((method) => Type.Literal(method)));

export const PAYMENT_STATUS_NAMES = ['processing', 'succeeded', 'failed', 'refunded'] as const;
export const PaymentStatusName = Type.Union(PAYMENT_STATUS_NAMES.map((status) => Type.Literal(status)));

const MinorAmount = (description: string) => Type.Integer({ minimum: 0, maximum: MAX_PRICE_MINOR * MAX_TICKETS_PER_ORDER, description });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const PlaceOrderBody = Type.Object(
  {
    event_id: Uuid('The event to buy seats for'),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_TICKETS_PER_ORDER, description: `Seats to buy, 1 to ${MAX_TICKETS_PER_ORDER}` }),
  },
  { additionalProperties: false, title: 'PlaceOrderRequest' },
);

export const OrderSchema = Type.Object(
  {
    id: Uuid(),
    user_id: Uuid(),
    event_id: Uuid(),
    quantity: Type.Integer({ minimum: 1, maximum: MAX_TICKETS_PER_ORDER }),
    unit_price: Nullable(MinorAmount('Price of one seat in minor units of `currency`; null until the order is placed')),
    total_price: Nullable(MinorAmount('unit_price x quantity in minor units of `currency`; null until the order is placed')),
    currency: Nullable(Type.String({ minLength: 3, maxLength: 3 })),
    order_status: OrderStatusName,
    hold_expires_at: Nullable(DateTime('Until when the seats are held for payment (pending_payment only)')),
    payment_details: Nullable(Type.Object(
      { method: PaymentMethodName, status: PaymentStatusName, payment_id: Uuid() },
      { additionalProperties: false, title: 'PaymentDetails' },
    )),
    status_reason: Nullable(Type.String({ maxLength: 1000, description: 'Why a rejected order was not placed' })),
    created_at: DateTime(),
  },
  { additionalProperties: false, title: 'Order' },
);

export const OrderIdParams = Type.Object({ id: Uuid('The order id') }, { additionalProperties: false });
export const ListOrdersQuery = Type.Object({ ...PaginationQuery }, { additionalProperties: false });
export const OrderPage = Page(OrderSchema, 'OrderPage');

export const PayBody = Type.Object(
  {
    order_id: Uuid('The order to pay'),
    payment_method: PaymentMethodName,
    amount: Type.Optional(MinorAmount('When given, must equal the order\'s total_price (guards against paying a stale amount)')),
  },
  { additionalProperties: false, title: 'PaymentRequest' },
);

export const PaymentSchema = Type.Object(
  {
    id: Uuid(),
    order_id: Uuid(),
    amount: MinorAmount('Minor units of `currency`'),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    payment_method: PaymentMethodName,
    payment_status: PaymentStatusName,
    failure_reason: Nullable(Type.String({ maxLength: 1000 })),
    created_at: DateTime(),
  },
  { additionalProperties: false, title: 'Payment' },
);

export const PaymentIdParams = Type.Object({ id: Uuid('The payment id') }, { additionalProperties: false });

export type PlaceOrderBody = Static<typeof PlaceOrderBody>;
export type OrderView = Static<typeof OrderSchema>;
export type OrderPageView = Static<typeof OrderPage>;
export type ListOrdersQuery = Static<typeof ListOrdersQuery>;
export type PayBody = Static<typeof PayBody>;
export type PaymentView = Static<typeof PaymentSchema>;

const route = <S extends ApiSchema>(method: ApiRoute['method'], url: string, schema: S): ApiRoute<S> => ({ method, url, schema });

/** Every public route of the Ticket Order Service; the service serves them and the gateway exposes them, both from this table. */
export const orderApi = {
  placeOrder: route('POST', '/order', {
    summary: 'Place an order: holds the seats until hold_expires_at, waiting for payment',
    description: 'Runs a two-phase commit with the User Service\'s seat inventory. Requires an Idempotency-Key: a retry with the same key returns the same order (or the same refusal), never a second one. When more buyers want the event than can be confirmed, the gateway answers 202 with a place in the event\'s waiting room instead: poll GET /queue/{ticket} and POST again once admitted (or send Prefer: wait=N to be held and served in the same request).',
    tags: ['orders'],
    operationId: 'placeOrder',
    headers: PlaceOrderHeaders,
    body: PlaceOrderBody,
    // 202: the event's waiting room queued the buyer (gateway only): poll GET /queue/{ticket}, then POST again.
    response: { 201: OrderSchema, 202: QueuePlaceSchema, ...problems(...COMMON_PROBLEMS, 401, 404, 409, 413, 415, 422) },
  }),
  listOrders: route('GET', '/order', {
    summary: 'List the caller\'s own orders, newest first',
    tags: ['orders'],
    operationId: 'listOrders',
    querystring: ListOrdersQuery,
    response: { 200: OrderPage, ...problems(...COMMON_PROBLEMS, 401) },
  }),
  getOrder: route('GET', '/order/:id', {
    summary: 'Get an order (its buyer or an admin)',
    tags: ['orders'],
    operationId: 'getOrder',
    params: OrderIdParams,
    response: { 200: OrderSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404) },
  }),
  cancelOrder: route('POST', '/order/:id/cancel', {
    summary: 'Cancel an unpaid order and release its seats (its buyer)',
    tags: ['orders'],
    operationId: 'cancelOrder',
    params: OrderIdParams,
    response: { 200: OrderSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404, 409) },
  }),
  pay: route('POST', '/payment', {
    summary: 'Pay for an order that is pending payment',
    description: 'Requires an Idempotency-Key. A declined charge answers 402 and leaves the order payable until its hold expires; paying an expired, cancelled or paid order answers 409.',
    tags: ['payments'],
    operationId: 'pay',
    headers: IdempotencyKeyHeaders,
    body: PayBody,
    response: { 201: PaymentSchema, ...problems(...COMMON_PROBLEMS, 401, 402, 403, 404, 409, 413, 415, 422) },
  }),
  getPayment: route('GET', '/payment/:id', {
    summary: 'Get a payment (its payer or an admin)',
    tags: ['payments'],
    operationId: 'getPayment',
    params: PaymentIdParams,
    response: { 200: PaymentSchema, ...problems(...COMMON_PROBLEMS, 401, 403, 404) },
  }),
} as const;
