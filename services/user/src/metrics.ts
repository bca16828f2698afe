import { Counter, Gauge, type Registry } from 'prom-client';
import type { HubStats } from './app/live-hub';
import { fetchCluster } from './store/patroni-cluster';

/**
 * PostgreSQL replication as Patroni reports it, read at scrape time (one
 * GET /cluster, 1 s at most; nothing is polled between scrapes):
 * - eticket_pg_replication_lag_bytes{member,role}: WAL bytes behind the primary (standbys; unknown lag is not reported);
 * - eticket_pg_member_up{member,role,patroni_role}: 1 running/streaming, 0 otherwise;
 * - eticket_pg_cluster_reachable: 0 when no Patroni member answered.
 */
export function registerReplicationMetrics(registry: Registry, patroniRestUrls: readonly string[]): void {
  const reachable = new Gauge({ name: 'eticket_pg_cluster_reachable', help: 'Whether a Patroni member answered GET /cluster at this scrape', registers: [registry] });
  const up = new Gauge({ name: 'eticket_pg_member_up', help: 'PostgreSQL members as Patroni reports them (1 running or streaming)', labelNames: ['member', 'role', 'patroni_role'], registers: [registry] });
  new Gauge({
    name: 'eticket_pg_replication_lag_bytes',
    help: 'Bytes of WAL a standby is behind the primary, from Patroni',
    labelNames: ['member', 'role'],
    registers: [registry],
    async collect() {
      this.reset();
      up.reset();
      try {
        const members = await fetchCluster(patroniRestUrls, 1_000);
        reachable.set(1);
        for (const member of members) {
          up.set({ member: member.name, role: member.role, patroni_role: member.patroni_role }, member.state === 'running' || member.state === 'streaming' ? 1 : 0);
          if (member.role === 'standby' && member.lag_bytes !== null) this.set({ member: member.name, role: member.role }, member.lag_bytes);
        }
      } catch {
        reachable.set(0);
      }
    },
  });
}

/**
 * Live notification sockets on this instance, read from the hub at scrape time:
 * - eticket_websocket_connections{side="service"}, eticket_websocket_users, eticket_websocket_watched_events
 * - eticket_websocket_dropped_total{reason=slow|dead}: connections closed because the client could not keep up or stopped answering.
 */
export function registerWebSocketMetrics(registry: Registry, stats: () => HubStats): void {
  const registers = [registry];
  const gauge = (name: string, help: string, labels: Record<string, string>, value: (s: HubStats) => number) => new Gauge({
    name, help, registers, labelNames: Object.keys(labels),
    collect() {
      this.set(labels, value(stats()));
    },
  });
  gauge('eticket_websocket_connections', 'Open WebSocket connections', { side: 'service' }, (s) => s.connections);
  gauge('eticket_websocket_users', 'Users with at least one open notification socket', {}, (s) => s.users);
  gauge('eticket_websocket_watched_events', 'Events some open socket watches for availability', {}, (s) => s.watchedEvents);
  new Counter({
    name: 'eticket_websocket_dropped_total', help: 'Sockets closed by the server: the client was too slow or stopped answering heart-beats', labelNames: ['reason'], registers,
    collect() {
      const s = stats();
      this.reset();
      this.inc({ reason: 'slow' }, s.droppedSlow);
      this.inc({ reason: 'dead' }, s.droppedDead);
    },
  });
}
