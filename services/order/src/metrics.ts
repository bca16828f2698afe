import { Counter, type Registry } from 'prom-client';
import type { Decision } from './domain/order';
import type { TransactionLog } from './domain/ports';

/**
 * Two-phase-commit outcomes, counted where decisions become durable (the
 * transaction log), so the coordinator's and recovery's decisions are both seen:
 * - eticket_2pc_decisions_total{outcome=commit|abort, decided_by, mode, reason}:
 *   decisions this instance wrote (reason: the abort's catalog code; empty for commits);
 * - eticket_2pc_decision_conflicts_total{proposed,held}: proposals that found
 *   another decision already written (a late commit after a presumed abort).
 */
export function countedTransactionLog(log: TransactionLog, registry: Registry): TransactionLog {
  const decisions = new Counter({ name: 'eticket_2pc_decisions_total', help: 'Two-phase-commit decisions written by this instance', labelNames: ['outcome', 'decided_by', 'mode', 'reason'], registers: [registry] });
  const conflicts = new Counter({ name: 'eticket_2pc_decision_conflicts_total', help: 'Decisions proposed after another one was already written', labelNames: ['proposed', 'held'], registers: [registry] });
  const sameDecision = (a: Decision, b: Decision) => a.outcome === b.outcome && a.decidedBy === b.decidedBy && a.decidedAt.getTime() === b.decidedAt.getTime();
  return {
    decide: async (proposal) => {
      const held = await log.decide(proposal);
      if (sameDecision(held, proposal)) {
        decisions.inc({ outcome: held.outcome, decided_by: held.decidedBy, mode: held.mode, reason: held.outcome === 'abort' ? held.reasonCode : '' });
      } else if (held.outcome !== proposal.outcome) {
        conflicts.inc({ proposed: proposal.outcome, held: held.outcome });
      }
      return held;
    },
    find: (txId) => log.find(txId),
    markEnded: (txIds) => log.markEnded(txIds),
    isEnded: (txId) => log.isEnded(txId),
    decisionsSince: (since, limit) => log.decisionsSince(since, limit),
    endedSince: (since) => log.endedSince(since),
    holdsEndingBetween: (from, to, limit) => log.holdsEndingBetween(from, to, limit),
  };
}
