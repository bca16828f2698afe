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
