export { announce, packageVersion, type Announcement, type AnnounceOptions } from './announce';
export { connectRegistry, HOST_HALF_OPEN_MS, registryFaultHandling, WATCH_RETRY_MAX_MS, type Registry } from './client';
export { ClientPool, type ClientPoolOptions } from './client-pool';
export { DiscoveryEnv, loadDiscoveryConfig, type DiscoveryConfig } from './config';
export { grpcAddressOf, httpUrlOf, instanceKey, parseInstance, REGISTRY_PREFIX, servicePrefix, type ServiceInstance } from './instance';
export { registerInstance, type Registration } from './registration';
export { ServiceWatcher, StaticSource, type InstanceSource } from './watcher';
export { GRPC_POOL_SETTINGS, grpcPeers, isTransportFailure, staticGrpcSource, type GrpcPeerOptions } from './watched-pool';
