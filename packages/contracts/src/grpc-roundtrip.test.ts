import * as grpc from '@grpc/grpc-js';
import { AppError } from '@eticket/errors';
import { currentCorrelationId, runWithCorrelationId } from '@eticket/logging';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDirectoryClient } from './generated/eticket/user/v1/UserDirectory';
import { callUnary, loadUserContracts, unaryHandler } from './index';

const contracts = loadUserContracts();
const server = new grpc.Server();
let client: UserDirectoryClient;
let seenCorrelationId: string | undefined;

beforeAll(async () => {
  server.addService(contracts.UserDirectory.service, {
    GetUser: unaryHandler(async (request: { user_id: string }) => {
      seenCorrelationId = currentCorrelationId();
      if (request.user_id === 'missing') throw new AppError('NOT_FOUND', 'No user missing');
      if (request.user_id === 'slow') await new Promise((resolve) => setTimeout(resolve, 500));
      return { id: request.user_id, email: 'a@b.c', roles: ['buyer'] };
    }),
    GetEvent: unaryHandler(() => Promise.reject(new Error('database exploded'))),
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  client = new contracts.UserDirectory(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
});

afterAll(() => {
  client.close();
  server.forceShutdown();
});

describe('gRPC contracts over a real socket', () => {
  it('returns the response and carries the correlation id in metadata', async () => {
    const user = await runWithCorrelationId('corr-7', () => callUnary(client.GetUser.bind(client), { user_id: 'u-1' }, 1_000));
    expect(user).toEqual({ id: 'u-1', email: 'a@b.c', roles: ['buyer'] });
    expect(seenCorrelationId).toBe('corr-7');
  });

  it('keeps the E-Ticket error code of a failure across the wire', async () => {
    await expect(callUnary(client.GetUser.bind(client), { user_id: 'missing' }, 1_000)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'No user missing' });
  });

  it('turns an unexpected server failure into INTERNAL without leaking its message', async () => {
    const failure = callUnary(client.GetEvent.bind(client), { event_id: 'e-1' }, 1_000);
    await expect(failure).rejects.toMatchObject({ code: 'INTERNAL' });
    await expect(failure).rejects.not.toMatchObject({ message: expect.stringContaining('exploded') });
  });

  it('fails with UPSTREAM_TIMEOUT when the deadline passes', async () => {
    await expect(callUnary(client.GetUser.bind(client), { user_id: 'slow' }, 100)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
  });
});
