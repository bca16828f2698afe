import { PAYMENT_METHOD_NAMES, PAYMENT_STATUS_NAMES, ROLE_NAMES } from '@eticket/contracts';
import { FieldReader, type Validated } from './fields';

// What is extracted from where, and what a valid row of each source is. The
// transforms are pure: a raw row or document in, a staging row or the reasons
// it is quarantined out. Names of the output fields are the staging columns.

export const SOURCES = ['users', 'events', 'order_placements', 'order_decisions', 'order_closures', 'payments'] as const;
export type SourceName = (typeof SOURCES)[number];

export type RawRecord = Readonly<Record<string, unknown>>;

export interface SourceSpec<Row> {
  readonly name: SourceName;
  /** Where it lives: `user-db` (PostgreSQL standby) or `order-db` (MongoDB). */
  readonly origin: 'user-db' | 'order-db';
  /** The field the window and the watermark are on. */
  readonly tsField: string;
  /** The record's identity (quarantine key, watermark tie-break). */
  readonly keyField: string;
  transform(raw: RawRecord): Validated<Row>;
}

const MAX_NAME = 200;
const MAX_LOCATION = 500;
const MAX_CAPACITY = 1_000_000;
const MAX_QUANTITY = 10_000;
const MAX_REASON = 1_000;
const PLACEMENT_MODES = ['two_phase_commit', 'local'] as const;
const CLOSURE_OUTCOMES = ['paid', 'expired', 'cancelled'] as const;
const DECIDERS = ['coordinator', 'recovery', 'inquiry', 'reader'] as const;

export interface StagedUser {
  readonly user_id: string;
  readonly email_domain: string;
  readonly roles: string[];
  readonly created_at: Date;
  readonly updated_at: Date;
}

export const usersSource: SourceSpec<StagedUser> = {
  name: 'users',
  origin: 'user-db',
  tsField: 'updated_at',
  keyField: 'id',
  transform(raw) {
    const f = new FieldReader(raw);
    return f.result({
      user_id: f.uuid('id'),
      email_domain: f.text('email_domain', 254, { minLength: 1 }),
      roles: f.textArray('roles', ROLE_NAMES),
      created_at: f.date('created_at'),
      updated_at: f.date('updated_at'),
    });
  },
};

export interface StagedEvent {
  readonly event_id: string;
  readonly organizer_id: string;
  readonly name: string;
  readonly date_time: Date;
  readonly total_seats: number;
  readonly price_minor: number;
  readonly currency: string;
  readonly created_at: Date;
  readonly venue_id: string;
  readonly venue_name: string;
  readonly venue_location: string;
  readonly venue_capacity: number;
}

export const eventsSource: SourceSpec<StagedEvent> = {
  name: 'events',
  origin: 'user-db',
  // Events are never updated after creation (only their seat buckets change), so creation is their change time.
  tsField: 'created_at',
  keyField: 'id',
  transform(raw) {
    const f = new FieldReader(raw);
    return f.result({
      event_id: f.uuid('id'),
      organizer_id: f.uuid('organizer_id'),
      name: f.text('name', MAX_NAME, { minLength: 1 }),
      date_time: f.date('date_time'),
      total_seats: f.int('total_seats', 1, MAX_CAPACITY),
      price_minor: f.minor('price_minor'),
      currency: f.currency('currency'),
      created_at: f.date('created_at'),
      venue_id: f.uuid('venue_id'),
      venue_name: f.text('venue_name', MAX_NAME, { minLength: 1 }),
      venue_location: f.text('venue_location', MAX_LOCATION, { minLength: 1 }),
      venue_capacity: f.int('venue_capacity', 1, MAX_CAPACITY),
    });
  },
};

export interface StagedPlacement {
  readonly order_id: string;
  readonly user_id: string;
  readonly event_id: string;
  readonly quantity: number;
  readonly mode: string;
  readonly created_at: Date;
}

/** `orders`: an order as requested (services/order/src/store/order-repository.ts, PlacementDocument). */
export const placementsSource: SourceSpec<StagedPlacement> = {
  name: 'order_placements',
  origin: 'order-db',
  tsField: 'created_at',
  keyField: '_id',
  transform(raw) {
    const f = new FieldReader(raw);
    return f.result({
      order_id: f.uuid('_id'),
      user_id: f.uuid('user_id'),
      event_id: f.uuid('event_id'),
      quantity: f.int('quantity', 1, MAX_QUANTITY),
      mode: f.oneOf('mode', PLACEMENT_MODES),
      created_at: f.date('created_at'),
    });
  },
};

