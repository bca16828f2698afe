import { randomUUID } from 'node:crypto';
import { eventually } from '../support/eventually';
import type { ServiceProcess } from '../support/service-process';
import { clusterCacheEnv, NO_RATE_LIMITS, ServiceStack, type ServiceInstance } from '../support/service-stack';

// Two User Service instances (and, when asked, Ticket Order Service instances) and a gateway as real processes, found through
// the platform's etcd under a registry namespace of their own (so no other
// test's instances join their pools), with the platform's Redis Cluster for
// rate limits and stale copies. Ports are fixed for the stack's life so an
// instance can be killed and started again where it was.

export const LEASE_TTL_SECONDS = 5;
export const READ_TIMEOUT_MS = 2_000;

export interface InstanceStatus {
  readonly id: string;
  readonly breaker: string;
  readonly health: string;
}

export class ChaosStack {
  private constructor(
    private readonly services: ServiceStack,
    readonly admin: { readonly email: string; readonly password: string },
  ) {}

  /** `notStarted`: instances given their ports but left for the test to start (`startUser`), e.g. to join during a fault. */
  static async start(name: string, userIds: readonly string[] = ['user-a', 'user-b'], orderIds: readonly string[] = [], notStarted: readonly string[] = []): Promise<ChaosStack> {
    const admin = { email: `chaos-admin-${randomUUID().slice(0, 8)}@example.test`, password: 'chaos-admin-password' };
    const services = await ServiceStack.start({
      name,
      users: userIds,
      orders: orderIds,
      gateway: true,
      registry: { namespace: `chaos-${randomUUID().slice(0, 8)}`, leaseTtlSeconds: LEASE_TTL_SECONDS },
      admin,
      notStarted,
      // The tests name the service instances by these ids, as the gateway's /status lists them.
      instanceName: (kind, id) => (kind === 'gateway' ? `${name}-${id}` : id),
      env: { gateway: { ...clusterCacheEnv(), ...NO_RATE_LIMITS, ROUTE_TIMEOUT_READ_MS: String(READ_TIMEOUT_MS) } },
    });
    const stack = new ChaosStack(services, admin);
    try {
      await stack.waitForInstances(userIds.filter((id) => !notStarted.includes(id)));
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get gatewayUrl(): string {
    return this.services.gatewayUrl;
  }

  /** The registry namespace its instances register under. */
  get namespace(): string {
    const namespace = this.services.options.registry?.namespace;
    if (namespace === undefined) throw new Error('a chaos stack always has a registry namespace');
    return namespace;
  }

  get users(): readonly ServiceInstance[] {
    return this.services.all('user');
  }

  user(id: string): ServiceInstance {
    return this.services.get('user', id);
  }

  /** Starts (again) a User Service instance where it was. */
  async startUser(id: string): Promise<ServiceProcess> {
    return this.services.start(this.user(id));
  }

  /** The user instances in the gateway's pool, as its /status reports them. */
  async instances(): Promise<InstanceStatus[]> {
    const response = await fetch(`${this.gatewayUrl}/status`, { signal: AbortSignal.timeout(5_000) });
    const report = (await response.json()) as { dependencies: Record<string, { details?: { instances?: InstanceStatus[] } }> };
    return report.dependencies['user-service']?.details?.instances ?? [];
  }

  /**
   * Waits until the gateway lists every instance with a closed breaker. A
   * breaker changes state only on calls (an open one half-opens on the next
   * request), so this sends reads meanwhile, as live traffic would.
   */
  async waitForInstances(ids: readonly string[], timeoutMs = 20_000): Promise<void> {
    await eventually(`the gateway to list ${ids.join(', ')} with closed breakers`, async () => {
      await Promise.all(Array.from({ length: 4 }, () => fetch(`${this.gatewayUrl}/event?limit=1`).then((response) => response.arrayBuffer())));
      const listed = await this.instances();
      return ids.every((id) => listed.some((instance) => instance.id === id && instance.breaker === 'closed')) ? true : undefined;
    }, timeoutMs, 200);
  }

  /** eticket_breaker_transitions_total for one user instance, by the state entered. */
  async transitions(instance: string): Promise<Record<string, number>> {
    const text = await (await fetch(`${this.gatewayUrl}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith('eticket_breaker_transitions_total{')) continue;
      const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
      if (labels.upstream !== 'user' || labels.instance !== instance || labels.state === undefined) continue;
      out[labels.state] = Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return out;
  }

  async token(): Promise<string> {
    return (await this.services.session()).token;
  }

  /** The admin's access token and user id, from a login through the gateway. */
  session(): Promise<{ token: string; userId: string }> {
    return this.services.session();
  }

  /** A new event through the gateway; its id. */
  event(seats = 1_000): Promise<string> {
    return this.services.event(seats);
  }

  async stop(): Promise<void> {
    await this.services.stop();
  }
}
