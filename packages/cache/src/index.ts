export type { CacheBackend, CacheNodeHealth } from './backend';
export { Cache, type CacheHealth, type CachePolicy, type CacheStats } from './cache';
export { ClusterBackend, type ClusterBackendOptions } from './cluster-backend';
export { CODEC_VERSION, decode, encode, encodeNotFound } from './codec';
export { createRing, RingBackend, type RingBackendOptions, type RingShard } from './ring-backend';
