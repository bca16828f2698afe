import type { CacheBackend } from '@eticket/cache';
import { createLogger } from '@eticket/logging';
import { describe, expect, it } from 'vitest';
import { LocalWriteMarks, SharedWriteMarks, UNKNOWN_MARK } from './write-marks';

const logger = createLogger({ service: 'user', instance: 'test', level: 'silent' });

class FakeBackend implements CacheBackend {
  readonly topology = 'cluster';
  readonly values = new Map<string, { value: string; ttl: number }>();
  failing = false;

  get(key: string): Promise<string | null> {
    return this.failing ? Promise.reject(new Error('node down')) : Promise.resolve(this.values.get(key)?.value ?? null);
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (this.failing) return Promise.reject(new Error('node down'));
    this.values.set(key, { value, ttl: ttlSeconds });
    return Promise.resolve();
  }

  del(): Promise<void> {
    return Promise.resolve();
  }

  nodes() {
    return Promise.resolve([]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('write marks', () => {
  it('keeps the later position of a user for the window, then forgets it', async () => {
    let now = 0;
    const marks = new LocalWriteMarks(1_000, () => now);
    await marks.set('u', '0/20');
    await marks.set('u', '0/10');
    expect(await marks.get('u')).toBe('0/20');
    expect(await marks.get('someone-else')).toBeUndefined();
    now = 999;
    expect(await marks.get('u')).toBe('0/20');
    now = 2_000;
    expect(await marks.get('u')).toBeUndefined();
  });

  it('shares marks through the cache with the window as TTL, so another instance sees them', async () => {
    const backend = new FakeBackend();
    const writer = new SharedWriteMarks(backend, 15_000, logger);
    const reader = new SharedWriteMarks(backend, 15_000, logger);
    await writer.set('u', '1/A0');
    expect(backend.values.get('ryw:u')).toEqual({ value: '1/A0', ttl: 15 });
    expect(await reader.get('u')).toBe('1/A0');
    expect(await reader.get('v')).toBeUndefined();
  });

  it('answers UNKNOWN when the cache cannot, so the read goes to the primary', async () => {
    const backend = new FakeBackend();
    const marks = new SharedWriteMarks(backend, 15_000, logger);
    backend.failing = true;
    expect(await marks.get('u')).toBe(UNKNOWN_MARK);
  });

  it('still honours its own mark when the cache refused it, and takes the later of its own and the shared one', async () => {
    const backend = new FakeBackend();
    const marks = new SharedWriteMarks(backend, 15_000, logger);
    backend.failing = true;
    await expect(marks.set('u', '0/50')).resolves.toBeUndefined();
    backend.failing = false;
    expect(await marks.get('u')).toBe('0/50');
    backend.values.set('ryw:u', { value: '0/60', ttl: 15 });
    expect(await marks.get('u')).toBe('0/60');
    // Garbage in the shared key is ignored, not passed to SQL.
    backend.values.set('ryw:u', { value: 'not-an-lsn', ttl: 15 });
    expect(await marks.get('u')).toBe('0/50');
  });
});
