import { AppError } from '@eticket/errors';
import { describe, expect, it } from 'vitest';
import { domainHarness } from './harness';
import type { AbortDecision } from './order';

const request = (orderId: string, quantity = 2) => ({ orderId, userId: 'u-1', eventId: 'e-1', quantity, requestHash: 'h' });

describe('two-phase commit coordinator', () => {
  it('commits both participants when the seats vote yes: decision with price and hold, seat commit, notification, end', async () => {
    const d = domainHarness({ seats: 10 });
    const result = await d.coordinator.place(request('o-1', 3));
    expect(result.kind).toBe('decided');
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'commit', total: { amountMinor: 7_500, currency: 'EUR' }, holdExpiresAt: new Date(d.clock.now().getTime() + 600_000) });
    expect(d.seats.states.get('o-1')).toBe('committed');
    await d.settle();
    expect(d.notifier.sent).toEqual(['o-1']);
    expect(await d.log.isEnded('o-1')).toBe(true);
  });

  it('writes the decision after phase 1 and before phase 2', async () => {
    const d = domainHarness();
    d.log.beforeDecide = () => expect(d.seats.calls).toEqual(['prepare o-1']);
    await d.coordinator.place(request('o-1'));
    expect(d.seats.calls).toEqual(['prepare o-1', 'commit o-1']);
  });

  it('aborts on a no vote without another round trip: the participant already rolled back', async () => {
    const d = domainHarness({ seats: 1 });
    await d.coordinator.place(request('o-1', 2));
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'abort', reasonCode: 'NOT_ENOUGH_SEATS', participantsClean: true });
    expect(d.seats.calls).toEqual(['prepare o-1']);
  });

  it('aborts, and tells the participant, when the vote does not arrive in time', async () => {
    const d = domainHarness({ seats: 10 });
    d.seats.failPrepare = new AppError('UPSTREAM_TIMEOUT', 'no answer');
    await d.coordinator.place(request('o-1'));
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'abort', reasonCode: 'UPSTREAM_TIMEOUT', participantsClean: false });
    expect(d.seats.calls).toEqual(['prepare o-1', 'abort o-1']);
    expect(d.seats.available).toBe(10);
  });

  it('follows a presumed abort that was recorded first, and rolls back its own yes', async () => {
    const d = domainHarness({ seats: 10 });
    d.log.beforeDecide = (proposal) => {
      if (proposal.decidedBy === 'coordinator') {
        const presumed: AbortDecision = { ...proposal, decidedBy: 'inquiry', outcome: 'abort', reasonCode: 'UPSTREAM_TIMEOUT', reason: 'late', participantsClean: false };
        d.log.decisions.set(proposal.txId, presumed);
      }
    };
    await d.coordinator.place(request('o-1'));
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'abort', decidedBy: 'inquiry' });
    expect(d.seats.states.get('o-1')).toBe('aborted');
    expect(d.seats.available).toBe(10);
  });

  it('reports an existing placement instead of placing the same order twice', async () => {
    const d = domainHarness();
    await d.coordinator.place(request('o-1'));
    const again = await d.coordinator.place(request('o-1'));
    expect(again.kind).toBe('existing');
    expect(d.seats.calls.filter((call) => call.startsWith('prepare'))).toHaveLength(1);
  });

  it('keeps the decision when phase 2 cannot reach the participant; recovery finishes it later', async () => {
    const d = domainHarness({ seats: 10 });
    d.seats.down = true;
    const originalPrepare = d.seats.prepare.bind(d.seats);
    d.seats.prepare = (r) => {
      d.seats.down = false;
      const vote = originalPrepare(r);
      d.seats.down = true;
      return vote;
    };
    await d.coordinator.place(request('o-1'));
    expect(d.log.decisions.get('o-1')?.outcome).toBe('commit');
    expect(d.seats.states.get('o-1')).toBe('prepared');
    d.seats.down = false;
    d.clock.advance(11_000);
    const report = await d.recovery.scan();
    expect(report.redriven).toBe(1);
    expect(d.seats.states.get('o-1')).toBe('committed');
  });

  it('stops at the crash points it is asked to (test hooks)', async () => {
    const afterPrepare = domainHarness({ crashAt: 'crash-after-prepare' });
    await expect(afterPrepare.coordinator.place(request('o-1'))).rejects.toThrow('crashed at crash-after-prepare');
    expect(afterPrepare.log.decisions.size).toBe(0);
    expect(afterPrepare.seats.states.get('o-1')).toBe('prepared');
    const afterDecision = domainHarness({ crashAt: 'crash-after-decision' });
    await expect(afterDecision.coordinator.place(request('o-2'))).rejects.toThrow('crashed at crash-after-decision');
    expect(afterDecision.log.decisions.get('o-2')?.outcome).toBe('commit');
    expect(afterDecision.seats.states.get('o-2')).toBe('prepared');
  });

  it('in the local baseline reserves in one step and has no phase 2', async () => {
    const d = domainHarness({ mode: 'local' });
    await d.coordinator.place(request('o-1'));
    expect(d.seats.calls).toEqual(['prepare o-1']);
    expect(d.seats.states.get('o-1')).toBe('committed');
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'commit', mode: 'local' });
  });
});
