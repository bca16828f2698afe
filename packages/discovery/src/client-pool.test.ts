import { AppError } from '@eticket/errors';
import { describe, expect, it } from 'vitest';
import { ClientPool } from './client-pool';
import type { ServiceInstance } from './instance';
import { StaticSource } from './watcher';
import { GRPC_POOL_SETTINGS, isTransportFailure, staticGrpcSource } from './watched-pool';

interface FakeClient {
  readonly address: string;
  calls: number;
  closed: boolean;
  answer: () => Promise<string>;
}

const instance = (id: string, port: number): ServiceInstance => ({ service: 'peer', id, host: '127.0.0.1', grpcPort: port, version: 't', protocols: ['grpc'], registeredAt: '' });
const settings = { ...GRPC_POOL_SETTINGS, breaker: { failureThreshold: 0.5, samplingWindowMs: 1_000, minimumRps: 1, openMs: 60_000 } };

function pool(instances: ServiceInstance[]) {
  const clients: FakeClient[] = [];
  const peers = new ClientPool<FakeClient>(new StaticSource('peer', instances), {
    settings,
    addressOf: (peer) => `${peer.host}:${peer.grpcPort}`,
    connect: (address) => {
      const client: FakeClient = { address, calls: 0, closed: false, answer: () => Promise.resolve(address) };
      clients.push(client);
      return client;
    },
    disconnect: (client) => {
      client.closed = true;
    },
    isFailure: isTransportFailure,
  });
  const call = () => peers.call((client) => {
    client.calls += 1;
    return client.answer();
  });
  return { peers, clients, call };
}

describe('ClientPool', () => {
  it('keeps one client per instance and spreads calls over them', async () => {
    const { clients, call } = pool([instance('a', 1), instance('b', 2)]);
    const answers = await Promise.all(Array.from({ length: 40 }, call));
    expect(clients).toHaveLength(2);
    expect(new Set(answers)).toEqual(new Set(['127.0.0.1:1', '127.0.0.1:2']));
  });

  it('does not retry a call that failed: the caller decides (a Prepare is never repeated blindly)', async () => {
    const { clients, call } = pool([instance('a', 1), instance('b', 2)]);
    for (const client of clients) client.answer = () => Promise.reject(new AppError('UPSTREAM_TIMEOUT'));
    await expect(call()).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(clients.reduce((sum, client) => sum + client.calls, 0)).toBe(1);
  });

  it('moves calls away from an instance whose breaker opened, without sending it any', async () => {
    const { clients, call } = pool([instance('a', 1), instance('b', 2)]);
    const [a, b] = clients as [FakeClient, FakeClient];
    a.answer = () => Promise.reject(new AppError('UPSTREAM_UNAVAILABLE'));
    for (let i = 0; i < 20; i += 1) await call().catch(() => undefined);
    const aCalls = a.calls;
    for (let i = 0; i < 20; i += 1) expect(await call()).toBe(b.address);
    expect(a.calls).toBe(aCalls);
  });

  it('counts a catalog answer as the peer working: it is passed on, and the breaker stays closed', async () => {
    const { peers, clients, call } = pool([instance('a', 1)]);
    clients[0]!.answer = () => Promise.reject(new AppError('NOT_ENOUGH_SEATS'));
    for (let i = 0; i < 20; i += 1) await expect(call()).rejects.toMatchObject({ code: 'NOT_ENOUGH_SEATS' });
    expect(peers.status()[0]).toMatchObject({ breaker: 'closed' });
  });

  it('answers CIRCUIT_OPEN when every breaker is open, and UPSTREAM_UNAVAILABLE when no instance is known', async () => {
    const { clients, call } = pool([instance('a', 1)]);
    clients[0]!.answer = () => Promise.reject(new AppError('INTERNAL'));
    for (let i = 0; i < 5; i += 1) await call().catch(() => undefined);
    await expect(call()).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    await expect(pool([]).call()).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('disconnects the clients of instances it forgets, and all of them on close', async () => {
    const { peers, clients } = pool([instance('a', 1), instance('b', 2)]);
    await peers.close();
    expect(clients.every((client) => client.closed)).toBe(true);
  });

  it('reads a static host:port as a one-instance source', () => {
    expect(staticGrpcSource('user', '10.0.0.5:21111').instances()).toEqual([expect.objectContaining({ host: '10.0.0.5', grpcPort: 21111, service: 'user' })]);
  });
});
