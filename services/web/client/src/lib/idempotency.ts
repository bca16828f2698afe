/**
 * A random UUID v4 for the Idempotency-Key header. Built from
 * crypto.getRandomValues rather than crypto.randomUUID, which browsers offer
 * only on secure origins (https or localhost): the UI may well be served over
 * plain http on a LAN address.
 */
export function newIdempotencyKey(fill: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const bytes = fill(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
