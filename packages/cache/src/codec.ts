/**
 * Values are stored in a versioned envelope. Bumping CODEC_VERSION (or a
 * caller's own schema version) turns every older entry into a miss instead of
 * a crash when the shape of a cached object changes between deployments.
 */
export const CODEC_VERSION = 1;

interface Envelope {
  readonly v: number;
  /** The caller's schema version for this kind of value. */
  readonly s: number;
  /** Present for "known not to exist" entries (negative caching). */
  readonly nf?: true;
  readonly d?: unknown;
}

export type Decoded<T> = { readonly kind: 'hit'; readonly value: T } | { readonly kind: 'not_found' } | { readonly kind: 'miss' };

export function encode(value: unknown, schemaVersion: number): string {
  return JSON.stringify({ v: CODEC_VERSION, s: schemaVersion, d: value } satisfies Envelope);
}

export function encodeNotFound(schemaVersion: number): string {
  return JSON.stringify({ v: CODEC_VERSION, s: schemaVersion, nf: true } satisfies Envelope);
}

export function decode<T>(raw: string | null, schemaVersion: number): Decoded<T> {
  if (raw === null) return { kind: 'miss' };
  try {
    const envelope = JSON.parse(raw) as Partial<Envelope>;
    if (envelope.v !== CODEC_VERSION || envelope.s !== schemaVersion) return { kind: 'miss' };
    if (envelope.nf === true) return { kind: 'not_found' };
    return { kind: 'hit', value: envelope.d as T };
  } catch {
    return { kind: 'miss' };
  }
}
