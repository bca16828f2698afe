import { Gauge, type Registry } from 'prom-client';
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
