import { describe, expect, it } from 'vitest';
import { clusterProblem, parseCluster } from './patroni-cluster';

// A real answer of Patroni 3.0.2's GET /cluster on the local platform, after one failover.
const healthy = {
  members: [
    { name: 'node1', role: 'leader', state: 'running', api_url: 'http://127.0.0.1:16008/patroni', host: '127.0.0.1', port: 16432, timeline: 4 },
    { name: 'node2', role: 'sync_standby', state: 'running', api_url: 'http://127.0.0.1:16009/patroni', host: '127.0.0.1', port: 16433, timeline: 4, lag: 0 },
    { name: 'node3', role: 'replica', state: 'running', api_url: 'http://127.0.0.1:16010/patroni', host: '127.0.0.1', port: 16434, timeline: 4, lag: 120 },
  ],
};

describe('Patroni /cluster', () => {
  it('gives each node its role, state, timeline and lag', () => {
    expect(parseCluster(healthy)).toEqual([
      { name: 'node1', role: 'primary', patroni_role: 'leader', state: 'running', address: '127.0.0.1:16432', timeline: 4, lag_bytes: null },
      { name: 'node2', role: 'standby', patroni_role: 'sync_standby', state: 'running', address: '127.0.0.1:16433', timeline: 4, lag_bytes: 0 },
      { name: 'node3', role: 'standby', patroni_role: 'replica', state: 'running', address: '127.0.0.1:16434', timeline: 4, lag_bytes: 120 },
    ]);
    expect(clusterProblem(parseCluster(healthy), 3, 1024)).toBeUndefined();
  });

  it('reads a rejoining node that reports no lag or timeline yet, and an unknown lag', () => {
    const [member] = parseCluster({ members: [{ name: 'node1', role: 'replica', state: 'stopped', lag: 'unknown' }] });
    expect(member).toEqual({ name: 'node1', role: 'standby', patroni_role: 'replica', state: 'stopped', address: '?:?', timeline: null, lag_bytes: null });
  });

  it('names what is wrong', () => {
    const members = parseCluster(healthy);
    const [leader, sync, replica] = members;
    expect(clusterProblem([sync!, replica!], 3, 1024)).toBe('0 running primaries');
    expect(clusterProblem([leader!, sync!], 3, 1024)).toBe('2 of 3 nodes in the cluster');
    expect(clusterProblem([leader!, sync!, { ...replica!, state: 'starting', lag_bytes: null }], 3, 1024)).toBe('not running: node3 (starting)');
    expect(clusterProblem(members, 3, 100)).toBe('lagging: node3 (120 B)');
    expect(clusterProblem([leader!, { ...sync!, patroni_role: 'replica' }, replica!], 3, 1024)).toBe('no synchronous standby');
  });

  it('refuses an answer that is not a cluster', () => {
    expect(() => parseCluster({ state: 'running' })).toThrow(/unexpected answer/);
    expect(() => parseCluster('<html>')).toThrow(/unexpected answer/);
  });
});
