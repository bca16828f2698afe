export { UpstreamPool, type Member, type MemberStatus, type PoolSettings } from './balancer';
export { breakerStateOf, createBreaker, DEFAULT_BREAKER, type BreakerSettings, type BreakerState } from './breaker';
export { jitteredBackoff, RetryBudget } from './retry-budget';
