import { Counter, Gauge, type Registry } from 'prom-client';
import type { BreakerState } from './breaker';

export type BreakerListener = (service: string, instanceId: string, state: BreakerState) => void;

/**
 * Counts breaker state changes for /metrics:
 * - eticket_breaker_transitions_total{upstream,instance,state}: every change, by the state entered;
 * - eticket_breaker_open{upstream,instance}: 1 while open or half-open, else 0.
 * Returns the listener to give UpstreamPool (chain a logger with it).
 */
export function breakerMetrics(registry: Registry, component: string): BreakerListener {
  const transitions = new Counter({
    name: 'eticket_breaker_transitions_total',
    help: 'Circuit breaker state changes per upstream instance, by the state entered',
    labelNames: ['component', 'upstream', 'instance', 'state'],
    registers: [registry],
  });
  const open = new Gauge({
    name: 'eticket_breaker_open',
    help: 'Whether the breaker of an upstream instance is open or half-open (1) or closed (0)',
    labelNames: ['component', 'upstream', 'instance'],
    registers: [registry],
  });
  return (upstream, instance, state) => {
    transitions.inc({ component, upstream, instance, state });
    open.set({ component, upstream, instance }, state === 'closed' ? 0 : 1);
  };
}
