// One-shot questions to a single Redis node, used by start-up and `status`.
import { Redis } from 'ioredis';

export interface RedisNodeInfo {
  address: string;
  clusterState: string;
  slotsAssigned: number;
  knownNodes: number;
  role: 'master' | 'replica' | 'unknown';
  /** For a replica: whether its link to the master is up. */
  masterLinkUp: boolean | null;
  /** For a replica: host:port of its master. */
  masterAddress: string | null;
  /** Nodes this node's CLUSTER NODES flags `fail` or `fail?` (a restarted node is still flagged for a moment). */
  failedPeers: number;
}

function field(text: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:(.*)$`, 'm').exec(text);
  return match?.[1]?.trim();
}

export async function probeRedisNode(address: string, timeoutMs = 1000): Promise<RedisNodeInfo> {
  const [host = '127.0.0.1', port = '6379'] = address.split(':');
  const client = new Redis({
    host, port: Number(port), lazyConnect: true, connectTimeout: timeoutMs, commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false,
  });
  // ioredis reports connection errors as events too; without a listener they are printed.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const clusterInfo = String(await client.call('CLUSTER', 'INFO'));
    const replication = await client.info('replication');
    const clusterNodes = String(await client.call('CLUSTER', 'NODES'));
    const failedPeers = clusterNodes.split('\n').filter((line) => {
      const flags = (line.split(' ')[2] ?? '').split(',');
      return flags.includes('fail') || flags.includes('fail?');
    }).length;
    const roleField = field(replication, 'role');
    const isReplica = roleField === 'slave';
    return {
      address,
      clusterState: field(clusterInfo, 'cluster_state') ?? 'unknown',
      slotsAssigned: Number(field(clusterInfo, 'cluster_slots_assigned') ?? 0),
      knownNodes: Number(field(clusterInfo, 'cluster_known_nodes') ?? 0),
      role: roleField === 'master' ? 'master' : isReplica ? 'replica' : 'unknown',
      masterLinkUp: isReplica ? field(replication, 'master_link_status') === 'up' : null,
      masterAddress: isReplica ? `${field(replication, 'master_host') ?? '?'}:${field(replication, 'master_port') ?? '?'}` : null,
      failedPeers,
    };
  } finally {
    client.disconnect();
  }
}

/** Healthy = every node says cluster_state:ok, every replica's link is up, and no node flags another as failed. */
export function redisClusterProblem(nodes: RedisNodeInfo[], expectedMasters: number): string | undefined {
  const notOk = nodes.filter((n) => n.clusterState !== 'ok');
  if (notOk.length > 0) return `cluster_state not ok on ${notOk.map((n) => n.address).join(', ')}`;
  const masters = nodes.filter((n) => n.role === 'master').length;
  if (masters !== expectedMasters) return `${masters}/${expectedMasters} masters`;
  const down = nodes.filter((n) => n.role === 'replica' && n.masterLinkUp !== true);
  if (down.length > 0) return `replica link down on ${down.map((n) => n.address).join(', ')}`;
  const flagging = nodes.filter((n) => n.failedPeers > 0);
  if (flagging.length > 0) return `${flagging.map((n) => n.address).join(', ')} still flag a node as failed`;
  return undefined;
}
