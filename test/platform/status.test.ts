// status() (platformStatus over the env contract) reports real health.
import { describe, expect, it } from 'vitest';
import { platformStatus } from '../../platform/src/index';
import { platformEnv } from '../setup/platform-env';

describe('platform status', () => {
  it('reports one primary and two standbys with timeline and lag, Redis cluster_state ok, and every component healthy', async () => {
    const status = await platformStatus(platformEnv());
    const nodes = status.userDb.nodes;
    expect(nodes).toHaveLength(3);
    expect(nodes.filter((n) => n.role === 'primary')).toHaveLength(1);
    const standbys = nodes.filter((n) => n.role === 'standby');
    expect(standbys).toHaveLength(2);
    for (const node of nodes) expect(node.timeline).toBeGreaterThanOrEqual(1);
    for (const standby of standbys) expect(typeof standby.lagBytes).toBe('number');
    expect(status.userDb.write.inRecovery).toBe(false);
    expect(status.userDb.read.inRecovery).toBe(true);

    expect(status.redis.clusterState).toBe('ok');
    expect(status.redis.nodes.filter((n) => n.role === 'master')).toHaveLength(3);
    expect(status.redis.nodes.filter((n) => n.role === 'replica' && n.masterLinkUp)).toHaveLength(3);

    expect(status.etcd.healthy).toBe(true);
    expect(status.ferretdb.healthy).toBe(true);
    expect(status.warehouse.healthy).toBe(true);
    expect(status.healthy).toBe(true);
    expect(status.rows.every((r) => r.healthy)).toBe(true);
  });
});
