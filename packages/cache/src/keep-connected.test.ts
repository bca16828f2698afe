import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { keepConnected } from './keep-connected';

/** A port nothing listens on: bind an ephemeral one, then free it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('keepConnected', () => {
  it('connects an ended client again while open, and leaves it ended once closed', async () => {
    // retryStrategy null: every failed connect ends the client, the state the ring backend must recover from.
    const client = new Redis({ port: await closedPort(), lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false });
    client.on('error', () => undefined);
    let open = true;
    let attempts = 0;
    client.on('connecting', () => {
      attempts += 1;
    });
    keepConnected(client, () => open, 20);
    client.connect().catch(() => undefined);
    await sleep(400);
    expect(attempts).toBeGreaterThanOrEqual(3);

    open = false;
    await sleep(100);
    const settled = attempts;
    await sleep(200);
    expect(attempts).toBe(settled);
    expect(client.status).toBe('end');
  });
});
