import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NO_HOOKS, SeatReservations, type AttemptOutcome, type ReservationRequest, type ReservationState, type ReservationStore } from './reservation';
import { PreparedResolver } from './reservation-resolver';

const quiet = { info: () => undefined, warn: () => undefined };

/** A store that answers attempts from a script and remembers the protocol's state per transaction. */
class ScriptedStore implements ReservationStore {
  readonly states = new Map<string, ReservationState>();
  readonly attempts: string[] = [];
  stale: string[] = [];

  constructor(private readonly script: AttemptOutcome[]) {}

  attempt(request: ReservationRequest, mode: 'prepare' | 'local'): Promise<AttemptOutcome> {
    this.attempts.push(mode);
    const outcome = this.script.shift() ?? { kind: 'busy' };
    if (outcome.kind === 'prepared') this.states.set(request.txId, 'prepared');
    return Promise.resolve(outcome);
  }

  commit(txId: string): Promise<ReservationState | null> {
    const state = this.states.get(txId) ?? null;
    if (state === 'prepared') this.states.set(txId, 'committed');
    return Promise.resolve(this.states.get(txId) ?? null);
  }

  abort(txId: string): Promise<ReservationState> {
    const state = this.states.get(txId);
    if (state === undefined || state === 'prepared') this.states.set(txId, 'aborted');
    return Promise.resolve(this.states.get(txId)!);
  }

  release(txId: string): Promise<ReservationState | null> {
    if (this.states.get(txId) === 'committed') this.states.set(txId, 'released');
    return Promise.resolve(this.states.get(txId) ?? null);
  }

  stalePrepared(): Promise<string[]> {
    return Promise.resolve(this.stale);
  }
}

const request = (overrides: Partial<ReservationRequest> = {}): ReservationRequest => {
  const txId = randomUUID();
  return { txId, orderId: txId, eventId: randomUUID(), userId: randomUUID(), quantity: 2, ...overrides };
};
const price = { unitPriceMinor: '2500', currency: 'EUR' };
const participant = (store: ReservationStore, claimBudgetMs = 1_000) => new SeatReservations(store, NO_HOOKS, quiet, { claimBudgetMs });

describe('the seat-reservation participant', () => {
  it('votes commit with the price once the seats are prepared', async () => {
    const store = new ScriptedStore([{ kind: 'prepared', ...price }]);
    await expect(participant(store).prepare(request())).resolves.toEqual({ commit: true, ...price });
  });

  it('retries while the remaining seats sit in buckets other transactions hold', async () => {
    const store = new ScriptedStore([{ kind: 'busy' }, { kind: 'busy' }, { kind: 'prepared', ...price }]);
    await expect(participant(store).prepare(request())).resolves.toMatchObject({ commit: true });
    expect(store.attempts).toHaveLength(3);
  });

  it('gives up with a 409 vote when the seats stay held past its budget', async () => {
    const store = new ScriptedStore([]);
    await expect(participant(store, 30).prepare(request())).resolves.toMatchObject({ commit: false, reasonCode: 'CONFLICT' });
  });

  it('votes no with what is left, for an unknown event, and for a transaction already aborted', async () => {
    await expect(participant(new ScriptedStore([{ kind: 'not_enough', available: 1 }])).prepare(request())).resolves.toEqual({
      commit: false, reasonCode: 'NOT_ENOUGH_SEATS', reason: 'Only 1 seat is left; 2 requested', available: 1,
    });
    await expect(participant(new ScriptedStore([{ kind: 'not_enough', available: 0 }])).prepare(request())).resolves.toMatchObject({ reason: 'The event is sold out; 2 requested' });
    await expect(participant(new ScriptedStore([{ kind: 'unknown_event' }])).prepare(request())).resolves.toMatchObject({ commit: false, reasonCode: 'NOT_FOUND' });
    await expect(participant(new ScriptedStore([{ kind: 'already_decided', state: 'aborted' }])).prepare(request())).resolves.toMatchObject({ commit: false, reasonCode: 'CONFLICT' });
  });

  it('refuses malformed requests before touching the database', async () => {
    const store = new ScriptedStore([]);
    await expect(participant(store).prepare(request({ eventId: 'concert' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'event_id' }] });
    await expect(participant(store).prepare(request({ quantity: 0 }))).rejects.toMatchObject({ fields: [{ field: 'quantity' }] });
    await expect(participant(store).commit('not-a-uuid')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(store.attempts).toHaveLength(0);
  });

  it('commits and aborts idempotently, and refuses to commit what was aborted', async () => {
    const store = new ScriptedStore([{ kind: 'prepared', ...price }]);
    const reservations = participant(store);
    const committed = request();
    await reservations.prepare(committed);
    await expect(reservations.commit(committed.txId)).resolves.toBe('committed');
    await expect(reservations.commit(committed.txId)).resolves.toBe('committed');
    const aborted = randomUUID();
    await expect(reservations.abort(aborted)).resolves.toBe('aborted');
    await expect(reservations.abort(aborted)).resolves.toBe('aborted');
    await expect(reservations.commit(aborted)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(reservations.commit(randomUUID())).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('releases a committed reservation once', async () => {
    const store = new ScriptedStore([{ kind: 'prepared', ...price }]);
    const reservations = participant(store);
    const r = request();
    await reservations.prepare(r);
    await reservations.commit(r.txId);
    await expect(reservations.release(r.txId, 'expired')).resolves.toBe('released');
    await expect(reservations.release(r.txId, 'expired')).resolves.toBe('released');
  });
});

describe('the resolver of stale prepared transactions', () => {
  it('asks the coordinator and commits, aborts or waits as told', async () => {
    const store = new ScriptedStore([]);
    const [toCommit, toAbort, undecided] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [toCommit, toAbort, undecided]) store.states.set(id, 'prepared');
    store.stale = [toCommit, toAbort, undecided];
    const answers: Record<string, 'commit' | 'abort' | 'pending'> = { [toCommit]: 'commit', [toAbort]: 'abort', [undecided]: 'pending' };
    const resolver = new PreparedResolver(store, participant(store), { decisionFor: (txId) => Promise.resolve(answers[txId]!) }, quiet, 5_000);
    await expect(resolver.sweep()).resolves.toEqual({ committed: 1, aborted: 1, pending: 1, unreachable: 0 });
    expect(store.states.get(toCommit)).toBe('committed');
    expect(store.states.get(toAbort)).toBe('aborted');
    expect(store.states.get(undecided)).toBe('prepared');
  });

  it('keeps a transaction prepared while the coordinator cannot be reached', async () => {
    const store = new ScriptedStore([]);
    const txId = randomUUID();
    store.states.set(txId, 'prepared');
    store.stale = [txId];
    const resolver = new PreparedResolver(store, participant(store), { decisionFor: () => Promise.reject(new Error('unreachable')) }, quiet, 5_000);
    await expect(resolver.sweep()).resolves.toMatchObject({ unreachable: 1 });
    expect(store.states.get(txId)).toBe('prepared');
  });
});
