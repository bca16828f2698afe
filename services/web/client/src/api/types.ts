// The public API's types, straight from the contracts the gateway validates
// with (type-only: nothing of the server ends up in the bundle).
export type { CreateEventBody, EventPageView, EventView, LoginView, UserPageView, UserView } from '@api-contracts/user-api';
export type { OrderPageView, OrderView, PaymentView } from '@api-contracts/order-api';
export type { QueuePlaceView } from '@api-contracts/waiting-room-api';
export type { ConversionView, HoldExpiriesView, RevenueByDayView, RunsView, RunView, SalesByEventView, SellThroughView } from '@api-contracts/reports-api';

export type PaymentMethod = 'card' | 'paypal' | 'apple_pay' | 'google_pay' | 'bank_transfer';

export interface Page<T> {
  readonly items: T[];
  readonly limit: number;
  readonly offset: number;
  readonly total: number;
}

// The notification contract (the User Service's /notification WebSocket and /notifications, /subscribe/event).
export type NotificationKind = 'payment_pending' | 'payment_succeeded' | 'payment_failed' | 'hold_expiring' | 'order_expired' | 'order_cancelled' | 'event_reminder';

export interface NotificationView {
  readonly id: number;
  readonly kind: NotificationKind;
  readonly message: string;
  readonly order_id?: string;
  readonly event_id?: string;
  readonly created_at: string;
}

export interface Subscription {
  readonly event_id: string;
  readonly subscribed_at: string;
}
