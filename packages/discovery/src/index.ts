export { grpcAddressOf, httpUrlOf, instanceKey, parseInstance, REGISTRY_PREFIX, servicePrefix, type ServiceInstance } from './instance';
export { registerInstance, type Registration } from './registration';
export { ServiceWatcher } from './watcher';
