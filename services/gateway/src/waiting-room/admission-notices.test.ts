import { EventEmitter } from 'node:events';
import type { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { AdmissionNotices } from './admission-notices';

/** The subscriber side of a Redis client: messages are emitted by the test. */
class FakeSubscriber extends EventEmitter {
  subscribe = () => Promise.resolve(1);
  quit = () => Promise.resolve('OK');
  disconnect = () => undefined;
}

const CHANNEL = 'wr:admitted:test';
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until `condition` holds (a loaded machine delays timers; this waits as long as it takes, up to 5 s). */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition() && Date.now() < deadline) await settle(5);
}

function notices(): { subscriber: FakeSubscriber; notices: AdmissionNotices } {
  const subscriber = new FakeSubscriber();
  return { subscriber, notices: new AdmissionNotices(subscriber as unknown as Cluster, CHANNEL) };
}

describe('AdmissionNotices (what wakes a held long poll)', () => {
  it('wakes the poll held for a buyer when their admission is published, and no other', async () => {
    const { subscriber, notices: room } = notices();
    const woken: string[] = [];
    void room.waitFor('e1', 'u1', 10_000).done.then(() => woken.push('u1'));
    const other = room.waitFor('e1', 'u2', 10_000);
    void other.done.then(() => woken.push('u2'));
    subscriber.emit('message', CHANNEL, 'e1:u1');
    subscriber.emit('message', 'another-channel', 'e1:u2');
    await until(() => woken.length > 0);
    await settle(10);
    expect(woken).toEqual(['u1']);
    other.cancel();
    await room.close();
  });

  it('ends a hold at its timeout when no admission comes, saying it was not admitted', async () => {
    const { notices: room } = notices();
    const started = Date.now();
    expect(await room.waitFor('e1', 'u1', 50).done).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await room.close();
  });

  it('says a hold ended by the admission was admitted', async () => {
    const { subscriber, notices: room } = notices();
    const held = room.waitFor('e1', 'u1', 10_000);
    subscriber.emit('message', CHANNEL, 'e1:u1');
    expect(await held.done).toBe(true);
    await room.close();
  });

  it('wakes a held wait at once when this gateway\'s own release admitted the buyer, without counting it as an admission heard', async () => {
    const { subscriber, notices: room } = notices();
    const held = room.waitFor('e1', 'u1', 10_000);
    const bystander = room.waitFor('e1', 'u2', 10_000);
    room.deliver('e1', 'u1');
    expect(await held.done).toBe(true);
    expect(bystander.admissionsHeard()).toBe(0);
    // The same admission's PUBLISH, arriving later, finds the wait gone and is counted once.
    subscriber.emit('message', CHANNEL, 'e1:u1');
    expect(bystander.admissionsHeard()).toBe(1);
    bystander.cancel();
    await room.close();
  });

  it('counts the admissions of the event heard while a wait is held, and keeps the count once the wait has ended', async () => {
    const { subscriber, notices: room } = notices();
    subscriber.emit('message', CHANNEL, 'e1:before');
    const earlier = room.waitFor('e1', 'u0', 10_000);
    subscriber.emit('message', CHANNEL, 'e1:also-before');
    const held = room.waitFor('e1', 'u1', 50);
    expect(held.admissionsHeard()).toBe(0);
    for (const user of ['a', 'b', 'c']) subscriber.emit('message', CHANNEL, `e1:${user}`);
    subscriber.emit('message', CHANNEL, 'e2:x');
    expect(held.admissionsHeard()).toBe(3);
    // Timed out (the last wait of e1 on this gateway after the earlier one is cancelled): the count stays.
    earlier.cancel();
    expect(await held.done).toBe(false);
    subscriber.emit('message', CHANNEL, 'e1:after');
    expect(held.admissionsHeard()).toBe(3);
    expect(earlier.admissionsHeard()).toBe(4);
    await room.close();
  });

  it('recovers a lost notice: the sweep reads the admitted buyers of the events it holds polls for and wakes them', async () => {
    const { notices: room } = notices();
    const asked: string[] = [];
    room.recoverWith((eventId) => {
      asked.push(eventId);
      return Promise.resolve(eventId === 'e1' ? ['u1', 'somebody-not-held-here'] : []);
    }, 20);
    const held = room.waitFor('e1', 'u1', 10_000);
    let woken = false;
    void held.done.then(() => (woken = true));
    await until(() => woken);
    expect(woken).toBe(true);
    // Only events with held polls are read; once the poll has ended, nothing is.
    expect(new Set(asked)).toEqual(new Set(['e1']));
    asked.length = 0;
    await settle(60);
    expect(asked).toEqual([]);
    await room.close();
  });
});
