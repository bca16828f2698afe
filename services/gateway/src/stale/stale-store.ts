import { createHash } from 'node:crypto';
import type { CacheBackend } from '@eticket/cache';

/** A copy of a good answer, kept to be served when the upstream cannot answer. */
export interface StaleCopy {
  readonly contentType: string;
  readonly body: Buffer;
  /** When it was stored (ms since the epoch). */
  readonly storedAt: number;
}

export interface StaleStoreSettings {
  readonly ttlSeconds: number;
  /** The deployment (DISCOVERY_NAMESPACE): copies are shared by its gateways only. */
  readonly namespace?: string;
  /** Per key and process, store at most this often: a hot read costs one cache write per interval, not per request. */
  readonly refreshSeconds: number;
  /** Copies kept in this process too (LRU), answering when the shared cache is unreachable as well. */
  readonly localEntries?: number;
  readonly onError?: (error: unknown, operation: 'get' | 'set') => void;
}

interface Envelope {
  readonly v: 1;
  readonly t: number;
  readonly ct: string;
  readonly b: string;
}

const VERSION = 1;

/**
 * Stale-if-error copies of the event reads in the shared cache (Redis through
 * packages/cache, so every gateway instance can serve what any of them saw),
 * plus a small in-process LRU for when Redis is unreachable too. Keys are a
 * hash of the path and query, so a long query cannot make a long key.
 * Writes and reads never fail a request: an error is a miss.
 */
export class StaleStore {
  /** By path and query (bounded by localEntries, oldest out first). */
  private readonly local = new Map<string, StaleCopy>();
  private readonly localEntries: number;

  constructor(
    private readonly backend: CacheBackend | undefined,
    private readonly settings: StaleStoreSettings,
  ) {
    this.localEntries = settings.localEntries ?? 500;
  }

  /** Keeps a copy of a 200 answer (throttled per key); fire and forget. On the hot path: a map look-up when throttled. */
  remember(pathAndQuery: string, contentType: string, body: Buffer): void {
    const now = Date.now();
    const known = this.local.get(pathAndQuery);
    if (known !== undefined && now - known.storedAt < this.settings.refreshSeconds * 1000) return;
    const copy: StaleCopy = { contentType, body, storedAt: now };
    this.local.delete(pathAndQuery);
    this.local.set(pathAndQuery, copy);
    if (this.local.size > this.localEntries) this.local.delete(this.local.keys().next().value!);
    if (this.backend === undefined) return;
    const key = this.key(pathAndQuery);
    const envelope: Envelope = { v: VERSION, t: now, ct: contentType, b: body.toString('utf8') };
    this.backend.set(key, JSON.stringify(envelope), this.settings.ttlSeconds).catch((error: unknown) => this.settings.onError?.(error, 'set'));
  }

  /** The newest copy known to the shared cache or this process, if not older than the TTL. */
  async recall(pathAndQuery: string): Promise<StaleCopy | undefined> {
    const local = this.local.get(pathAndQuery);
    const shared = await this.fromBackend(this.key(pathAndQuery));
    const newest = [local, shared].filter((copy): copy is StaleCopy => copy !== undefined).sort((a, b) => b.storedAt - a.storedAt)[0];
    if (newest === undefined || Date.now() - newest.storedAt > this.settings.ttlSeconds * 1000) return undefined;
    return newest;
  }

  private async fromBackend(key: string): Promise<StaleCopy | undefined> {
    if (this.backend === undefined) return undefined;
    try {
      const raw = await this.backend.get(key);
      if (raw === null) return undefined;
      const envelope = JSON.parse(raw) as Partial<Envelope>;
      if (envelope.v !== VERSION || typeof envelope.t !== 'number' || typeof envelope.ct !== 'string' || typeof envelope.b !== 'string') return undefined;
      return { contentType: envelope.ct, body: Buffer.from(envelope.b, 'utf8'), storedAt: envelope.t };
    } catch (error) {
      this.settings.onError?.(error, 'get');
      return undefined;
    }
  }

  private key(pathAndQuery: string): string {
    return `gateway:stale:${this.settings.namespace ?? 'eticket'}:${createHash('sha256').update(pathAndQuery).digest('base64url')}`;
  }
}
