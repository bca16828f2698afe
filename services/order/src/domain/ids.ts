import { createHash, randomUUID } from 'node:crypto';

/**
 * The id of the resource an idempotent request creates, derived from who asked
 * and their Idempotency-Key. Deriving it (instead of storing a key -> id map)
 * makes the resource's own unique `_id` the idempotency record: the first
 * insert wins atomically on MongoDB and on FerretDB alike, and a retry finds
 * the same document without a second collection or a second write.
 * Shaped as an RFC 9562 version-8 (custom) UUID so it passes `format: uuid`.
 */
export function deriveResourceId(userId: string, scope: 'order' | 'payment', idempotencyKey: string): string {
  const hex = createHash('sha256').update(`${scope}\u0000${userId}\u0000${idempotencyKey}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const newId = (): string => randomUUID();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
