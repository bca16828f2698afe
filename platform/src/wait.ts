// Polling helpers. Components become ready at their own pace; polling a cheap
// probe every few hundred milliseconds is simpler and more honest than
// parsing log lines.
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What we wait for, used in the timeout message. */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  signal?: AbortSignal;
  /** Called each round; a string return aborts the wait with that message (e.g. "process exited"). */
  failFast?: () => string | undefined;
}

/**
 * Calls `probe` until it returns a value other than undefined/false. Probe
 * errors count as "not yet" but the last one is reported on timeout.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 250;
  let lastError = '';
  for (;;) {
    options.signal?.throwIfAborted();
    const fatal = options.failFast?.();
    if (fatal !== undefined) throw new Error(`${options.what}: ${fatal}`);
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${lastError ? ` (last error: ${lastError})` : ''}`);
    }
    await sleep(interval, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

export { sleep };
