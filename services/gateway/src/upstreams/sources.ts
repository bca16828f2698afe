import type { Logger } from '@eticket/logging';
import { connectRegistry, ServiceWatcher, StaticSource, type DiscoveryConfig, type InstanceSource, type ServiceInstance } from '@eticket/discovery';
import type { OptionalUpstream, UpstreamName, UpstreamSources } from './directory';

/** A hand-configured origin as a one-instance source (its id is the origin, so /status shows where it points). */
export function staticSource(service: UpstreamName, url: string): StaticSource {
  const parsed = new URL(url);
  const instance: ServiceInstance = {
    service,
    id: `${service}@${parsed.host}`,
    host: parsed.hostname,
    httpPort: Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)),
    version: 'static',
    protocols: ['http'],
    registeredAt: '',
  };
  return new StaticSource(service, [instance]);
}

export interface SourceSettings {
  readonly discovery: DiscoveryConfig;
  /** Static overrides (USER_SERVICE_HTTP_URL, ORDER_SERVICE_HTTP_URL, ETL_SERVICE_HTTP_URL, WEB_SERVICE_HTTP_URL). */
  readonly overrides: Readonly<Partial<Record<UpstreamName, string>>>;
}

export interface Sources {
  /** An optional upstream with neither discovery nor an override is absent (the gateway gives it no instances and leaves it out of /status). */
  readonly sources: UpstreamSources;
  /** Resolves when every watcher has its first snapshot (or at once without discovery). */
  readonly ready: Promise<void>;
  /** Reads from the registry once (for /status); undefined without discovery. */
  readonly ping: (() => Promise<Record<string, unknown>>) | undefined;
  close(): void;
}

/**
 * Discovery by default: one registry watcher per upstream. A static override
 * wins for its service (explicit beats implicit); a service with neither is a
 * start-up error naming both ways to fix it, except an optional one (etl, web),
 * which is then left out.
 */
export function createSources(settings: SourceSettings, logger: Logger): Sources {
  const names: UpstreamName[] = ['user', 'order', 'etl', 'web'];
  const optional: readonly UpstreamName[] = ['etl', 'web'] satisfies OptionalUpstream[];
  const needsRegistry = names.filter((name) => settings.overrides[name] === undefined);
  const missing = needsRegistry.filter((name) => !optional.includes(name));
  if (missing.length > 0 && settings.discovery.endpoints.length === 0) {
    throw new Error(`no way to find the ${missing.join(' and ')} service: set ETCD_ENDPOINTS (discovery) or ${missing.map((name) => `${name.toUpperCase()}_SERVICE_HTTP_URL`).join(' / ')}`);
  }
  const registry = needsRegistry.length > 0 && settings.discovery.endpoints.length > 0 ? connectRegistry(settings.discovery) : undefined;
  const watchers: ServiceWatcher[] = [];
  const sources: Partial<Record<UpstreamName, InstanceSource>> = {};
  for (const name of names) {
    const override = settings.overrides[name];
    if (override !== undefined) {
      logger.info({ upstream: name, origin: override }, 'static upstream override (no discovery for this service)');
      sources[name] = staticSource(name, override);
      continue;
    }
    if (registry === undefined) {
      logger.warn({ upstream: name }, `no discovery and no ${name.toUpperCase()}_SERVICE_HTTP_URL: its routes answer 503`);
      continue;
    }
    const watcher = new ServiceWatcher(registry.etcd, name, logger);
    watchers.push(watcher);
    sources[name] = watcher;
  }
  const { user, order } = sources;
  if (user === undefined || order === undefined) throw new Error('unreachable: a required upstream has no source');
  return {
    sources: { ...sources, user, order },
    ready: Promise.all(watchers.map((watcher) => watcher.start())).then(() => undefined),
    ping: registry === undefined ? undefined : async () => {
      await registry.etcd.get('services/').string();
      return { endpoints: settings.discovery.endpoints, namespace: settings.discovery.namespace };
    },
    close: () => registry?.close(),
  };
}
