import { AppError, type FieldError } from '@eticket/errors';

export interface NotificationRequest {
  readonly userId: string;
  readonly kind: string;
  readonly message: string;
  readonly orderId: string;
  readonly dedupeKey: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KIND = /^[a-z][a-z0-9_]{0,63}$/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Throws VALIDATION_FAILED unless `value` is a UUID (ids from other services arrive unchecked over gRPC). */
export function assertUuid(value: string, field: string): void {
  if (!isUuid(value)) throw new AppError('VALIDATION_FAILED', `${field} must be a UUID`, { fields: [{ field, message: 'must be a UUID' }] });
}

/** gRPC has no schema validation of its own: the same kind of bounds as the HTTP schemas, by hand. */
export function assertValidNotification(request: NotificationRequest): void {
  const fields: FieldError[] = [];
  if (!isUuid(request.userId)) fields.push({ field: 'user_id', message: 'must be a UUID' });
  if (!KIND.test(request.kind)) fields.push({ field: 'kind', message: 'must be 1-64 lower-case letters, digits or _' });
  if (request.message.trim() === '' || request.message.length > 2000 || CONTROL.test(request.message)) fields.push({ field: 'message', message: 'must be 1-2000 printable characters' });
  if (request.orderId.length > 100 || CONTROL.test(request.orderId)) fields.push({ field: 'order_id', message: 'must be at most 100 printable characters' });
  if (request.dedupeKey.length > 200 || CONTROL.test(request.dedupeKey)) fields.push({ field: 'dedupe_key', message: 'must be at most 200 printable characters' });
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', `Invalid notification: ${fields.map((field) => `${field.field} ${field.message}`).join('; ')}`, { fields });
}

/** The kinds the contract (docs/notifications.md) names; clients switch on them. */
export const NOTIFICATION_KINDS = ['payment_pending', 'payment_succeeded', 'payment_failed', 'hold_expiring', 'order_expired', 'order_cancelled', 'event_reminder'] as const;

/** A stored notification: `id` is the user's own sequence number (1, 2, 3, ... without gaps). */
export interface StoredNotification {
  readonly userId: string;
  readonly id: number;
  readonly kind: string;
  readonly message: string;
  readonly orderId: string | null;
  readonly eventId: string | null;
  readonly createdAt: Date;
}

/** The JSON shape of the contract's notification object. */
export interface NotificationView {
  readonly id: number;
  readonly kind: string;
  readonly message: string;
  readonly order_id?: string;
  readonly event_id?: string;
  readonly created_at: string;
}

export function notificationView(notification: StoredNotification): NotificationView {
  return {
    id: notification.id,
    kind: notification.kind,
    message: notification.message,
    ...(notification.orderId === null ? {} : { order_id: notification.orderId }),
    ...(notification.eventId === null ? {} : { event_id: notification.eventId }),
    created_at: notification.createdAt.toISOString(),
  };
}

/** Most events one connection may watch (the contract's bound). */
export const MAX_WATCHED_EVENTS = 50;

export type ClientFrame = { readonly type: 'watch'; readonly eventIds: readonly string[] };

/** Parses a client → server frame; throws VALIDATION_FAILED naming what is wrong. */
export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'A frame must be a JSON object', { fields: [{ field: 'frame', message: 'is not JSON' }] });
  }
  const frame = value as { type?: unknown; event_ids?: unknown } | null;
  if (typeof frame !== 'object' || frame === null || frame.type !== 'watch') {
    throw new AppError('VALIDATION_FAILED', 'The only frame a client sends is {"type":"watch","event_ids":[...]}', { fields: [{ field: 'type', message: 'must be "watch"' }] });
  }
  const ids = frame.event_ids;
  if (!Array.isArray(ids) || ids.length > MAX_WATCHED_EVENTS || !ids.every((id): id is string => typeof id === 'string' && isUuid(id))) {
    throw new AppError('VALIDATION_FAILED', `event_ids must be an array of at most ${MAX_WATCHED_EVENTS} event UUIDs`, { fields: [{ field: 'event_ids', message: `must be at most ${MAX_WATCHED_EVENTS} UUIDs` }] });
  }
  return { type: 'watch', eventIds: [...new Set(ids.map((id) => id.toLowerCase()))] };
}
