/** One running instance of a service as it announces itself in the registry. */
export interface ServiceInstance {
  readonly service: string;
  /** Unique per process, e.g. `user-1` or a hostname plus pid. */
  readonly id: string;
  readonly host: string;
  readonly httpPort?: number;
  readonly grpcPort?: number;
  readonly version: string;
  readonly protocols: readonly ('http' | 'grpc' | 'ws')[];
  readonly registeredAt: string;
}

/**
 * Keys look like `services/<service>/<instance id>` inside the client's
 * namespace (`<DISCOVERY_NAMESPACE>/`, default `eticket/`); values are the
 * JSON instance.
 */
export const REGISTRY_PREFIX = 'services/';

export const instanceKey = (service: string, id: string): string => `${REGISTRY_PREFIX}${service}/${id}`;
export const servicePrefix = (service: string): string => `${REGISTRY_PREFIX}${service}/`;

const isPort = (value: unknown): boolean => value === undefined || (Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536);

/** The instance a registry value describes, or undefined when it is not one (a foreign or corrupt key). */
export function parseInstance(raw: string): ServiceInstance | undefined {
  try {
    const value = JSON.parse(raw) as Partial<ServiceInstance>;
    if (typeof value.service !== 'string' || typeof value.id !== 'string' || typeof value.host !== 'string') return undefined;
    if (!isPort(value.httpPort) || !isPort(value.grpcPort)) return undefined;
    return { version: 'unknown', protocols: [], registeredAt: '', ...value } as ServiceInstance;
  } catch {
    return undefined;
  }
}

export const httpUrlOf = (instance: ServiceInstance): string | undefined =>
  instance.httpPort === undefined ? undefined : `http://${instance.host}:${instance.httpPort}`;

export const grpcAddressOf = (instance: ServiceInstance): string | undefined =>
  instance.grpcPort === undefined ? undefined : `${instance.host}:${instance.grpcPort}`;
