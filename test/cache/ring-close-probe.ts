// Run as a child process by ring.test.ts: opens a RingBackend on the
// platform's Sentinel ring, waits until every shard client is connected
// (which arms ioredis's failover detector: one subscriber per Sentinel),
// closes it, and then must exit on its own — nothing may keep it alive.
import { RingBackend } from '../../packages/cache/src/index';

const [sentinels = '', shards = ''] = process.argv.slice(2);
const backend = new RingBackend({ shards: shards.split(',').map((name) => ({ name })), sentinels: sentinels.split(','), commandTimeoutMs: 250 });
const until = Date.now() + 10_000;
while (!(await backend.nodes()).filter((n) => n.role === 'master').every((n) => n.up)) {
  if (Date.now() > until) throw new Error('ring clients not connected within 10 s');
  await new Promise((resolve) => setTimeout(resolve, 100));
}
// Let the failover detectors subscribe.
await new Promise((resolve) => setTimeout(resolve, 500));
await backend.close();
process.stdout.write('closed\n');
