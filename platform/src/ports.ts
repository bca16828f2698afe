// The platform's port block. Every port derives from one base (default 21000)
// so a second platform (tests use 20000, the CLI test 19000) never collides
// with a developer's running one, and none of the usual ports (5432, 6379,
// 2379, 27017) is touched. The blocks, and the Redis Cluster bus ports at
// +10000, stay below Linux's ephemeral range (32768-60999): there, any
// outgoing loopback connection could take one of our ports as its local port
// and make a server's bind fail (seen here before the move).
import { createServer } from 'node:net';

export const DEFAULT_BASE_PORT = 21000;

export interface PortMap {
  etcdClient: number;
  etcdPeer: number;
  /** PostgreSQL port of each Patroni node, in node order. */
  pgNodes: readonly [number, number, number];
  /** Patroni REST port of each node, same order as pgNodes. */
  patroniRest: readonly [number, number, number];
  haproxyWrite: number;
  haproxyRead: number;
  haproxyStats: number;
  warehouse: number;
  /** Redis Cluster: 3 masters + 3 replicas. */
  redis: readonly [number, number, number, number, number, number];
  /**
   * Sentinel ring: shard cache-i is a primary on ringNodes[2i] and its
   * replica on ringNodes[2i+1] (at start; Sentinel may swap them later).
   */
  ringNodes: readonly [number, number, number, number, number, number];
  /** The three redis-sentinel processes watching every ring shard. */
  sentinels: readonly [number, number, number];
  ferretdb: number;
}

export function portsFor(base: number = DEFAULT_BASE_PORT): PortMap {
  return {
    etcdClient: base + 379,
    etcdPeer: base + 380,
    pgNodes: [base + 432, base + 433, base + 434],
    patroniRest: [base + 8, base + 9, base + 10],
    haproxyWrite: base + 500,
    haproxyRead: base + 501,
    haproxyStats: base + 502,
    warehouse: base + 442,
    redis: [base + 601, base + 602, base + 603, base + 604, base + 605, base + 606],
    ringNodes: [base + 651, base + 652, base + 653, base + 654, base + 655, base + 656],
    sentinels: [base + 661, base + 662, base + 663],
    ferretdb: base + 17,
  };
}

function intFrom(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${key}=${raw} is not a port number`);
  return value;
}

function listFrom(env: NodeJS.ProcessEnv, key: string, length: number): number[] | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const values = raw.split(',').map((item) => Number(item.trim()));
  if (values.length !== length || values.some((v) => !Number.isInteger(v) || v <= 0 || v > 65535)) {
    throw new Error(`${key}=${raw} must list ${length} port numbers separated by commas`);
  }
  return values;
}

/**
 * Per-port overrides read from the environment (the CLI applies them; the
 * library only takes explicit options so tests are not steered by a shell).
 */
export function portOverridesFromEnv(env: NodeJS.ProcessEnv): Partial<PortMap> {
  const out: Partial<PortMap> = {};
  const single: Array<[keyof PortMap, string]> = [
    ['etcdClient', 'ETICKET_PORT_ETCD_CLIENT'],
    ['etcdPeer', 'ETICKET_PORT_ETCD_PEER'],
    ['haproxyWrite', 'ETICKET_PORT_HAPROXY_WRITE'],
    ['haproxyRead', 'ETICKET_PORT_HAPROXY_READ'],
    ['haproxyStats', 'ETICKET_PORT_HAPROXY_STATS'],
    ['warehouse', 'ETICKET_PORT_WAREHOUSE'],
    ['ferretdb', 'ETICKET_PORT_FERRETDB'],
  ];
  const record = out as Record<string, unknown>;
  for (const [key, envKey] of single) {
    const value = intFrom(env, envKey);
    if (value !== undefined) record[key] = value;
  }
  const pg = listFrom(env, 'ETICKET_PORTS_PG_NODES', 3);
  if (pg) out.pgNodes = pg as unknown as PortMap['pgNodes'];
  const rest = listFrom(env, 'ETICKET_PORTS_PATRONI_REST', 3);
  if (rest) out.patroniRest = rest as unknown as PortMap['patroniRest'];
  const redis = listFrom(env, 'ETICKET_PORTS_REDIS', 6);
  if (redis) out.redis = redis as unknown as PortMap['redis'];
  const ring = listFrom(env, 'ETICKET_PORTS_REDIS_RING', 6);
  if (ring) out.ringNodes = ring as unknown as PortMap['ringNodes'];
  const sentinels = listFrom(env, 'ETICKET_PORTS_SENTINELS', 3);
  if (sentinels) out.sentinels = sentinels as unknown as PortMap['sentinels'];
  return out;
}

/** Base port from `ETICKET_BASE_PORT`, else the default. */
export function basePortFromEnv(env: NodeJS.ProcessEnv): number {
  return intFrom(env, 'ETICKET_BASE_PORT') ?? DEFAULT_BASE_PORT;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolveFree(true)));
  });
}

/**
 * Fails fast, naming the port and its owner, instead of letting a component
 * die later with an "address in use" buried in its log.
 */
export async function assertPortsFree(ports: Array<{ port: number; owner: string }>): Promise<void> {
  const busy: string[] = [];
  await Promise.all(ports.map(async ({ port, owner }) => {
    if (!(await isFree(port))) busy.push(`${port} (${owner})`);
  }));
  if (busy.length > 0) {
    throw new Error(`ports already in use: ${busy.sort().join(', ')}. Stop whatever holds them (\`tsx platform/src/cli.ts down\`?) or pick another --base-port.`);
  }
}
