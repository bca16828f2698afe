// One-shot questions to the Sentinels of the cache ring and to the shard
// primaries they name, used by start-up (readiness), restarts and `status`.
// "Healthy" means a failover would work right now: every Sentinel is up,
// watches every shard with all the other Sentinels, and knows a live replica;
// every shard's primary answers as a master with a replica online.
import { Redis } from 'ioredis';

export interface SentinelView {
  address: string;
  up: boolean;
  /** First problem this Sentinel shows, or 'ok'. */
  detail: string;
  /** Shard name → primary address this Sentinel names. */
  primaries: Record<string, string>;
}

export interface RingShardInfo {
  name: string;
  /** host:port the Sentinels name as primary (the majority's answer), null when none answers. */
  primary: string | null;
  /** How many of the answering Sentinels name that primary. */
  sentinelsAgreeing: number;
  sentinelsAnswering: number;
  primaryUp: boolean;
  /** The primary's own INFO: 'master' when it is one. */
  primaryRole: string;
  /** Replicas as the primary reports them; online = replication link up. */
  replicas: Array<{ address: string; online: boolean }>;
}

export interface RingProbe {
  sentinels: SentinelView[];
  shards: RingShardInfo[];
}

function connect(address: string, timeoutMs: number): Redis {
  const [host = '127.0.0.1', port = '26379'] = address.split(':');
  const client = new Redis({
    host, port: Number(port), lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, enableReadyCheck: false,
  });
  // ioredis reports connection errors as events too; without a listener they are printed.
  client.on('error', () => undefined);
  return client;
}

/** SENTINEL MASTERS / REPLICAS answer flat [k, v, k, v, ...] arrays. */
function records(reply: unknown): Array<Record<string, string>> {
  if (!Array.isArray(reply)) return [];
  return reply.map((flat) => {
    const out: Record<string, string> = {};
    if (Array.isArray(flat)) for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
    return out;
  });
}

async function askSentinel(address: string, shards: readonly string[], sentinelCount: number, timeoutMs: number): Promise<SentinelView> {
  const client = connect(address, timeoutMs);
  try {
    await client.connect();
    const masters = new Map(records(await client.call('SENTINEL', 'MASTERS')).map((m) => [m.name ?? '', m]));
    const primaries: Record<string, string> = {};
    const problems: string[] = [];
    for (const shard of shards) {
      const master = masters.get(shard);
      if (master === undefined) {
        problems.push(`does not watch ${shard}`);
        continue;
      }
      primaries[shard] = `${master.ip ?? '?'}:${master.port ?? '?'}`;
      if (master.flags !== 'master') problems.push(`${shard} flags ${master.flags ?? '?'}`);
      const others = Number(master['num-other-sentinels'] ?? 0);
      if (others < sentinelCount - 1) problems.push(`${shard}: knows ${others}/${sentinelCount - 1} other sentinels`);
      const replicas = records(await client.call('SENTINEL', 'REPLICAS', shard));
      if (!replicas.some((r) => r.flags === 'slave')) problems.push(`${shard}: no live replica known`);
    }
    return { address, up: true, detail: problems.length === 0 ? 'ok' : problems.join('; '), primaries };
  } catch (error) {
    return { address, up: false, detail: `unreachable (${error instanceof Error ? error.message : String(error)})`, primaries: {} };
  } finally {
    client.disconnect();
  }
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
}

async function askPrimary(address: string, timeoutMs: number): Promise<{ up: boolean; role: string; replicas: RingShardInfo['replicas'] }> {
  const client = connect(address, timeoutMs);
  try {
    await client.connect();
    const info = await client.info('replication');
    // slave0:ip=127.0.0.1,port=20652,state=online,offset=123,lag=0
    const replicas = [...info.matchAll(/^slave\d+:(.*)$/gm)].map((m) => {
      const kv = Object.fromEntries((m[1] ?? '').trim().split(',').map((pair) => pair.split('=') as [string, string]));
      return { address: `${kv.ip ?? '?'}:${kv.port ?? '?'}`, online: kv.state === 'online' };
    });
    return { up: true, role: field(info, 'role') ?? 'unknown', replicas };
  } catch {
    return { up: false, role: 'unreachable', replicas: [] };
  } finally {
    client.disconnect();
  }
}

/** Every address answers as a master with at least one replica online. */
export async function primariesInSync(primaries: readonly string[], timeoutMs = 1000): Promise<boolean> {
  const nodes = await Promise.all(primaries.map((p) => askPrimary(p, timeoutMs)));
  return nodes.every((n) => n.role === 'master' && n.replicas.some((r) => r.online));
}

function majority(answers: string[]): { value: string | null; count: number } {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best: { value: string | null; count: number } = { value: null, count: 0 };
  for (const [value, count] of counts) if (count > best.count) best = { value, count };
  return best;
}

export async function probeRing(sentinels: readonly string[], shards: readonly string[], timeoutMs = 1000): Promise<RingProbe> {
  const views = await Promise.all(sentinels.map((s) => askSentinel(s, shards, sentinels.length, timeoutMs)));
  const infos = await Promise.all(shards.map(async (name): Promise<RingShardInfo> => {
    const answers = views.flatMap((v) => (v.primaries[name] !== undefined ? [v.primaries[name]] : []));
    const { value: primary, count } = majority(answers);
    const node = primary === null ? { up: false, role: 'unknown', replicas: [] } : await askPrimary(primary, timeoutMs);
    return {
      name, primary, sentinelsAgreeing: count, sentinelsAnswering: answers.length,
      primaryUp: node.up, primaryRole: node.role, replicas: node.replicas,
    };
  }));
  return { sentinels: views, shards: infos };
}

/** undefined when the ring could fail over any shard right now, else the first problem. */
export function ringProblem(probe: RingProbe): string | undefined {
  const sentinelIssue = probe.sentinels.find((s) => s.detail !== 'ok');
  if (sentinelIssue) return `sentinel ${sentinelIssue.address}: ${sentinelIssue.detail}`;
  for (const shard of probe.shards) {
    if (shard.primary === null) return `${shard.name}: no sentinel names a primary`;
    if (shard.sentinelsAgreeing < shard.sentinelsAnswering) return `${shard.name}: sentinels disagree on the primary`;
    if (!shard.primaryUp) return `${shard.name}: primary ${shard.primary} unreachable`;
    if (shard.primaryRole !== 'master') return `${shard.name}: ${shard.primary} is a ${shard.primaryRole}, not a master`;
    if (!shard.replicas.some((r) => r.online)) return `${shard.name}: no replica online`;
  }
  return undefined;
}

/**
 * The shard's primary as the Sentinels name it now (first answer), or
 * undefined when none answers in time.
 */
export async function sentinelPrimary(sentinels: readonly string[], shard: string, timeoutMs = 500): Promise<string | undefined> {
  for (const address of sentinels) {
    const client = connect(address, timeoutMs);
    try {
      await client.connect();
      const reply = await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', shard);
      if (Array.isArray(reply) && reply.length === 2) return `${String(reply[0])}:${String(reply[1])}`;
    } catch {
      // Next sentinel.
    } finally {
      client.disconnect();
    }
  }
  return undefined;
}