export interface StagedDecision {
  readonly order_id: string;
  readonly outcome: 'commit' | 'abort';
  readonly decided_by: string;
  readonly decided_at: Date;
  readonly unit_price_minor: number | null;
  readonly total_minor: number | null;
  readonly currency: string | null;
  readonly hold_expires_at: Date | null;
  readonly reason_code: string | null;
}

/** `transactions`: the coordinator's decision (services/order/src/store/transaction-log.ts, DecisionDocument). */
export const decisionsSource: SourceSpec<StagedDecision> = {
  name: 'order_decisions',
  origin: 'order-db',
  tsField: 'decided_at',
  keyField: '_id',
  transform(raw) {
    const f = new FieldReader(raw);
    const orderId = f.uuid('_id');
    if (f.has('order_id') && raw.order_id !== raw._id) f.problem('order_id: differs from _id (the transaction id is the order id)');
    const outcome = f.oneOf('outcome', ['commit', 'abort']);
    const base = { order_id: orderId, outcome, decided_by: f.oneOf('decided_by', DECIDERS), decided_at: f.date('decided_at') };
    if (outcome === 'abort') {
      return f.result({ ...base, unit_price_minor: null, total_minor: null, currency: null, hold_expires_at: null, reason_code: f.optionalText('reason_code', 64) });
    }
    // A commit without its price would enter revenue as zero: the order service's reader defaults it, the warehouse refuses it.
    const unit = f.minor('unit_price_minor');
    const total = f.minor('total_minor');
    if (total < unit) f.problem('total_minor: less than unit_price_minor');
    return f.result({ ...base, unit_price_minor: unit, total_minor: total, currency: f.currency('currency'), hold_expires_at: f.date('hold_expires_at'), reason_code: null });
  },
};

export interface StagedClosure {
  readonly order_id: string;
  readonly outcome: string;
  readonly closed_at: Date;
  readonly payment_id: string | null;
  readonly payment_method: string | null;
}

/** `order_closures`: how a placed order ended (paid, expired, cancelled). */
export const closuresSource: SourceSpec<StagedClosure> = {
  name: 'order_closures',
  origin: 'order-db',
  tsField: 'at',
  keyField: '_id',
  transform(raw) {
    const f = new FieldReader(raw);
    const outcome = f.oneOf('outcome', CLOSURE_OUTCOMES);
    // The order service always records which payment paid an order; without it the order cannot be reconciled with its payment.
    if (outcome === 'paid' && !f.has('payment_id')) f.problem('payment_id: missing on a paid closure');
    return f.result({
      order_id: f.uuid('_id'),
      outcome,
      closed_at: f.date('at'),
      payment_id: f.optionalUuid('payment_id'),
      payment_method: f.optionalOneOf('payment_method', PAYMENT_METHOD_NAMES),
    });
  },
};

export interface StagedPayment {
  readonly payment_id: string;
  readonly order_id: string;
  readonly user_id: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly method: string;
  readonly status: string;
  readonly failure_reason: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** `payments`: one document per attempt, settled in place (services/order/src/store/payment-repository.ts). */
export const paymentsSource: SourceSpec<StagedPayment> = {
  name: 'payments',
  origin: 'order-db',
  tsField: 'updated_at',
  keyField: '_id',
  transform(raw) {
    const f = new FieldReader(raw);
    return f.result({
      payment_id: f.uuid('_id'),
      order_id: f.uuid('order_id'),
      user_id: f.uuid('user_id'),
      amount_minor: f.minor('amount_minor'),
      currency: f.currency('currency'),
      method: f.oneOf('method', PAYMENT_METHOD_NAMES),
      status: f.oneOf('status', PAYMENT_STATUS_NAMES),
      failure_reason: f.optionalText('failure_reason', MAX_REASON),
      created_at: f.date('created_at'),
      updated_at: f.date('updated_at'),
    });
  },
};

/** Every source in extraction order: dimensions first, then an order's documents in the order they are written. */
export const SOURCE_SPECS = [usersSource, eventsSource, placementsSource, decisionsSource, closuresSource, paymentsSource] as const;
