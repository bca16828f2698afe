import { circuitBreaker, CircuitState, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { SlidingWindowBreaker } from './sliding-window-breaker';

export interface BreakerSettings {
  /** Share of failed calls (0..1) within the sampling window that opens the breaker. */
  readonly failureThreshold: number;
  /** Length of the sliding window the failure rate is measured over. */
  readonly samplingWindowMs: number;
  /** Below this many calls per second (averaged over the window) the breaker never opens: too few samples to judge. */
  readonly minimumRps: number;
  /** How long an open breaker refuses calls before letting one half-open probe through. */
  readonly openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open' | 'isolated';

/**
 * Defaults for one upstream instance: more than half the calls failing over
 * the last 2 s, at 2 calls/s or more, opens for 5 s. The window is short so
 * that an instance that hangs is judged on its recent calls only: balancing
 * by least outstanding requests sends a hung instance only a trickle, and
 * the breaker must open on that trickle before the instance's registry lease
 * (5 s) would drop it anyway.
 */
export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 0.5, samplingWindowMs: 2_000, minimumRps: 2, openMs: 5_000 };

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A cockatiel circuit breaker judging the failure rate over a sliding window
 * with a minimum throughput. Errors for which `isFailure` is false (e.g. the
 * caller gave up) pass through without being counted either way.
 */
export function createBreaker(
  settings: BreakerSettings,
  onStateChange: (state: BreakerState) => void,
  isFailure: (error: Error) => boolean = () => true,
): CircuitBreakerPolicy {
  const policy = circuitBreaker(handleWhen(isFailure), {
    halfOpenAfter: settings.openMs,
    breaker: new SlidingWindowBreaker({ threshold: settings.failureThreshold, windowMs: settings.samplingWindowMs, minimumRps: settings.minimumRps }),
  });
  policy.onStateChange((state) => onStateChange(STATE_NAMES[state]));
  return policy;
}

export const breakerStateOf = (policy: CircuitBreakerPolicy): BreakerState => STATE_NAMES[policy.state];
