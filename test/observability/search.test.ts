import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogCollector } from '../../platform/src/search/log-collector';
import { startSearchServer, type RunningSearch } from '../../platform/src/search/server';
import { eventually } from '../support/eventually';
import { startObservedStack, type ObservedStack } from './stack';

// A real search server (OpenSearch 2.19.6 from Maven Central, built once into
// ~/.cache/e-ticket) and the local log collector in Logstash's place: the
// gateway, order and user processes ship their logs over TCP (LOGSTASH_URL),
// and one order's lines are found in the index, from all three services, by
// its trace id.

const HOME = fileURLToPath(new URL(`../../.data/test-search/${randomUUID().slice(0, 8)}`, import.meta.url));

let search: RunningSearch | undefined;
let collector: LogCollector | undefined;
let stack: ObservedStack | undefined;

/** A free port whose successor is free too (the search server's transport port). */
async function freePortPair(): Promise<number> {
  const tryListen = (port: number) => new Promise<number | undefined>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : undefined));
    });
  });
  for (;;) {
    const port = await tryListen(0);
    if (port !== undefined && port < 65_000 && (await tryListen(port + 1)) !== undefined) return port;
  }
}

beforeAll(async () => {
  mkdirSync(HOME, { recursive: true });
  const started = Date.now();
  search = await startSearchServer(HOME, await freePortPair(), (line) => process.stdout.write(`${line}\n`));
  process.stdout.write(`search server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (build included when the cache was cold)\n`);
  collector = await LogCollector.start(search.url);
  stack = await startObservedStack({ LOGSTASH_URL: collector.url });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await collector?.close();
  await search?.stop();
  rmSync(HOME, { recursive: true, force: true });
}, 60_000);

interface Hit {
  readonly _source: Record<string, unknown> & { service?: { name?: string } };
}

describe('logs in a real search server', () => {
  it('finds one order\'s log lines from the gateway, the order service and the user service by trace id', async () => {
    const eventId = await stack!.event(20);
    const token = await stack!.token();
    const traceId = randomUUID().replaceAll('-', '');
    const response = await fetch(`${stack!.gatewayUrl}/order`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'authorization': `Bearer ${token}`, 'idempotency-key': randomUUID(), 'traceparent': `00-${traceId}-b7ad6b7169203331-01` },
      body: JSON.stringify({ event_id: eventId, quantity: 1 }),
    });
    expect(response.status).toBe(201);

    let seen = '';
    const hits = await eventually('the order\'s lines from three services in the index', async () => {
      await fetch(`${search!.url}/eticket-logs-*/_refresh`, { method: 'POST' });
      const result = await fetch(`${search!.url}/eticket-logs-*/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ size: 200, query: { term: { 'trace.id': traceId } }, sort: [{ '@timestamp': 'asc' }] }),
      });
      const found = ((await result.json()) as { hits?: { hits?: Hit[] } }).hits?.hits ?? [];
      const services = new Set(found.map((hit) => hit._source.service?.name));
      seen = `${[...services].join(', ')}; collector ${JSON.stringify(collector!.stats())}`;
      return services.has('gateway') && services.has('order') && services.has('user') ? found : undefined;
    }, 30_000, 500).catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (saw: ${seen})`);
    });

    const messages = hits.map((hit) => `${hit._source.service?.name}: ${String(hit._source.message)}`);
    expect(messages).toContain('gateway: request completed');
    expect(messages).toContain('order: request completed');
    expect(messages).toContain('user: grpc call served');
    expect(collector!.stats().dropped).toBe(0);
    process.stdout.write(`trace ${traceId}: ${hits.length} lines in the index\n${messages.map((line) => `  ${line}`).join('\n')}\n`);
  });

  it('holds no secret the requests carried', async () => {
    const token = await stack!.token();
    await fetch(`${stack!.gatewayUrl}/event?limit=1&token=${token}`, { headers: { authorization: `Bearer ${token}` } });
    await eventually('the request indexed', async () => {
      await fetch(`${search!.url}/eticket-logs-*/_refresh`, { method: 'POST' });
      const result = await fetch(`${search!.url}/eticket-logs-*/_search?q=${encodeURIComponent('url.query:"limit=1&token=[redacted]"')}`);
      return (((await result.json()) as { hits?: { total?: { value?: number } } }).hits?.total?.value ?? 0) > 0 ? true : undefined;
    }, 20_000, 500);
    const signature = token.split('.')[2]!;
    const everything = await (await fetch(`${search!.url}/eticket-logs-*/_search?size=10000`)).text();
    expect(everything).not.toContain(signature);
  });
});
