import { describe, expect, it } from 'vitest';
import { clusterProblem, parseCluster } from './patroni-cluster-info';

// Shape of Patroni 3.0.2's GET /cluster as seen on this machine.
const body = {
  members: [
    { name: 'node1', role: 'sync_standby', state: 'running', api_url: 'http://127.0.0.1:21008/patroni', host: '127.0.0.1', port: 21432, timeline: 1, lag: 0 },
    { name: 'node2', role: 'leader', state: 'running', api_url: 'http://127.0.0.1:21009/patroni', host: '127.0.0.1', port: 21433, timeline: 1 },
    { name: 'node3', role: 'replica', state: 'running', api_url: 'http://127.0.0.1:21010/patroni', host: '127.0.0.1', port: 21434, timeline: 1, lag: 'unknown' },
  ],
};

describe('Patroni /cluster reading', () => {
  it('maps leader to primary and the others to standby, with REST URL, timeline and numeric lag', () => {
    const members = parseCluster(body);
    expect(members.map((m) => [m.name, m.role, m.lagBytes])).toEqual([['node1', 'standby', 0], ['node2', 'primary', null], ['node3', 'standby', null]]);
    expect(members[1]?.restUrl).toBe('http://127.0.0.1:21009');
  });

  it('calls a cluster unsettled until every standby has a known lag and a synchronous standby exists', () => {
    expect(clusterProblem(parseCluster(body), 3)).toBe('1/2 standbys replicating');
    const settled = parseCluster({ members: body.members.map((m) => (m.name === 'node3' ? { ...m, lag: 12 } : m)) });
    expect(clusterProblem(settled, 3)).toBeUndefined();
    const noSync = parseCluster({ members: settled.map((m) => ({ ...m, role: m.patroniRole === 'sync_standby' ? 'replica' : m.patroniRole, lag: m.lagBytes ?? undefined })) });
    expect(clusterProblem(noSync, 3)).toBe('no synchronous standby chosen yet');
  });
});
