/** A cache command that missed its deadline; the Cache treats it like any backend error (a miss). */
export class CacheTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`cache ${what} took longer than ${ms} ms`);
    this.name = 'CacheTimeoutError';
  }
}

/**
 * Settles with `work` or rejects after `ms`, whichever is first. ioredis'
 * own commandTimeout bounds one attempt on one connection; the Cluster client
 * may retry a command through redirects and reconnects (each bounded, but
 * several in a row), so the backends bound the whole operation here. The
 * late outcome of `work` is swallowed.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheTimeoutError(what, ms)), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
