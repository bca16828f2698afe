import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LogShipper } from './shipper';

const servers: Server[] = [];
const shippers: LogShipper[] = [];
const accepted: Socket[] = [];

afterEach(async () => {
  await Promise.all(shippers.splice(0).map((shipper) => shipper.close(50)));
  for (const socket of accepted.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function listen(onSocket: (socket: Socket) => void, port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    accepted.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { server, port: address.port };
}

async function freePort(): Promise<number> {
  const { server, port } = await listen(() => undefined);
  await new Promise((resolve) => server.close(resolve));
  servers.splice(servers.indexOf(server), 1);
  return port;
}

function shipper(port: number, maxBufferBytes = 64 * 1024): LogShipper {
  const created = new LogShipper({ host: '127.0.0.1', port, maxBufferBytes, minRetryDelayMs: 20, maxRetryDelayMs: 100 });
  shippers.push(created);
  return created;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const line = (i: number) => `${JSON.stringify({ 'message': `line ${i}`, 'trace.id': 'a'.repeat(32), 'pad': 'x'.repeat(200) })}\n`;

describe('LogShipper', () => {
  it('delivers JSON lines over TCP in order', async () => {
    let received = '';
    const { port } = await listen((socket) => socket.on('data', (chunk) => (received += chunk.toString())));
    const ship = shipper(port);
    for (let i = 0; i < 100; i += 1) ship.write(line(i));
    await until(() => received.split('\n').length > 100);
    const messages = received.trim().split('\n').map((text) => (JSON.parse(text) as { message: string }).message);
    expect(messages).toEqual(Array.from({ length: 100 }, (_, i) => `line ${i}`));
    expect(ship.stats()).toMatchObject({ shippedLines: 100, droppedLines: 0, connected: true });
  });

  it('keeps its buffer bounded and drops (counting) when Logstash accepts the connection but never reads', async () => {
    const { port } = await listen((socket) => socket.pause());
    const ship = shipper(port);
    await until(() => ship.stats().connected);
    let slowest = 0;
    for (let i = 0; i < 50_000; i += 1) {
      const started = performance.now();
      ship.write(line(i));
      slowest = Math.max(slowest, performance.now() - started);
    }
    const stats = ship.stats();
    expect(stats.droppedLines).toBeGreaterThan(0);
    expect(stats.bufferedBytes).toBeLessThanOrEqual(64 * 1024);
    expect(stats.shippedLines + stats.droppedLines + stats.bufferedLines).toBe(50_000);
    // What the kernel and the socket hold is bounded too: lines are only handed over while it accepts them.
    expect(stats.shippedLines * line(0).length).toBeLessThan(32 * 1024 * 1024);
    process.stdout.write(`never-reading Logstash: 50000 lines written, slowest write ${slowest.toFixed(3)} ms, shipped ${stats.shippedLines}, dropped ${stats.droppedLines}\n`);
  });

  it('survives a refused connection: never throws, counts drops once full, keeps retrying', async () => {
    const ship = shipper(await freePort(), 16 * 1024);
    for (let i = 0; i < 1_000; i += 1) expect(ship.write(line(i))).toBe(true);
    await until(() => ship.stats().connectFailures >= 2);
    expect(ship.stats()).toMatchObject({ connected: false });
    expect(ship.stats().droppedLines).toBeGreaterThan(0);
  });

  it('delivers what it buffered once Logstash comes up', async () => {
    const port = await freePort();
    const ship = shipper(port);
    for (let i = 0; i < 10; i += 1) ship.write(line(i));
    await until(() => ship.stats().connectFailures >= 1);
    let received = '';
    await listen((socket) => socket.on('data', (chunk) => (received += chunk.toString())), port);
    await until(() => received.split('\n').length > 10);
    expect(ship.stats()).toMatchObject({ shippedLines: 10, droppedLines: 0 });
  });

  it('reconnects after Logstash closes the connection', async () => {
    let received = '';
    const sockets: Socket[] = [];
    const { port } = await listen((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => (received += chunk.toString()));
    });
    const ship = shipper(port);
    ship.write(line(1));
    await until(() => received.includes('line 1'));
    for (const socket of sockets) socket.destroy();
    await until(() => !ship.stats().connected);
    await until(() => ship.stats().connected);
    ship.write(line(2));
    await until(() => received.includes('line 2'));
  });
});
