import { describe, expect, it } from 'vitest';
import { portOverridesFromEnv, portsFor } from './ports';

describe('port block', () => {
  it('derives every port from the base as documented (21000 → etcd 21379, HAProxy 21500/21501, Patroni REST 21008-21010)', () => {
    const ports = portsFor(21000);
    expect(ports.etcdClient).toBe(21379);
    expect(ports.etcdPeer).toBe(21380);
    expect(ports.pgNodes).toEqual([21432, 21433, 21434]);
    expect(ports.patroniRest).toEqual([21008, 21009, 21010]);
    expect([ports.haproxyWrite, ports.haproxyRead, ports.haproxyStats]).toEqual([21500, 21501, 21502]);
    expect(ports.warehouse).toBe(21442);
    expect(ports.redis).toEqual([21601, 21602, 21603, 21604, 21605, 21606]);
    expect(ports.ferretdb).toBe(21017);
    expect(ports.ringNodes).toEqual([21651, 21652, 21653, 21654, 21655, 21656]);
    expect(ports.sentinels).toEqual([21661, 21662, 21663]);
  });

  it('has no two components on one port', () => {
    const p = portsFor(20000);
    const all = [
      p.etcdClient, p.etcdPeer, ...p.pgNodes, ...p.patroniRest, p.haproxyWrite, p.haproxyRead, p.haproxyStats, p.warehouse,
      ...p.redis, ...p.ringNodes, ...p.sentinels, p.ferretdb,
    ];
    expect(new Set(all).size).toBe(all.length);
  });

  it('reads per-port overrides from the environment and rejects malformed ones', () => {
    expect(portOverridesFromEnv({ ETICKET_PORT_HAPROXY_WRITE: '6000', ETICKET_PORTS_PG_NODES: '1,2,3' })).toEqual({ haproxyWrite: 6000, pgNodes: [1, 2, 3] });
    expect(() => portOverridesFromEnv({ ETICKET_PORTS_REDIS: '1,2' })).toThrow(/6 port numbers/);
    expect(portOverridesFromEnv({ ETICKET_PORTS_SENTINELS: '7,8,9' })).toEqual({ sentinels: [7, 8, 9] });
    expect(() => portOverridesFromEnv({ ETICKET_PORTS_REDIS_RING: '1,2,3' })).toThrow(/6 port numbers/);
    expect(() => portOverridesFromEnv({ ETICKET_PORT_FERRETDB: 'abc' })).toThrow(/not a port/);
  });
});
