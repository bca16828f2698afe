import { Cluster } from 'ioredis';
import { platformEnv } from '../setup/platform-env';

/** A client of the platform's Redis Cluster, for a test to read or set the state the services keep there. */
export function platformRedisCluster(): Cluster {
  return new Cluster(platformEnv().REDIS_CLUSTER_NODES.split(',').map((node) => ({ host: node.split(':')[0]!, port: Number(node.split(':')[1]) })));
}
