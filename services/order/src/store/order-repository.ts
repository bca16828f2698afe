import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { Closure, ClosureOutcome, OrderRecord, Placement, PlacementMode } from '../domain/order';
import type { OrderStore } from '../domain/ports';
import { COLLECTIONS, guarded, insertIfAbsent } from './mongo';
import { fromDecisionDocument, type DecisionDocument } from './transaction-log';

interface PlacementDocument {
  _id: string;
  user_id: string;
  event_id: string;
  quantity: number;
  request_hash: string;
  mode: PlacementMode;
  created_at: Date;
  coordinator: string;
  /** Tells this process's own (retried) insert apart from somebody else's. */
  nonce: string;
}

interface ClosureDocument {
  _id: string;
  outcome: ClosureOutcome;
  at: Date;
  payment_id?: string;
  payment_method?: string;
}

interface ReleaseDocument {
  _id: string;
  at: Date;
}

const toPlacement = (doc: PlacementDocument): Placement => ({
  id: doc._id,
  userId: doc.user_id,
  eventId: doc.event_id,
  quantity: doc.quantity,
  requestHash: doc.request_hash,
  mode: doc.mode,
  createdAt: doc.created_at,
  coordinator: doc.coordinator,
});

const toClosure = (doc: ClosureDocument): Closure => ({
  orderId: doc._id,
  outcome: doc.outcome,
  at: doc.at,
  ...(doc.payment_id === undefined ? {} : { paymentId: doc.payment_id }),
  ...(doc.payment_method === undefined ? {} : { paymentMethod: doc.payment_method }),
});

/**
 * Orders as three kinds of immutable documents (placement, decision,
 * closure), read back together by `_id`: point lookups are the one access
 * path FerretDB serves without scanning.
 */
export class MongoOrderRepository implements OrderStore {
  constructor(private readonly db: Db) {}

  private get placements() {
    return this.db.collection<PlacementDocument>(COLLECTIONS.orders);
  }

  private get decisions() {
    return this.db.collection<DecisionDocument>(COLLECTIONS.transactions);
  }

  private get closures() {
    return this.db.collection<ClosureDocument>(COLLECTIONS.closures);
  }

  insertPlacement(placement: Placement): Promise<{ created: true } | { created: false; existing: Placement }> {
    return guarded('insert order', async () => {
      const nonce = randomUUID();
      const doc: PlacementDocument = {
        _id: placement.id,
        user_id: placement.userId,
        event_id: placement.eventId,
        quantity: placement.quantity,
        request_hash: placement.requestHash,
        mode: placement.mode,
        created_at: placement.createdAt,
        coordinator: placement.coordinator,
        nonce,
      };
      if (await insertIfAbsent(this.db, COLLECTIONS.orders, doc)) return { created: true };
      const existing = await this.placements.findOne({ _id: placement.id });
      if (existing === null) throw new Error(`order ${placement.id} vanished`);
      return existing.nonce === nonce ? { created: true } : { created: false, existing: toPlacement(existing) };
    });
  }

  findPlacement(orderId: string): Promise<Placement | null> {
    return guarded('find order', async () => {
      const doc = await this.placements.findOne({ _id: orderId });
      return doc === null ? null : toPlacement(doc);
    });
  }

  load(orderId: string): Promise<OrderRecord | null> {
    return guarded('load order', async () => {
      const placement = await this.placements.findOne({ _id: orderId });
      return placement === null ? null : this.complete(placement);
    });
  }

  listForUser(userId: string, limit: number, offset: number): Promise<{ items: OrderRecord[]; total: number }> {
    return guarded('list orders', async () => {
      const [docs, total] = await Promise.all([
        this.placements.find({ user_id: userId }).sort({ created_at: -1, _id: -1 }).skip(offset).limit(limit).toArray(),
        this.placements.countDocuments({ user_id: userId }),
      ]);
      return { items: await Promise.all(docs.map((doc) => this.complete(doc))), total };
    });
  }

  /** The placement with its decision and closure, each looked up by `_id`. */
  private async complete(placement: PlacementDocument): Promise<OrderRecord> {
    const [decision, closure] = await Promise.all([this.decisions.findOne({ _id: placement._id }), this.closures.findOne({ _id: placement._id })]);
    return {
      placement: toPlacement(placement),
      decision: decision === null ? null : fromDecisionDocument(decision),
      closure: closure === null ? null : toClosure(closure),
    };
  }

  placementsSince(since: Date, limit: number): Promise<Placement[]> {
    return guarded('orders since', async () => {
      const docs = await this.placements.find({ created_at: { $gte: since } }).sort({ created_at: 1 }).limit(limit).toArray();
      return docs.map(toPlacement);
    });
  }

  close(closure: Closure): Promise<Closure> {
    return guarded('close order', async () => {
      const doc: ClosureDocument = {
        _id: closure.orderId,
        outcome: closure.outcome,
        at: closure.at,
        ...(closure.paymentId === undefined ? {} : { payment_id: closure.paymentId }),
        ...(closure.paymentMethod === undefined ? {} : { payment_method: closure.paymentMethod }),
      };
      if (await insertIfAbsent(this.db, COLLECTIONS.closures, doc)) return closure;
      const existing = await this.closures.findOne({ _id: closure.orderId });
      if (existing === null) throw new Error(`closure of ${closure.orderId} vanished`);
      return toClosure(existing);
    });
  }

  findClosure(orderId: string): Promise<Closure | null> {
    return guarded('find closure', async () => {
      const doc = await this.closures.findOne({ _id: orderId });
      return doc === null ? null : toClosure(doc);
    });
  }

  closuresSince(since: Date, limit: number): Promise<Closure[]> {
    return guarded('closures since', async () => {
      const docs = await this.closures.find({ at: { $gte: since } }).sort({ at: 1 }).limit(limit).toArray();
      return docs.map(toClosure);
    });
  }

  markSeatsReleased(orderId: string): Promise<void> {
    return guarded('mark released', async () => {
      await insertIfAbsent<ReleaseDocument>(this.db, COLLECTIONS.releases, { _id: orderId, at: new Date() });
    });
  }

  seatsReleased(orderId: string): Promise<boolean> {
    return guarded('released?', async () => (await this.db.collection<ReleaseDocument>(COLLECTIONS.releases).findOne({ _id: orderId })) !== null);
  }
}
