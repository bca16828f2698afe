import * as grpc from '@grpc/grpc-js';
import { AppError } from '@eticket/errors';
import { continueTrace, currentCorrelationId, currentTrace, runWithCorrelationId, runWithTrace, type TraceContext } from '@eticket/logging';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDirectoryClient } from './generated/eticket/user/v1/UserDirectory';
import { callUnary, instrumentGrpc, loadUserContracts, unaryHandler, uninstrumentGrpc } from './index';

const contracts = loadUserContracts();
const server = new grpc.Server();
let client: UserDirectoryClient;
let seenCorrelationId: string | undefined;
let seenTrace: TraceContext | undefined;
const registry = new Registry();

beforeAll(async () => {
  instrumentGrpc(registry);
  server.addService(contracts.UserDirectory.service, {
    GetUser: unaryHandler(async (request: { user_id: string }) => {
      seenCorrelationId = currentCorrelationId();
      seenTrace = currentTrace();
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
  uninstrumentGrpc(registry);
  client.close();
  server.forceShutdown();
});

describe('gRPC contracts over a real socket', () => {
  it('returns the response and carries the correlation id in metadata', async () => {
    const user = await runWithCorrelationId('corr-7', () => callUnary(client.GetUser.bind(client), { user_id: 'u-1' }, 1_000));
    expect(user).toEqual({ id: 'u-1', email: 'a@b.c', roles: ['buyer'] });
    expect(seenCorrelationId).toBe('corr-7');
  });

  it('continues the caller W3C trace on the server under a new span (traceparent in metadata)', async () => {
    const caller = continueTrace(undefined);
    await runWithTrace(caller, () => callUnary(client.GetUser.bind(client), { user_id: 'u-2' }, 1_000));
    expect(seenTrace).toMatchObject({ traceId: caller.traceId, parentSpanId: caller.spanId });
    expect(seenTrace?.spanId).not.toBe(caller.spanId);
  });

  it('counts calls made and served by method and status', async () => {
    await callUnary(client.GetUser.bind(client), { user_id: 'u-3' }, 1_000);
    await callUnary(client.GetUser.bind(client), { user_id: 'missing' }, 1_000).catch(() => undefined);
    const text = await registry.metrics();
    expect(text).toMatch(/eticket_grpc_client_calls_total\{method="\/eticket\.user\.v1\.UserDirectory\/GetUser",code="OK"\} [1-9]/);
    expect(text).toMatch(/eticket_grpc_server_calls_total\{method="\/eticket\.user\.v1\.UserDirectory\/GetUser",code="NOT_FOUND"\} [1-9]/);
    expect(text).toContain('eticket_grpc_client_duration_seconds_bucket');
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
