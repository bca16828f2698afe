export { UpstreamPool, type Member, type MemberStatus, type PoolHooks, type PoolSettings } from './balancer';
export { breakerStateOf, createBreaker, DEFAULT_BREAKER, type BreakerSettings, type BreakerState } from './breaker';
export { CircuitOpenError, InstanceBusyError, isNotSent } from './errors';
export { breakerMetrics, type BreakerListener } from './metrics';
export { jitteredBackoff, RetryBudget } from './retry-budget';
export { SlidingWindowBreaker, type SlidingWindowOptions } from './sliding-window-breaker';
