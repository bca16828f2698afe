import { describe, expect, it } from 'vitest';
import { portOverridesFromEnv, portsFor } from './ports';

describe('port block', () => {
  it('derives every port from the base as documented (47000 → etcd 47379, HAProxy 47500/47501, Patroni REST 47008-47010)', () => {
    const ports = portsFor(47000);
    expect(ports.etcdClient).toBe(47379);
    expect(ports.etcdPeer).toBe(47380);
    expect(ports.pgNodes).toEqual([47432, 47433, 47434]);
    expect(ports.patroniRest).toEqual([47008, 47009, 47010]);
    expect([ports.haproxyWrite, ports.haproxyRead, ports.haproxyStats]).toEqual([47500, 47501, 47502]);
    expect(ports.warehouse).toBe(47442);
    expect(ports.redis).toEqual([47601, 47602, 47603, 47604, 47605, 47606]);
    expect(ports.ferretdb).toBe(47017);
    expect(ports.ringNodes).toEqual([47651, 47652, 47653, 47654, 47655, 47656]);
    expect(ports.sentinels).toEqual([47661, 47662, 47663]);
  });

  it('has no two components on one port', () => {
    const p = portsFor(48000);
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
