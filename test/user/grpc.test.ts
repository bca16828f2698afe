import * as grpc from '@grpc/grpc-js';
import { callUnary, loadUserContracts } from '@eticket/contracts';
import type { NotificationsClient } from '@eticket/contracts/generated/eticket/user/v1/Notifications';
import type { SendNotificationRequest } from '@eticket/contracts/generated/eticket/user/v1/SendNotificationRequest';
import type { SendNotificationResponse__Output } from '@eticket/contracts/generated/eticket/user/v1/SendNotificationResponse';
import type { UserDirectoryClient } from '@eticket/contracts/generated/eticket/user/v1/UserDirectory';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenGrpc } from '../../services/user/src/grpc/server';
import { query } from '../../services/user/src/store/db';
import { createUser, eventBody, startUserService, type TestUserService } from './support';

// The gRPC servers over a real socket against the real database, called the
// way the Ticket Order Service calls them: deadline and correlation id on every call.

let user: TestUserService;
let directory: UserDirectoryClient;
let notifications: NotificationsClient;

beforeAll(async () => {
  user = await startUserService();
  const port = await listenGrpc(user.service.grpc, '127.0.0.1', 0);
  const contracts = loadUserContracts();
  directory = new contracts.UserDirectory(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  notifications = new contracts.Notifications(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(async () => {
  directory.close();
  notifications.close();
  await user.close();
});

describe('UserDirectory over gRPC', () => {
  it('returns a user record without any credential', async () => {
    const buyer = await createUser(user);
    const record = await callUnary(directory.GetUser.bind(directory), { user_id: buyer.userId }, 2_000);
    expect(record).toEqual({ id: buyer.userId, email: buyer.email, roles: ['buyer'] });
  });

  it('returns an event with its price in minor units and its seats', async () => {
    const organizer = await createUser(user, ['buyer', 'organizer']);
    const created = await user.service.http.inject({ method: 'POST', url: '/event', payload: eventBody({ price: 12_345, currency: 'EUR' }), headers: await user.as(organizer) });
    const { id, date_time } = created.json<{ id: string; date_time: string }>();
    const record = await callUnary(directory.GetEvent.bind(directory), { event_id: id }, 2_000);
    expect(record).toMatchObject({ id, date_time, price_minor: '12345', currency: 'EUR', total_seats: 800, available_seats: 800, organizer_id: organizer.userId });
  });

  it.each([
    ['an unknown user', () => callUnary(directory.GetUser.bind(directory), { user_id: randomUUID() }, 2_000), 'NOT_FOUND'],
    ['an unknown event', () => callUnary(directory.GetEvent.bind(directory), { event_id: randomUUID() }, 2_000), 'NOT_FOUND'],
    ['a user id that is not a UUID', () => callUnary(directory.GetUser.bind(directory), { user_id: '1\' OR 1=1 --' }, 2_000), 'VALIDATION_FAILED'],
    ['an empty event id', () => callUnary(directory.GetEvent.bind(directory), { event_id: '' }, 2_000), 'VALIDATION_FAILED'],
  ])('answers %s with the catalog code %s carried across the wire', async (_case, call, code) => {
    await expect(call()).rejects.toMatchObject({ code });
  });
});

describe('Notifications.Send over gRPC', () => {
  it('stores a notification once per dedupe key, even when the send is retried', async () => {
    const buyer = await createUser(user);
    const request = { user_id: buyer.userId, kind: 'payment_pending', message: 'Pay within 10 minutes', dedupe_key: `order-1:pending:${randomUUID()}`, order_id: 'order-1' };
    const send = () => callUnary<SendNotificationRequest, SendNotificationResponse__Output>(notifications.Send.bind(notifications), request, 2_000);
    const first = await send();
    const retry = await send();
    expect(retry.notification_id).toBe(first.notification_id);
    const rows = await query<{ kind: string; message: string; order_id: string }>(user.db.write, 'SELECT kind, message, order_id FROM notifications WHERE user_id = $1', [buyer.userId]);
    expect(rows).toEqual([{ kind: 'payment_pending', message: 'Pay within 10 minutes', order_id: 'order-1' }]);
  });

  it('refuses a notification for an unknown user with NOT_FOUND and a malformed one with VALIDATION_FAILED', async () => {
    await expect(callUnary(notifications.Send.bind(notifications), { user_id: randomUUID(), kind: 'x', message: 'hi' }, 2_000)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(callUnary(notifications.Send.bind(notifications), { user_id: randomUUID(), kind: 'Bad Kind', message: '' }, 2_000)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
