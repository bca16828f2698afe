import { Agent } from 'undici';

export interface HttpClientSettings {
  /** Keep-alive connections per upstream origin (= the per-instance bulkhead, so undici never queues). */
  readonly connections: number;
}

/**
 * One undici agent for every upstream instance: a keep-alive pool per origin.
 * Deadlines are the gateway's own (per route, per attempt, with precise
 * timers), so undici's coarse timers are only a backstop here.
 */
export function createHttpClient(settings: HttpClientSettings): Agent {
  return new Agent({
    connections: settings.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    // Connecting on a LAN takes milliseconds; a SYN that gets no answer means the host is gone.
    connect: { timeout: 1_000 },
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
}
