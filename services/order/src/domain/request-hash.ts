import { createHash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/**
 * A fingerprint of what a request asked for, independent of key order and
 * whitespace, so a replay of the same Idempotency-Key with a different body
 * is recognised and refused.
 */
export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(route).update('\u0000').update(JSON.stringify(canonical(body))).digest('hex');
}
