/**
 * Takes `batch` tokens from a key's counter for the current fixed window:
 * INCRBY, and PEXPIRE when this call opened the window. Returns the counter
 * after the increment and the window's remaining milliseconds. One key, so
 * Redis Cluster routes it to the key's slot.
 */
export const TAKE_TOKENS_LUA = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  ttl = tonumber(ARGV[2])
end
return {n, ttl}
`;

/** What the store needs from Redis: the script above, defined as a command (ioredis defineCommand). */
export interface TokenSource {
  gatewayTakeTokens(key: string, batch: number, windowMs: number, callback: (error: Error | null, result?: [number, number]) => void): void;
}

interface LocalGrant {
  /** Sequence numbers in the window still usable here: next..last. */
  next: number;
  last: number;
  /** When the window ends (ms since the epoch). */
  endsAt: number;
  /** Whether the counter had passed the limit: refuse locally until the window ends. */
  exhausted: boolean;
  /** Tokens this instance granted without asking Redis (the key's first batch here in a window): added to its next call. */
  owed: number;
}

/** How many tokens one Redis call takes for a limit: exact below 100, at most 20 (about 1/50 of the limit) above. */
export function batchFor(max: number): number {
  return Math.max(1, Math.min(20, Math.floor(max / 50)));
}

const MAX_LOCAL_KEYS = 100_000;

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The window and limit when the plugin does not pass them (its types omit them; its code passes both). */
export interface StoreDefaults {
  readonly windowMs: number;
  readonly maxFor: (key: string) => number;
}

/**
 * A store for @fastify/rate-limit that shares one fixed-window counter per
 * key in Redis across every gateway instance, like its RedisStore, but takes
 * tokens in small batches: a busy key costs one Redis round trip per batch,
 * not per request, and a key over its limit is refused locally until its
 * window ends. A key's first batch in a window is granted without asking
 * Redis at all and counted with its next call (openLocally), so a client
 * making a few requests costs no round trip. Tokens taken from Redis are only
 * granted up to the limit; the first batches may pass it by at most one batch
 * per instance and window. Tokens one instance took but did not use in a
 * window are lost to the others (at most batch - 1 per instance and key), so
 * a client spread over several instances may be refused that much earlier.
 * Limits under 100 take one token per call and none without Redis: exact.
 *
 * Requests that find no local token share Redis calls: one arriving while a
 * call for its key is under way waits for that call if it asked for a token
 * to spare (each call takes a batch; it serves at most that many waiters),
 * else it makes the next call. So no request waits longer than one round
 * trip (as with a call per request), and a busy key still costs one call per
 * batch. Without this, under concurrency every request arriving during a
 * round trip made a call of its own, and most requests cost a Redis round
 * trip again (the gateway benchmark's profile: a twentieth of its CPU).
 */
export function batchedRedisStore(redis: TokenSource, prefix: string, defaults: StoreDefaults) {
  const grants = new Map<string, LocalGrant>();
  /** Per key, the latest Redis call under way and the requests waiting for its tokens. */
  const calls = new Map<string, { readonly batch: number; readonly waiters: IncrCallback[] }>();

  /** Answers from this instance's grant when it can; false when Redis must be asked. */
  const serveLocally = (key: string, max: number, callback: IncrCallback, now: number): boolean => {
    const grant = grants.get(key);
    if (grant === undefined || now >= grant.endsAt) return false;
    if (grant.exhausted) {
      callback(null, { current: Math.max(max + 1, grant.next), ttl: grant.endsAt - now });
      return true;
    }
    if (grant.next > grant.last) return false;
    grant.next += 1;
    callback(null, { current: grant.next - 1, ttl: grant.endsAt - now });
    return true;
  };

  /**
   * A key this instance has not served in the current window: for a limit of
   * 100 or more, its first batch is granted here without asking Redis, and
   * counted in Redis with the key's next call (`owed`). Most keys are a
   * client's first requests in a window (a buyer arriving at an on-sale), so
   * most requests cost no Redis round trip at all; a key that stays busy
   * costs one call per batch as before. The price: a batch granted before
   * Redis was asked may pass a limit other instances already used up, so a
   * window admits at most one batch (1/50 of the limit) per instance over
   * the limit. Limits under 100 (batch 1) stay exact.
   */
  const openLocally = (key: string, windowMs: number, max: number, callback: IncrCallback, now: number): boolean => {
    const batch = batchFor(max);
    if (batch < 2) return false;
    const grant = grants.get(key);
    // This instance's grant for the window is used up: the rest of the window is Redis's to count.
    if (grant !== undefined && now < grant.endsAt) return false;
    if (grants.size >= MAX_LOCAL_KEYS) grants.clear();
    grants.set(key, { next: 2, last: batch, endsAt: now + windowMs, exhausted: false, owed: batch });
    callback(null, { current: 1, ttl: windowMs });
    return true;
  };

  const call = (key: string, windowMs: number, max: number, first: IncrCallback): void => {
    const batch = batchFor(max);
    const pending = { batch, waiters: [first] };
    calls.set(key, pending);
    // The batch granted here without Redis is counted now, before this call's own.
    const opened = grants.get(key);
    const owed = opened === undefined || Date.now() >= opened.endsAt ? 0 : opened.owed;
    if (opened !== undefined) opened.owed = 0;
    redis.gatewayTakeTokens(prefix + key, batch + owed, windowMs, (error, result) => {
      if (calls.get(key) === pending) calls.delete(key);
      if (error || result === undefined) {
        const failure = error ?? new Error('no answer from Redis');
        for (const callback of pending.waiters) callback(failure);
        return;
      }
      const [counter, ttl] = result;
      const now = Date.now();
      const endsAt = now + ttl;
      // This call's tokens: counter - batch + 1 .. counter, usable up to the limit; its waiters take them in order.
      let next = counter - batch + 1;
      const last = Math.min(counter, max);
      for (const callback of pending.waiters) {
        if (next <= last) callback(null, { current: next++, ttl });
        else callback(null, { current: Math.max(max + 1, next), ttl });
      }
      if (grants.size >= MAX_LOCAL_KEYS) grants.clear();
      const grant = grants.get(key);
      // Past the limit: refused here until the window ends. Tokens left over serve the next requests, unless
      // another call's are still in use (then these are lost to the others: at most batch - 1).
      const usedUp = grant === undefined || now >= grant.endsAt || grant.next > grant.last;
      if (next > max) grants.set(key, { next, last, endsAt, exhausted: true, owed: 0 });
      else if (next <= last && usedUp) grants.set(key, { next, last, endsAt, exhausted: false, owed: 0 });
    });
  };

  const take = (key: string, windowMs: number, max: number, callback: IncrCallback): void => {
    const now = Date.now();
    if (serveLocally(key, max, callback, now)) return;
    const pending = calls.get(key);
    if (pending !== undefined && pending.waiters.length < pending.batch) pending.waiters.push(callback);
    else if (pending !== undefined || !openLocally(key, windowMs, max, callback, now)) call(key, windowMs, max, callback);
  };

  return class BatchedRedisStore {
    incr(key: string, callback: IncrCallback, timeWindow?: number, max?: number): void {
      take(key, timeWindow ?? defaults.windowMs, max ?? defaults.maxFor(key), callback);
    }

    /** Route-level limits would get their own counters; the gateway uses one limit for every route. */
    child(): BatchedRedisStore {
      return this;
    }
  };
}
