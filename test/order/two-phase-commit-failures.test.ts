import { randomUUID } from 'node:crypto';
import type { Identity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveResourceId } from '../../services/order/src/domain/ids';
import { eventually, exited, OrderStack, settledInvariants } from './support';

// The two-phase commit under crashes, with real processes killed by SIGKILL
// at the worst moments (fault hooks honoured only with NODE_ENV=test), and a
// prepare that outlives the coordinator's deadline. After recovery, in every
// case: nothing is left prepared in PostgreSQL, no order is confirmed without
// its seats, no seat is both sold and free, and available + held = total.

let stack: OrderStack;
let buyer: Identity;

// Short bounds so recovery happens within a test's time: the coordinator
// gives a vote 1.5 s, presumes abort after 4 s, scans every second; the
// participant asks about anything prepared for over 2 s.
const ORDER_ENV = { TWO_PC_PREPARE_TIMEOUT_MS: '1500', TWO_PC_DECISION_BOUND_MS: '4000', RECOVERY_SCAN_INTERVAL_MS: '1000', TWO_PC_PHASE2_TIMEOUT_MS: '1000' };

beforeAll(async () => {
  stack = await OrderStack.start({ name: 'twopc', orderEnv: ORDER_ENV });
  buyer = await stack.buyer();
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * Restarts the User Service with `env`, then the order service: the latter's
 * client pool opened its breaker when the previous User Service died, and a
 * test must not depend on when it half-opens again.
 */
async function restartUser(env: Record<string, string> = {}) {
  await stack.user?.stop();
  const user = await stack.startUser(env);
  await stack.orderProcess()?.stop();
  await stack.startOrder(0);
  return user;
}

/** Places an order whose request is expected to die with the process that serves it. */
async function placeDying(eventId: string, quantity: number): Promise<string> {
  const key = randomUUID();
  await expect(stack.placeOrder(buyer, eventId, quantity, key)).rejects.toThrow();
  return deriveResourceId(buyer.userId, 'order', key);
}

describe('two-phase commit failures', () => {
  it('coordinator SIGKILLed after prepare, before the decision: the prepared reservation survives, then is presumed aborted', async () => {
    const eventId = await stack.event(10);
    await stack.orderProcess()?.stop();
    const doomed = await stack.startOrder(0, { TWO_PC_FAULT: 'crash-after-prepare' });
    const orderId = await placeDying(eventId, 4);
    expect(await exited(doomed)).toBeNull();
    expect(doomed.child.signalCode).toBe('SIGKILL');
    // The participant's PREPARE TRANSACTION outlived the coordinator.
    expect(await stack.preparedTransactions()).toContain(`eticket:${orderId}`);
    expect(await stack.order(orderId)).toMatchObject({ decision: null });

    await stack.startOrder(0);
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 10, held: 0, statuses: { rejected: 1 } });
    expect((await stack.order(orderId))?.decision).toMatchObject({ outcome: 'abort' });
    expect(await stack.reservation(orderId)).toMatchObject({ state: 'aborted' });
    const read = await stack.getOrder(buyer, orderId);
    expect(read.body).toMatchObject({ order_status: 'rejected', status_reason: expect.stringMatching(/did not complete in time/) });
  });

  it('coordinator SIGKILLed after the commit decision, before phase 2: recovery commits and the order holds its seats', async () => {
    const eventId = await stack.event(10);
    await stack.orderProcess()?.stop();
    const doomed = await stack.startOrder(0, { TWO_PC_FAULT: 'crash-after-decision' });
    const orderId = await placeDying(eventId, 3);
    await exited(doomed);
    expect(await stack.preparedTransactions()).toContain(`eticket:${orderId}`);
    expect((await stack.order(orderId))?.decision).toMatchObject({ outcome: 'commit' });

    await stack.startOrder(0);
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 7, held: 3, statuses: { pending_payment: 1 } });
    expect(await stack.reservation(orderId)).toEqual({ state: 'committed', quantity: 3 });
    // Recovery also finishes what phase 2 had left: the buyer is told.
    await eventually('the payment-pending notification', async () => {
      const { rows } = await stack.db.query('SELECT 1 FROM notifications WHERE order_id = $1', [orderId]);
      return rows.length === 1 ? true : undefined;
    });
    // And the order is an ordinary one: it can be paid.
    expect((await stack.pay(buyer, orderId)).status).toBe(201);
    expect(await settledInvariants(stack, eventId)).toMatchObject({ held: 3, statuses: { paid: 1 } });
  });

  it('User Service SIGKILLed between prepare and commit: the decision stands and the commit is completed after it restarts', async () => {
    const eventId = await stack.event(10);
    const doomed = await restartUser({ RESERVATION_TEST_FAULT: 'crash-before-commit' });
    const placed = await stack.placeOrder(buyer, eventId, 2);
    // The coordinator had decided commit; phase 2 is its problem now, not the buyer's.
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ order_status: 'pending_payment' });
    await exited(doomed);
    const orderId = placed.body.id as string;
    expect(await stack.preparedTransactions()).toContain(`eticket:${orderId}`);

    await stack.startUser();
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 8, held: 2, statuses: { pending_payment: 1 } });
    expect(await stack.reservation(orderId)).toEqual({ state: 'committed', quantity: 2 });
  });

  it('User Service SIGKILLed right after PREPARE, before it could vote: the order is refused and the prepared reservation rolled back after the restart', async () => {
    const eventId = await stack.event(10);
    const doomed = await restartUser({ RESERVATION_TEST_FAULT: 'crash-after-prepare' });
    const key = randomUUID();
    const placed = await stack.placeOrder(buyer, eventId, 5, key);
    expect(placed.status).toBe(503);
    expect(placed.body).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    await exited(doomed);
    const orderId = deriveResourceId(buyer.userId, 'order', key);
    expect(await stack.preparedTransactions()).toContain(`eticket:${orderId}`);

    await stack.startUser();
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 10, held: 0, statuses: { rejected: 1 } });
    expect(await stack.reservation(orderId)).toMatchObject({ state: 'aborted' });
  });

  it('a prepare that outlives the coordinator\'s deadline is aborted: 504 for the buyer, nothing left held', async () => {
    const eventId = await stack.event(10);
    // The participant PREPAREs, then sits on its vote for 3 s; the coordinator waits 1.5 s.
    await restartUser({ RESERVATION_TEST_PREPARE_DELAY_MS: '3000', RESERVATION_TEST_DELAY_POINT: 'after-prepare' });
    const key = randomUUID();
    const placed = await stack.placeOrder(buyer, eventId, 2, key);
    expect(placed.status).toBe(504);
    expect(placed.body).toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    const orderId = deriveResourceId(buyer.userId, 'order', key);
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 10, held: 0, statuses: { rejected: 1 } });
    expect(await stack.reservation(orderId)).toMatchObject({ state: 'aborted' });
    // A retry with the same key gets the same refusal, never a second attempt.
    expect((await stack.placeOrder(buyer, eventId, 2, key)).status).toBe(504);
  });

  it('an abort that arrives before its prepare leaves a tombstone, and the late prepare is refused', async () => {
    const eventId = await stack.event(10);
    // This time the participant is slow before it claims anything: the abort overtakes the prepare.
    await restartUser({ RESERVATION_TEST_PREPARE_DELAY_MS: '3000', RESERVATION_TEST_DELAY_POINT: 'before-claim' });
    const key = randomUUID();
    expect((await stack.placeOrder(buyer, eventId, 2, key)).status).toBe(504);
    const orderId = deriveResourceId(buyer.userId, 'order', key);
    expect(await stack.reservation(orderId)).toMatchObject({ state: 'aborted' });
    // Let the late prepare arrive at the tombstone and be refused.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const report = await settledInvariants(stack, eventId);
    expect(report).toMatchObject({ available: 10, held: 0, prepared: [] });
    expect(await stack.reservation(orderId)).toMatchObject({ state: 'aborted' });
    await restartUser();
  });
});
