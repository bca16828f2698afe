import { randomUUID } from 'node:crypto';
import { issueAccessToken, signInternalIdentity } from '@eticket/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually';
import { Client, NotificationStack } from './stack';

// Notifications end to end (docs/notifications.md): real WebSocket clients,
// two User Service instances fanning out through the platform's Redis
// Cluster, the Ticket Order Service and the gateway as real processes.

const HOLD_TTL_SECONDS = 8;
const HOLD_WARNING_SECONDS = 5;
const MAX_CONNECTIONS = 3;

let stack: NotificationStack;

beforeAll(async () => {
  stack = await NotificationStack.start({
    name: 'notifications',
    userEnv: {
      WS_MAX_CONNECTIONS_PER_USER: String(MAX_CONNECTIONS),
      WS_MAX_BUFFERED_BYTES: '65536',
      WS_HEARTBEAT_MS: '2000',
      AVAILABILITY_INTERVAL_MS: '250',
    },
    orderEnv: { HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS), HOLD_WARNING_SECONDS: String(HOLD_WARNING_SECONDS) },
  });
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

const note = (userId: string, text: string, extra: Record<string, string> = {}) => ({ user_id: userId, kind: 'payment_pending', message: text, dedupe_key: `test:${randomUUID()}`, ...extra });

describe('who may connect', () => {
  it('refuses an upgrade without a token, with a forged token and with a malformed one: 401 problem+json', async () => {
    const { userId } = await stack.buyer();
    const forged = (await issueAccessToken({ userId, email: 'x@example.test', roles: ['buyer'] }, 'another-secret-another-secret-another-secret', 3_600)).token;
    for (const url of [stack.gatewayWs, `${stack.gatewayWs}?token=`, `${stack.gatewayWs}?token=${forged}`, `${stack.gatewayWs}?token=not.a.jwt`]) {
      await expect(Client.connect(url)).rejects.toMatchObject({ status: 401 });
    }
    const refused = await Client.connect(`${stack.gatewayWs}?token=${forged}`).catch((error: { body: string; headers: Record<string, string> }) => error);
    expect(refused).toMatchObject({ headers: { 'content-type': 'application/problem+json' } });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('answers a plain GET /notification with 426 UPGRADE_REQUIRED, at the gateway and at the service', async () => {
    const { token } = await stack.buyer();
    const viaGateway = await fetch(`${stack.gatewayUrl}/notification?token=${token}`);
    expect(viaGateway.status).toBe(426);
    expect(await viaGateway.json()).toMatchObject({ code: 'UPGRADE_REQUIRED' });
    const direct = await fetch(`${stack.userUrl('user-a')}/notification?token=${token}`);
    expect(direct.status).toBe(426);
  });

  it('gives a connection only its own user\'s notifications, whatever identity header the client forges', async () => {
    const alice = await stack.buyer();
    const bob = await stack.buyer();
    // Alice claims to be Bob with a hand-made identity header: the gateway drops it and vouches for Alice.
    const claim = await signInternalIdentity({ userId: bob.userId, email: 'bob@example.test', roles: ['buyer'] }, 'not-the-internal-secret-not-the-internal');
    const client = await Client.connect(`${stack.gatewayWs}?token=${alice.token}`, { 'x-eticket-identity': claim });
    await stack.send('user-b', note(bob.userId, 'for bob only'));
    await stack.send('user-b', note(alice.userId, 'for alice'));
    await client.waitFor('alice\'s notification', (c) => (c.notifications().length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(client.notifications().map((n) => n.message)).toEqual(['for alice']);
    await client.close();
    // Straight to an instance, a forged assertion is refused outright.
    await expect(Client.connect(stack.userWs('user-a'), { 'x-eticket-identity': claim })).rejects.toMatchObject({ status: 401 });
  });

  it(`refuses connection ${MAX_CONNECTIONS + 1} of one user on one instance with 429 TOO_MANY_CONNECTIONS`, async () => {
    const { token } = await stack.buyer();
    const open: Client[] = [];
    for (let i = 0; i < MAX_CONNECTIONS; i += 1) open.push(await Client.connect(`${stack.userWs('user-a')}?token=${token}`));
    const refused = await Client.connect(`${stack.userWs('user-a')}?token=${token}`).catch((error: { status: number; body: string }) => error);
    expect(refused).toMatchObject({ status: 429 });
    expect(JSON.parse((refused as { body: string }).body)).toMatchObject({ code: 'TOO_MANY_CONNECTIONS' });
    await open[0]!.close();
    const again = await eventually('a free slot after one closed', () => Client.connect(`${stack.userWs('user-a')}?token=${token}`).catch(() => undefined));
    await Promise.all([...open.slice(1), again].map((client) => client.close()));
  });
});

describe('delivery', () => {
  it('delivers a notification stored on one instance to a client connected to the other, in id order, each once', async () => {
    const { userId, token } = await stack.buyer();
    const onA = await Client.connect(`${stack.userWs('user-a')}?token=${token}`);
    const viaGateway = await Client.connect(`${stack.gatewayWs}?token=${token}`);
    const gauge = async () => Number(/^eticket_gateway_websockets_open(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`${stack.gatewayUrl}/metrics`)).text())?.[1] ?? -1);
    expect(await gauge()).toBeGreaterThanOrEqual(1);
    for (let i = 1; i <= 5; i += 1) await stack.send(i % 2 === 0 ? 'user-a' : 'user-b', note(userId, `n${i}`, { order_id: `order-${i}` }));
    for (const client of [onA, viaGateway]) {
      const got = await client.waitFor('five notifications', (c) => (c.notifications().length >= 5 ? c.notifications() : undefined));
      expect(got.map((n) => [n.id, n.message, n.kind, n.order_id])).toEqual([1, 2, 3, 4, 5].map((i) => [i, `n${i}`, 'payment_pending', `order-${i}`]));
      expect(Date.parse(got[0]!.created_at)).not.toBeNaN();
    }
    await Promise.all([onA.close(), viaGateway.close()]);
    await eventually('the gateway to count the socket closed', async () => ((await gauge()) === 0 ? true : undefined));
  });

  it('stores and delivers a retried send (same dedupe key) once', async () => {
    const { userId, token } = await stack.buyer();
    const client = await Client.connect(`${stack.gatewayWs}?token=${token}`);
    const request = note(userId, 'only once');
    const [first, second] = [await stack.send('user-a', request), await stack.send('user-b', request)];
    expect(second.notification_id).toBe(first.notification_id);
    await stack.send('user-a', note(userId, 'next'));
    const got = await client.waitFor('two notifications', (c) => (c.notifications().length >= 2 ? c.notifications() : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.notifications().map((n) => [n.id, n.message])).toEqual([[1, 'only once'], [2, 'next']]);
    expect(got).toHaveLength(2);
    await client.close();
  });

  it('replays what a client missed after a reconnect with `after`, then goes on live; the REST history pages the same ids', async () => {
    const { userId, token } = await stack.buyer();
    const first = await Client.connect(`${stack.gatewayWs}?token=${token}`);
    for (let i = 1; i <= 3; i += 1) await stack.send('user-a', note(userId, `m${i}`));
    await first.waitFor('three', (c) => (c.notifications().length >= 3 ? true : undefined));
    const last = first.notifications().at(-1)!.id;
    await first.close();
    for (let i = 4; i <= 6; i += 1) await stack.send('user-b', note(userId, `m${i}`));
    const second = await Client.connect(`${stack.gatewayWs}?token=${token}&after=${last}`);
    await second.waitFor('the three missed', (c) => (c.notifications().length >= 3 ? true : undefined));
    await stack.send('user-a', note(userId, 'm7'));
    const got = await second.waitFor('the live one', (c) => (c.notifications().length >= 4 ? c.notifications() : undefined));
    expect(got.map((n) => [n.id, n.message])).toEqual([[4, 'm4'], [5, 'm5'], [6, 'm6'], [7, 'm7']]);
    await second.close();

    const page1 = await stack.json('/notifications?after=2&limit=3', { token });
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ next_after: 5 });
    expect((page1.body?.items as { id: number }[]).map((n) => n.id)).toEqual([3, 4, 5]);
    const page2 = await stack.json('/notifications?after=5&limit=3', { token });
    expect(page2.body).toMatchObject({ next_after: null });
    expect((page2.body?.items as { id: number }[]).map((n) => n.id)).toEqual([6, 7]);
    expect((await stack.json('/notifications')).status).toBe(401);
    expect((await stack.json('/notifications?limit=101', { token })).status).toBe(400);
  });
});

describe('orders and live availability', () => {
  it('tells the buyer payment pending, then payment succeeded, and streams the seat count to a watcher during the purchase', async () => {
    const eventId = await stack.event({ seats: 10 });
    const buyer = await stack.buyer();
    const watcher = await stack.buyer();
    const buyerSocket = await Client.connect(`${stack.gatewayWs}?token=${buyer.token}`);
    const watcherSocket = await Client.connect(`${stack.gatewayWs}?token=${watcher.token}`);
    watcherSocket.send({ type: 'watch', event_ids: [eventId] });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const placed = await stack.json('/order', { method: 'POST', token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { event_id: eventId, quantity: 3 } });
    expect(placed.status).toBe(201);
    const orderId = (placed.body as { id: string }).id;
    expect(await watcherSocket.waitFor('the count after the purchase', (c) => (c.availability(eventId).includes(7) ? true : undefined))).toBe(true);
    const pending = await buyerSocket.waitFor('payment pending', (c) => c.notifications().find((n) => n.kind === 'payment_pending'));
    expect(pending).toMatchObject({ order_id: orderId, event_id: eventId });

    const paid = await stack.json('/payment', { method: 'POST', token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { order_id: orderId, payment_method: 'card' } });
    expect(paid.status).toBe(201);
    const succeeded = await buyerSocket.waitFor('payment succeeded', (c) => c.notifications().find((n) => n.kind === 'payment_succeeded'));
    expect(succeeded).toMatchObject({ order_id: orderId, event_id: eventId });
    expect(watcherSocket.notifications()).toEqual([]);

    // A second buyer's order cancelled: the seats come back, live.
    const second = await stack.json('/order', { method: 'POST', token: watcher.token, headers: { 'idempotency-key': randomUUID() }, body: { event_id: eventId, quantity: 2 } });
    expect(second.status).toBe(201);
    await watcherSocket.waitFor('5 seats left', (c) => (c.availability(eventId).includes(5) ? true : undefined));
    const cancelled = await stack.json(`/order/${(second.body as { id: string }).id}/cancel`, { method: 'POST', token: watcher.token });
    expect(cancelled.status).toBe(200);
    await watcherSocket.waitFor('7 seats again', (c) => (c.availability(eventId).at(-1) === 7 ? true : undefined));
    await watcherSocket.waitFor('order cancelled', (c) => c.notifications().find((n) => n.kind === 'order_cancelled'));
    expect(buyerSocket.availability(eventId)).toEqual([]);
    await Promise.all([buyerSocket.close(), watcherSocket.close()]);
  });

  it('sends availability to subscribers without a watch frame, coalesced to a few frames a second under a burst', async () => {
    const eventId = await stack.event({ seats: 100 });
    const fan = await stack.buyer();
    expect((await stack.json('/subscribe/event', { method: 'POST', token: fan.token, body: { event_id: eventId } })).status).toBe(201);
    const socket = await Client.connect(`${stack.gatewayWs}?token=${fan.token}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const buyers = await Promise.all(Array.from({ length: 4 }, () => stack.buyer()));
    const started = Date.now();
    const placed = await Promise.all(buyers.flatMap((buyer) => [1, 2, 3].map(() =>
      stack.json('/order', { method: 'POST', token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { event_id: eventId, quantity: 1 } }))));
    expect(placed.map((response) => response.status)).toEqual(Array.from({ length: 12 }, () => 201));
    await socket.waitFor('the final count', (c) => (c.availability(eventId).at(-1) === 88 ? true : undefined));
    const elapsedSeconds = Math.max(1, (Date.now() - started) / 1000);
    const frames = socket.availability(eventId).length;
    // Two instances each send at most one frame per 250 ms per event.
    expect(frames).toBeLessThanOrEqual(Math.ceil(elapsedSeconds * 8) + 2);
    await socket.close();
  });

  it(`warns once ${HOLD_WARNING_SECONDS} s before an unpaid hold ends, then tells the buyer it expired`, async () => {
    const eventId = await stack.event({ seats: 5 });
    const buyer = await stack.buyer();
    const socket = await Client.connect(`${stack.gatewayWs}?token=${buyer.token}`);
    const placed = await stack.json('/order', { method: 'POST', token: buyer.token, headers: { 'idempotency-key': randomUUID() }, body: { event_id: eventId, quantity: 1 } });
    expect(placed.status).toBe(201);
    const expired = await socket.waitFor('order expired', (c) => c.notifications().find((n) => n.kind === 'order_expired'), (HOLD_TTL_SECONDS + 15) * 1000);
    const kinds = socket.notifications().map((n) => n.kind);
    expect(kinds).toEqual(['payment_pending', 'hold_expiring', 'order_expired']);
    expect(expired.order_id).toBe((placed.body as { id: string }).id);
    await socket.close();
  }, 60_000);
});

describe('subscriptions and reminders', () => {
  it('subscribes (201, then 200 with the same body), lists, unsubscribes (204) and refuses an unknown event (404)', async () => {
    const eventId = await stack.event();
    const { token } = await stack.buyer();
    const created = await stack.json('/subscribe/event', { method: 'POST', token, body: { event_id: eventId } });
    expect(created.status).toBe(201);
    const again = await stack.json('/subscribe/event', { method: 'POST', token, body: { event_id: eventId } });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(created.body);
    expect((await stack.json('/subscribe/event', { token })).body).toEqual({ items: [created.body] });
    expect((await stack.json('/subscribe/event', { method: 'POST', token, body: { event_id: randomUUID() } })).status).toBe(404);
    expect((await stack.json(`/subscribe/event/${eventId}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await stack.json('/subscribe/event', { token })).body).toEqual({ items: [] });
  });

  it('sends each reminder window exactly once per subscription with two instances scanning and one restarted in between', async () => {
    const eventAt = new Date(Date.now() + 3 * 86_400_000);
    const eventId = await stack.event({ at: eventAt, name: 'Reminder gala' });
    const fans = await Promise.all(Array.from({ length: 3 }, () => stack.buyer()));
    for (const fan of fans) expect((await stack.json('/subscribe/event', { method: 'POST', token: fan.token, body: { event_id: eventId } })).status).toBe(201);
    let socket = await Client.connect(`${stack.gatewayWs}?token=${fans[0]!.token}`);
    const reminders = async (token: string) => ((await stack.json('/notifications?limit=100', { token })).body?.items as { kind: string; message: string; event_id?: string }[])
      .filter((n) => n.kind === 'event_reminder');

    // Not yet due: 25 hours before.
    stack.setClock(new Date(eventAt.getTime() - 25 * 3_600_000));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const fan of fans) expect(await reminders(fan.token)).toEqual([]);

    stack.setClock(new Date(eventAt.getTime() - 23 * 3_600_000));
    for (const fan of fans) await eventually('the 24 h reminder', async () => ((await reminders(fan.token)).length === 1 ? true : undefined));
    const first = await socket.waitFor('the 24 h reminder live', (c) => c.notifications().find((n) => n.kind === 'event_reminder'));
    await socket.close();

    // One instance crashes and comes back; both keep scanning.
    await stack.user('user-b').process?.stop('SIGKILL');
    await stack.startUser('user-b');
    stack.setClock(new Date(eventAt.getTime() - 30 * 60_000));
    for (const fan of fans) await eventually('the 1 h reminder', async () => ((await reminders(fan.token)).length === 2 ? true : undefined));
    // Several more scans of both instances change nothing.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const fan of fans) {
      const got = await reminders(fan.token);
      expect(got.map((n) => n.message)).toEqual([expect.stringContaining('24 hours'), expect.stringContaining('1 hour')]);
      expect(got.every((n) => n.event_id === eventId)).toBe(true);
    }
    const claims = await stack.db.query<{ window_seconds: number; n: string }>('SELECT window_seconds, count(*) AS n FROM reminder_claims WHERE event_id = $1 GROUP BY window_seconds ORDER BY window_seconds', [eventId]);
    expect(claims.rows).toEqual([{ window_seconds: 3_600, n: '3' }, { window_seconds: 86_400, n: '3' }]);
    // A client that saw the first reminder reconnects with `after` and gets exactly the second.
    socket = await Client.connect(`${stack.gatewayWs}?token=${fans[0]!.token}&after=${first.id}`);
    const second = await socket.waitFor('the 1 h reminder replayed', (c) => c.notifications().find((n) => n.kind === 'event_reminder'));
    expect(second.message).toContain('1 hour');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socket.notifications()).toHaveLength(1);
    await socket.close();
    stack.setClock(new Date());
  }, 90_000);
});

