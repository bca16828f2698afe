import { describe, expect, it } from 'vitest';
import { domainHarness } from './harness';

const request = (orderId: string) => ({ orderId, userId: 'u-1', eventId: 'e-1', quantity: 2, requestHash: 'h' });

describe('coordinator recovery (presumed abort)', () => {
  it('answers a participant: pending while the coordinator may still decide, then abort', async () => {
    const d = domainHarness({ crashAt: 'crash-after-prepare' });
    await expect(d.coordinator.place(request('o-1'))).rejects.toThrow();
    expect(await d.recovery.decisionFor('o-1')).toBe('pending');
    d.clock.advance(10_000);
    expect(await d.recovery.decisionFor('o-1')).toBe('abort');
    // The presumption is recorded: a coordinator that wakes up now cannot commit.
    expect(d.log.decisions.get('o-1')).toMatchObject({ outcome: 'abort', decidedBy: 'inquiry' });
  });

  it('answers abort for a transaction it has never heard of, and commit for a committed one', async () => {
    const d = domainHarness();
    expect(await d.recovery.decisionFor('unknown')).toBe('abort');
    await d.coordinator.place(request('o-2'));
    expect(await d.recovery.decisionFor('o-2')).toBe('commit');
  });

  it('presumes abort for a stuck placement and rolls the prepared seats back', async () => {
    const d = domainHarness({ seats: 10, crashAt: 'crash-after-prepare' });
    await expect(d.coordinator.place(request('o-1'))).rejects.toThrow();
    expect(d.seats.available).toBe(8);
    expect((await d.recovery.scan()).presumedAborted).toBe(0);
    d.clock.advance(10_001);
    expect((await d.recovery.scan()).presumedAborted).toBe(1);
    expect(d.seats.states.get('o-1')).toBe('aborted');
    expect(d.seats.available).toBe(10);
  });

  it('delivers a commit decision again after a crash before phase 2, then moves its mark past it', async () => {
    const d = domainHarness({ seats: 10, crashAt: 'crash-after-decision' });
    await expect(d.coordinator.place(request('o-1'))).rejects.toThrow();
    d.clock.advance(10_001);
    expect((await d.recovery.scan()).redriven).toBe(1);
    await d.settle();
    expect(d.seats.states.get('o-1')).toBe('committed');
    expect(d.notifier.sent).toEqual(['o-1']);
    expect(await d.log.isEnded('o-1')).toBe(true);
    d.clock.advance(10_001);
    expect((await d.recovery.scan()).redriven).toBe(0);
    expect(d.marks.marks.get('transactions')?.getTime()).toBeGreaterThan(d.log.decisions.get('o-1')!.decidedAt.getTime());
  });
});
