import { grpcPeers, type DiscoveryConfig } from '@eticket/discovery';
import type { Logger } from '@eticket/logging';
import type { BreakerListener } from '@eticket/resilience';
import type { DecisionSource } from '../domain/reservation-resolver';
import { GrpcDecisionSource } from './seat-reservation';

/**
 * TransactionCoordinator.GetDecision on any instance of the Ticket Order
 * Service: every instance answers from the shared transaction log, so the
 * pool picks a healthy one (breaker per instance). An explicit
 * ORDER_SERVICE_GRPC_ADDR wins (development, tests); otherwise the
 * registry, or without discovery the configured default address.
 */
export function coordinatorDecisions(
  discovery: DiscoveryConfig,
  explicitAddress: string | undefined,
  defaultAddress: string,
  logger: Logger,
  onBreakerChange?: BreakerListener,
): DecisionSource & { close(): void } {
  const staticAddress = explicitAddress ?? (discovery.endpoints.length === 0 ? defaultAddress : undefined);
  const coordinators = grpcPeers<GrpcDecisionSource>(discovery, 'order', staticAddress, {
    connect: (address) => new GrpcDecisionSource(address),
    disconnect: (client) => client.close(),
    ...(onBreakerChange === undefined ? {} : { onBreakerChange }),
  }, logger);
  return {
    decisionFor: (txId) => coordinators.call((coordinator) => coordinator.decisionFor(txId)),
    close: () => void coordinators.close(),
  };
}
