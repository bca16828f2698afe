import { apiRequest } from './http';
import type {
  ConversionView, CreateEventBody, EventPageView, EventView, HoldExpiriesView, LoginView, OrderPageView, OrderView, Page, PaymentMethod, PaymentView,
  QueuePlaceView, RevenueByDayView, RunsView, SellThroughView, Subscription, UserPageView, UserView,
} from './types';

type Token = string | undefined;

// One function per public route the UI uses; paths and bodies as in the
// contracts (packages/contracts/src/http) and the notification contract.

export const api = {
  register: (email: string, password: string) => apiRequest<UserView>('/user/register', { method: 'POST', body: { email, password } }),
  login: (email: string, password: string) => apiRequest<LoginView>('/user/login', { method: 'POST', body: { email, password } }),
  listUsers: (token: Token, offset = 0) => apiRequest<UserPageView>('/user', { token, query: { limit: 50, offset } }),
  grantOrganizer: (token: Token, userId: string) => apiRequest<UserView>(`/user/${userId}/roles/organizer`, { method: 'PUT', token }),

  listEvents: (query: { q?: string; from?: string; limit?: number; offset?: number }, token?: Token, signal?: AbortSignal) =>
    apiRequest<EventPageView>('/event', { query, token, ...(signal === undefined ? {} : { signal }) }),
  getEvent: (id: string, token?: Token) => apiRequest<EventView>(`/event/${id}`, { token }),
  createEvent: (token: Token, body: CreateEventBody) => apiRequest<EventView>('/event', { method: 'POST', token, body }),

  /** 201 with the order, or 202 with a place in the event's waiting room (an on-sale rush). */
  placeOrder: (token: Token, eventId: string, quantity: number, idempotencyKey: string) =>
    apiRequest<OrderView | QueuePlaceView>('/order', { method: 'POST', token, idempotencyKey, body: { event_id: eventId, quantity } }),
  // A long poll: the gateway answers when the buyer is admitted (or after its hold, with poll_after_ms 0).
  queuePlace: (token: Token, ticket: string) => apiRequest<QueuePlaceView>(`/queue/${ticket}?wait=true`, { token }),
  listOrders: (token: Token, offset = 0) => apiRequest<OrderPageView>('/order', { token, query: { limit: 50, offset } }),
  getOrder: (token: Token, id: string) => apiRequest<OrderView>(`/order/${id}`, { token }),
  cancelOrder: (token: Token, id: string) => apiRequest<OrderView>(`/order/${id}/cancel`, { method: 'POST', token }),
  pay: (token: Token, order: OrderView, method: PaymentMethod, idempotencyKey: string) =>
    apiRequest<PaymentView>('/payment', {
      method: 'POST', token, idempotencyKey,
      // The amount guards against paying a stale total.
      body: { order_id: order.id, payment_method: method, ...(order.total_price === null ? {} : { amount: order.total_price }) },
    }),
  getPayment: (token: Token, id: string) => apiRequest<PaymentView>(`/payment/${id}`, { token }),

  subscriptions: (token: Token) => apiRequest<{ items: Subscription[] }>('/subscribe/event', { token }),
  subscribe: (token: Token, eventId: string) => apiRequest<Subscription>('/subscribe/event', { method: 'POST', token, body: { event_id: eventId } }),
  unsubscribe: (token: Token, eventId: string) => apiRequest<undefined>(`/subscribe/event/${eventId}`, { method: 'DELETE', token }),

  gatewayStatus: () => apiRequest<GatewayStatus>('/status'),
  revenueByDay: (token: Token) => apiRequest<Page<RevenueByDayView>>('/reports/revenue-by-day', { token, query: { limit: 100 } }),
  sellThrough: (token: Token) => apiRequest<Page<SellThroughView>>('/reports/sell-through', { token, query: { limit: 10 } }),
  conversion: (token: Token) => apiRequest<ConversionView>('/reports/conversion', { token }),
  holdExpiries: (token: Token) => apiRequest<Page<HoldExpiriesView>>('/reports/hold-expiries', { token, query: { limit: 100 } }),
  etlRuns: (token: Token) => apiRequest<RunsView>('/reports/runs', { token, query: { limit: 10 } }),
};

/** Whether POST /order answered with a waiting-room place rather than an order. */
export const isQueuePlace = (answer: OrderView | QueuePlaceView): answer is QueuePlaceView => 'ticket' in answer;

/** The gateway's GET /status (services/gateway/src/status.ts): loosely typed, read through lib/system-status.ts. */
export interface GatewayStatus {
  readonly service: string;
  readonly instance: string;
  readonly status: 'up' | 'degraded' | 'down';
  readonly uptime_seconds: number;
  readonly dependencies: Record<string, DependencyReport>;
}

export interface DependencyReport {
  readonly status: 'up' | 'down';
  readonly required: boolean;
  readonly latency_ms: number;
  readonly details?: Record<string, unknown>;
  readonly error?: string;
}