describe('keeping connections healthy', () => {
  it('drops a client that stops reading (slow consumer or dead: no pong), and the client catches up on reconnect', async () => {
    const { userId, token } = await stack.buyer();
    const client = await Client.connect(`${stack.userWs('user-b')}?token=${token}`);
    const before = await stack.hubStats('user-b');
    // The client's process stops reading its socket: no more pongs, and frames pile up on the server.
    const raw = (client.socket as unknown as { _socket: { pause(): void } })._socket;
    raw.pause();
    const big = 'x'.repeat(1_900);
    for (let i = 0; i < 60; i += 1) await stack.send('user-a', note(userId, `${i} ${big}`));
    const after = await eventually('the instance to drop the connection', async () => {
      const stats = await stack.hubStats('user-b');
      return stats.droppedSlow + stats.droppedDead > before.droppedSlow + before.droppedDead ? stats : undefined;
    }, 20_000, 200);
    expect(after.connections).toBeLessThanOrEqual(before.connections - 1);
    const again = await Client.connect(`${stack.gatewayWs}?token=${token}&after=0`);
    const replayed = await again.waitFor('all 60 replayed', (c) => (c.notifications().length >= 60 ? c.notifications() : undefined));
    expect(replayed.map((n) => n.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    await again.close();
    client.socket.terminate();
  });
});

describe('logs', () => {
  it('never writes an access token from the query string to any log line of the gateway or the User Service', async () => {
    const { userId, token } = await stack.buyer();
    const viaGateway = await Client.connect(`${stack.gatewayWs}?token=${token}&after=0`);
    const direct = await Client.connect(`${stack.userWs('user-a')}?token=${token}`);
    await fetch(`${stack.gatewayUrl}/notification?token=${token}`);
    await fetch(`${stack.userUrl('user-b')}/notification?token=${token}`);
    await Client.connect(`${stack.gatewayWs}?token=${token}x`).catch(() => undefined);
    await stack.send('user-a', note(userId, 'hello'));
    await viaGateway.waitFor('one notification', (c) => (c.notifications().length > 0 ? true : undefined));
    await Promise.all([viaGateway.close(), direct.close()]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signature = token.split('.')[2]!;
    for (const component of ['gateway', 'user-a', 'user-b']) {
      const log = stack.readLog(component);
      expect(log.length).toBeGreaterThan(0);
      expect(log).not.toContain(signature);
    }
    // The requests that carried the token were logged (their refusals are), just never with it.
    expect(stack.readLog('user-b')).toContain('UPGRADE_REQUIRED');
  });
});
