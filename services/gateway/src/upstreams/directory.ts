import { httpUrlOf, type InstanceSource, type ServiceInstance } from '@eticket/discovery';
import { RetryBudget, UpstreamPool, type BreakerListener, type MemberStatus, type PoolSettings } from '@eticket/resilience';
import { isInstanceFailure } from '../proxy/attempt';

/** The services behind the gateway. */
export const UPSTREAMS = ['user', 'order', 'etl', 'web'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];
/**
 * Optional upstreams: a deployment without the ETL service only loses
 * /reports/*, one without the web service only the browser UI at `/`.
 */
export type OptionalUpstream = 'etl' | 'web';
export type UpstreamSources = Readonly<Record<Exclude<UpstreamName, OptionalUpstream>, InstanceSource> & Partial<Record<OptionalUpstream, InstanceSource>>>;

/** One instance the gateway can send HTTP requests to. */
export interface HttpTarget {
  readonly id: string;
  /** `http://host:port` */
  readonly origin: string;
  readonly instance: ServiceInstance;
}

/** An upstream service: its balanced instances and the retry budget all its requests share. */
export interface Upstream {
  readonly name: UpstreamName;
  readonly pool: UpstreamPool<HttpTarget>;
  readonly budget: RetryBudget;
}

export interface InstanceView extends MemberStatus {
  readonly origin: string;
  readonly version: string;
  readonly registeredAt: string;
}

export interface DirectorySettings {
  readonly pool: PoolSettings;
  readonly retryBudgetRatio: number;
  readonly onBreakerChange: BreakerListener;
}

function targetsOf(instances: readonly ServiceInstance[]): HttpTarget[] {
  return instances.flatMap((instance) => {
    const origin = httpUrlOf(instance);
    return origin === undefined ? [] : [{ id: instance.id, origin, instance }];
  });
}

/**
 * Every upstream's pool, fed by its instance source: a registry watcher
 * (discovery) or a fixed origin (static override). Routes only ever ask for
 * `upstream(name)`, so where instances come from is decided here alone.
 */
export class UpstreamDirectory {
  private readonly upstreams: Map<UpstreamName, Upstream>;

  constructor(
    private readonly sources: Readonly<Record<UpstreamName, InstanceSource>>,
    settings: DirectorySettings,
  ) {
    this.upstreams = new Map(UPSTREAMS.map((name) => {
      const pool = new UpstreamPool<HttpTarget>(name, settings.pool, {
        onBreakerChange: settings.onBreakerChange,
        isFailure: isInstanceFailure,
        sameTarget: (a, b) => a.origin === b.origin,
      });
      const source = sources[name];
      source.on('change', (instances) => pool.setTargets(targetsOf(instances)));
      pool.setTargets(targetsOf(source.instances()));
      // Budget: 10 % extra load by default, a reserve of 20 retries for a quiet gateway's first failures.
      return [name, { name, pool, budget: new RetryBudget(settings.retryBudgetRatio, 20, 20) }];
    }));
  }

  upstream(name: UpstreamName): Upstream {
    const upstream = this.upstreams.get(name);
    if (upstream === undefined) throw new Error(`unknown upstream ${name}`);
    return upstream;
  }

  /** Every registered instance of every upstream with its breaker state, for /status. */
  describe(): Record<UpstreamName, InstanceView[]> {
    const out = {} as Record<UpstreamName, InstanceView[]>;
    for (const [name, { pool }] of this.upstreams) {
      out[name] = pool.status().map((member) => {
        const target = pool.targetOf(member.id);
        return { ...member, origin: target?.origin ?? '', version: target?.instance.version ?? 'unknown', registeredAt: target?.instance.registeredAt ?? '' };
      });
    }
    return out;
  }

  async close(): Promise<void> {
    for (const { pool } of this.upstreams.values()) pool.close();
    await Promise.all(Object.values(this.sources).map((source) => source.close()));
  }
}
