import { circuitBreaker, CircuitState, handleAll, SamplingBreaker, type CircuitBreakerPolicy } from 'cockatiel';

export interface BreakerSettings {
  /** Share of failed calls (0..1) within the sampling window that opens the breaker. */
  readonly failureThreshold: number;
  /** Length of the sliding window the failure rate is measured over. */
  readonly samplingWindowMs: number;
  /** Below this many calls per second the breaker never opens (too few samples to judge). */
  readonly minimumRps: number;
  /** How long an open breaker refuses calls before letting a half-open probe through. */
  readonly openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 0.5, samplingWindowMs: 10_000, minimumRps: 2, openMs: 5_000 };

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/** A cockatiel sampling breaker: failure rate over a sliding window with a minimum throughput. */
export function createBreaker(settings: BreakerSettings, onStateChange: (state: BreakerState) => void): CircuitBreakerPolicy {
  const policy = circuitBreaker(handleAll, {
    halfOpenAfter: settings.openMs,
    breaker: new SamplingBreaker({ threshold: settings.failureThreshold, duration: settings.samplingWindowMs, minimumRps: settings.minimumRps }),
  });
  policy.onStateChange((state) => onStateChange(STATE_NAMES[state]));
  return policy;
}

export const breakerStateOf = (policy: CircuitBreakerPolicy): BreakerState => STATE_NAMES[policy.state];
