import type { ErrorCode } from '@eticket/errors';
import type { Db } from 'mongodb';
import type { CommitDecision, Decision, DecidedBy, PlacementMode } from '../domain/order';
import type { TransactionLog } from '../domain/ports';
import { COLLECTIONS, guarded, insertIfAbsent, isDuplicateKey } from './mongo';

/** One decision per transaction; `_id` is the transaction id, so the first insert wins. */
export interface DecisionDocument {
  _id: string;
  order_id: string;
  mode: PlacementMode;
  outcome: 'commit' | 'abort';
  decided_by: DecidedBy;
  decided_at: Date;
  unit_price_minor?: number;
  total_minor?: number;
  currency?: string;
  hold_expires_at?: Date;
  reason_code?: ErrorCode;
  reason?: string;
  participants_clean?: boolean;
}

interface EndDocument {
  _id: string;
  at: Date;
}

export function toDecisionDocument(decision: Decision): DecisionDocument {
  const base = { _id: decision.txId, order_id: decision.orderId, mode: decision.mode, decided_by: decision.decidedBy, decided_at: decision.decidedAt };
  if (decision.outcome === 'commit') {
    return {
      ...base,
      outcome: 'commit',
      unit_price_minor: decision.unitPrice.amountMinor,
      total_minor: decision.total.amountMinor,
      currency: decision.total.currency,
      hold_expires_at: decision.holdExpiresAt,
    };
  }
  return { ...base, outcome: 'abort', reason_code: decision.reasonCode, reason: decision.reason, participants_clean: decision.participantsClean };
}

export function fromDecisionDocument(doc: DecisionDocument): Decision {
  const base = { txId: doc._id, orderId: doc.order_id, mode: doc.mode, decidedBy: doc.decided_by, decidedAt: doc.decided_at };
  if (doc.outcome === 'commit') {
    const currency = doc.currency ?? 'XXX';
    return {
      ...base,
      outcome: 'commit',
      unitPrice: { amountMinor: doc.unit_price_minor ?? 0, currency },
      total: { amountMinor: doc.total_minor ?? 0, currency },
      holdExpiresAt: doc.hold_expires_at ?? doc.decided_at,
    };
  }
  return { ...base, outcome: 'abort', reasonCode: doc.reason_code ?? 'INTERNAL', reason: doc.reason ?? 'aborted', participantsClean: doc.participants_clean ?? false };
}

/** The coordinator's log in MongoDB: `transactions` (decisions) and `transaction_ends` (phase 2 finished). */
export class MongoTransactionLog implements TransactionLog {
  constructor(private readonly db: Db) {}

  private get decisions() {
    return this.db.collection<DecisionDocument>(COLLECTIONS.transactions);
  }

  private get ends() {
    return this.db.collection<EndDocument>(COLLECTIONS.transactionEnds);
  }

  decide(proposal: Decision): Promise<Decision> {
    return guarded('decide', async () => {
      if (await insertIfAbsent(this.db, COLLECTIONS.transactions, toDecisionDocument(proposal))) return proposal;
      const existing = await this.decisions.findOne({ _id: proposal.txId });
      if (existing === null) throw new Error(`decision ${proposal.txId} vanished`);
      return fromDecisionDocument(existing);
    });
  }

  find(txId: string): Promise<Decision | null> {
    return guarded('find decision', async () => {
      const doc = await this.decisions.findOne({ _id: txId });
      return doc === null ? null : fromDecisionDocument(doc);
    });
  }

  markEnded(txIds: readonly string[]): Promise<void> {
    return guarded('mark ended', async () => {
      if (txIds.length === 0) return;
      const at = new Date();
      try {
        await this.ends.insertMany(txIds.map((id) => ({ _id: id, at })), { ordered: false });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    });
  }

  isEnded(txId: string): Promise<boolean> {
    return guarded('is ended', async () => (await this.ends.findOne({ _id: txId })) !== null);
  }

  decisionsSince(since: Date, limit: number): Promise<Decision[]> {
    return guarded('decisions since', async () => {
      const docs = await this.decisions.find({ decided_at: { $gte: since } }).sort({ decided_at: 1 }).limit(limit).toArray();
      return docs.map(fromDecisionDocument);
    });
  }

  endedSince(since: Date): Promise<Set<string>> {
    return guarded('ended since', async () => {
      const docs = await this.ends.find({ at: { $gte: since } }, { projection: { _id: 1 } }).toArray();
      return new Set(docs.map((doc) => doc._id));
    });
  }

  holdsEndingBetween(from: Date, to: Date, limit: number): Promise<CommitDecision[]> {
    return guarded('holds ending', async () => {
      const docs = await this.decisions.find({ outcome: 'commit', hold_expires_at: { $gte: from, $lt: to } }).sort({ hold_expires_at: 1 }).limit(limit).toArray();
      return docs.map(fromDecisionDocument).filter((decision): decision is CommitDecision => decision.outcome === 'commit');
    });
  }
}
