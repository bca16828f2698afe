import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { rateLimitStoreStatus } from './rate-limit';

/** A Cluster client as /status sees it: its state and its masters' answers to PING. */
function cluster(status: string, pings: readonly (() => Promise<string>)[]): Pick<Cluster, 'status' | 'nodes'> {
  return { status, nodes: () => pings.map((ping) => ({ ping })) } as unknown as Pick<Cluster, 'status' | 'nodes'>;
}

const pong = () => Promise.resolve('PONG');
const hangs = () => Promise.reject(new Error('Command timed out'));

describe('the rate-limit store in /status', () => {
  it('is up while every master answers PING', async () => {
    await expect(rateLimitStoreStatus(cluster('ready', [pong, pong, pong]))).resolves.toEqual({ redis: 'cluster', status: 'ready', masters: 3 });
  });

  it('is down, saying limits fail open, while a connected master does not answer (a frozen Redis keeps its connections open)', async () => {
    await expect(rateLimitStoreStatus(cluster('ready', [pong, hangs, pong]))).rejects.toThrow('Redis Cluster does not answer (Command timed out): limits are not enforced (fail open)');
  });

  it('is down while the client is not connected', async () => {
    await expect(rateLimitStoreStatus(cluster('reconnecting', [pong]))).rejects.toThrow('Redis Cluster client is reconnecting: limits are not enforced (fail open)');
  });
});
