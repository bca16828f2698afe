export type { CacheBackend, CacheNodeHealth } from './backend';
export { Cache, type CacheHealth, type CacheOptions, type CachePolicy, type CacheStats } from './cache';
export { ClusterBackend, parseClusterNodes, type ClusterBackendOptions } from './cluster-backend';
export { CODEC_VERSION, decode, encode, encodeNotFound } from './codec';
export { CacheTimeoutError, withDeadline } from './deadline';
export { createCacheBackend, type CacheBackendConfig } from './factory';
export { registerCacheMetrics } from './metrics';
export { createRing, RingBackend, type RingBackendOptions, type RingShard } from './ring-backend';
