import { describe, expect, it } from 'vitest';
import type { GatewayStatus } from '../api/endpoints';
import { formatBytes, readSystemStatus } from './system-status';

// The shape services/gateway/src/status.ts answers, trimmed.
const report: GatewayStatus = {
  service: 'gateway',
  instance: 'gateway-1',
  status: 'degraded',
  uptime_seconds: 12,
  dependencies: {
    'user-service': {
      status: 'up', required: false, latency_ms: 3,
      details: {
        source: 'discovery',
        instances: [{
          id: 'user-1', origin: 'http://127.0.0.1:21101', version: '0.1.0', breaker: 'closed', outstanding: 2, health: 'up',
          dependencies: {
            'postgres-write': { status: 'up' },
            'postgres-cluster': {
              status: 'up',
              details: {
                primary: 'pg-a', synchronous_standby: 'pg-b', timeline: 3,
                members: [
                  { name: 'pg-a', role: 'primary', patroni_role: 'leader', state: 'running', address: '127.0.0.1:21432', timeline: 3, lag_bytes: null },
                  { name: 'pg-b', role: 'standby', patroni_role: 'sync_standby', state: 'streaming', address: '127.0.0.1:21433', timeline: 3, lag_bytes: 0 },
                ],
              },
            },
          },
        }],
      },
    },
    'order-service': { status: 'down', required: false, latency_ms: 1, error: 'no order instance is registered', details: { source: 'discovery', instances: [] } },
    'stale-cache': { status: 'up', required: false, latency_ms: 2, details: { topology: 'cluster', nodes: [{ address: '127.0.0.1:21601', role: 'master', up: true }, { address: '127.0.0.1:21604', role: 'replica', up: false }] } },
    'discovery': { status: 'up', required: false, latency_ms: 1, details: { endpoints: ['http://127.0.0.1:21379'], namespace: 'eticket' } },
  },
};

describe('readSystemStatus', () => {
  it('lists every upstream with its instances, health and breaker', () => {
    const view = readSystemStatus(report);
    expect(view.overall).toBe('degraded');
    expect(view.upstreams.map((upstream) => [upstream.name, upstream.status, upstream.instances.length])).toEqual([['user', 'up', 1], ['order', 'down', 0]]);
    expect(view.upstreams[0]?.instances[0]).toMatchObject({ id: 'user-1', health: 'up', breaker: 'closed', inFlight: 2 });
    expect(view.upstreams[0]?.instances[0]?.dependencies.map((dependency) => dependency.name)).toEqual(['postgres-write', 'postgres-cluster']);
    expect(view.upstreams[1]?.error).toBe('no order instance is registered');
  });

  it('finds the PostgreSQL roles and lag in a User Service instance\'s report', () => {
    const postgres = readSystemStatus(report).postgres;
    expect(postgres).toMatchObject({ primary: 'pg-a', synchronousStandby: 'pg-b' });
    expect(postgres?.members.map((member) => [member.name, member.role, member.lagBytes])).toEqual([['pg-a', 'primary', null], ['pg-b', 'standby', 0]]);
  });

  it('lists the cache nodes and the other components', () => {
    const view = readSystemStatus(report);
    expect(view.cache).toMatchObject({ topology: 'cluster', nodes: [{ role: 'master', up: true }, { role: 'replica', up: false }] });
    expect(view.others).toEqual([{ name: 'discovery', status: 'up', detail: 'endpoints: http://127.0.0.1:21379; namespace: eticket' }]);
  });

  it('survives a report with fields missing', () => {
    const view = readSystemStatus({ ...report, dependencies: { 'user-service': { status: 'up', required: false, latency_ms: 1, details: { instances: [{}] } } } });
    expect(view.upstreams[0]?.instances[0]).toMatchObject({ id: 'unknown', health: 'unknown', breaker: 'unknown' });
    expect(view.postgres).toBeUndefined();
    expect(view.cache).toBeUndefined();
  });

  it('formats replication lag', () => {
    expect([formatBytes(null), formatBytes(0), formatBytes(2048), formatBytes(3 * 1024 * 1024)]).toEqual(['—', '0 B', '2.0 KiB', '3.0 MiB']);
  });
});
