import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually } from '../support/eventually';
import { startObservedStack, type LogLine, type ObservedStack } from './stack';

// One buyer's order, followed through the logs of three real processes by its
// W3C trace id: gateway (HTTP in) → order service (HTTP) → user service (gRPC
// Prepare/Commit in metadata). And the secrets the request carried appear in
// no log line of any of them.

let stack: ObservedStack;

beforeAll(async () => {
  stack = await startObservedStack();
});

afterAll(async () => {
  await stack?.stop();
});

const withTrace = (lines: LogLine[], traceId: string) => lines.filter((line) => line['trace.id'] === traceId);

describe('correlation across services', () => {
  it('follows one order from the gateway to the order service (HTTP) and the user service (gRPC) by trace id', async () => {
    const eventId = await stack.event(50);
    const token = await stack.token();
    const traceId = randomUUID().replaceAll('-', '');
    const response = await fetch(`${stack.gatewayUrl}/order`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'authorization': `Bearer ${token}`,
        'idempotency-key': randomUUID(),
        // The client's own trace: the gateway continues it, so the client can quote its id.
        'traceparent': `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ event_id: eventId, quantity: 2 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('traceresponse')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));

    const seen = await eventually('the trace in every service log', () => {
      const gateway = withTrace(stack.logLines('gateway'), traceId);
      const order = withTrace(stack.logLines('order'), traceId);
      const user = withTrace(stack.logLines('user'), traceId);
      return gateway.length > 0 && order.length > 0 && user.some((line) => line['rpc.method'] === '/eticket.user.v1.SeatReservation/Commit') ? { gateway, order, user } : undefined;
    }, 10_000, 100);

    expect(seen.gateway).toContainEqual(expect.objectContaining({ 'message': 'request completed', 'http.route': '/order', 'service': expect.objectContaining({ name: 'gateway' }), 'http.response.status_code': 201 }));
    expect(seen.order).toContainEqual(expect.objectContaining({ 'message': 'request completed', 'http.route': '/order', 'service': expect.objectContaining({ name: 'order' }) }));
    expect(seen.user).toContainEqual(expect.objectContaining({ 'message': 'grpc call served', 'rpc.method': '/eticket.user.v1.SeatReservation/Prepare', 'service': expect.objectContaining({ name: 'user' }) }));
    // Each hop is its own span, and the service and instance are named on every line.
    const serviceOf = (line: LogLine) => (line.service as { name: string; node: { name: string } });
    const spans = new Set([...seen.gateway, ...seen.order, ...seen.user].map((line) => `${serviceOf(line).name}:${String(line['span.id'])}`));
    expect([...spans].filter((span) => span.startsWith('order:')).length).toBeGreaterThanOrEqual(1);
    for (const line of [...seen.gateway, ...seen.order, ...seen.user]) {
      expect(serviceOf(line).node.name).toEqual(expect.stringMatching(/-(gateway|order|user)-1$/));
    }
  });

  it('starts a trace at the gateway when the client sends none, and the services share it', async () => {
    const response = await fetch(`${stack.gatewayUrl}/event?limit=1`);
    expect(response.status).toBe(200);
    const traceId = /^00-([0-9a-f]{32})-/.exec(response.headers.get('traceresponse') ?? '')?.[1];
    expect(traceId).toBeDefined();
    await eventually('the read in both logs', () => (withTrace(stack.logLines('gateway'), traceId!).length > 0 && withTrace(stack.logLines('user'), traceId!).length > 0 ? true : undefined), 10_000, 100);
  });

  it('carries the trace through a WebSocket upgrade to the user service, and keeps the ?token= out of every log', async () => {
    const token = await stack.token();
    const traceId = randomUUID().replaceAll('-', '');
    const socket = new WebSocket(`${stack.gatewayUrl.replace('http', 'ws')}/notification?token=${token}`, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    });
    socket.close();
    const seen = await eventually('the socket in both logs', () => {
      const gateway = withTrace(stack.logLines('gateway'), traceId);
      const user = withTrace(stack.logLines('user'), traceId);
      return gateway.length > 0 && user.length > 0 ? { gateway, user } : undefined;
    }, 10_000, 100);
    expect(seen.gateway).toContainEqual(expect.objectContaining({ message: 'websocket opened' }));
    const signature = token.split('.')[2]!;
    for (const service of ['gateway', 'user'] as const) expect(stack.rawLog(service)).not.toContain(signature);
  });

  it('writes no token, password, Authorization or Cookie value to any log, whatever the client sends', async () => {
    const password = `pw-${randomUUID()}`;
    const email = `redaction-${randomUUID().slice(0, 8)}@example.test`;
    await fetch(`${stack.gatewayUrl}/user/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const login = await fetch(`${stack.gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const token = ((await login.json()) as { access_token: string }).access_token;
    const cookie = `session-${randomUUID()}`;
    // A wrong password, a token in the query (as the WebSocket handshake sends it), a bad token, a cookie.
    await fetch(`${stack.gatewayUrl}/user/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: `${password}-wrong` }) });
    await fetch(`${stack.gatewayUrl}/event?limit=1&token=${token}`, { headers: { cookie: `sid=${cookie}` } });
    await fetch(`${stack.gatewayUrl}/order`, { headers: { authorization: `Bearer ${token}`, cookie: `sid=${cookie}` } });
    await fetch(`${stack.gatewayUrl}/order`, { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
    await fetch(`${stack.orderUrl}/order?token=${token}`, { headers: { authorization: `Bearer ${token}` } });

    await eventually('the query-token request logged', () => (stack.logLines('gateway').some((line) => line['url.query'] === 'limit=1&token=[redacted]') ? true : undefined), 10_000, 100);
    const signature = token.split('.')[2]!;
    for (const service of ['gateway', 'user', 'order'] as const) {
      const raw = stack.rawLog(service);
      for (const secret of [password, signature, cookie]) expect(raw, `${service} log`).not.toContain(secret);
    }
  });

  it('serves Prometheus metrics on every service: HTTP per route, gRPC calls, 2PC decisions, WebSockets', async () => {
    const text = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const [gateway, order, user] = await Promise.all([text(stack.gatewayUrl), text(stack.orderUrl), text(stack.userUrl)]);
    expect(sample(gateway, 'eticket_http_request_duration_seconds_count', { service: 'gateway', method: 'POST', route: '/order', status_code: '201' })).toBeGreaterThanOrEqual(1);
    expect(sample(order, 'eticket_2pc_decisions_total', { service: 'order', outcome: 'commit', decided_by: 'coordinator' })).toBeGreaterThanOrEqual(1);
    expect(sample(order, 'eticket_grpc_client_calls_total', { method: '/eticket.user.v1.SeatReservation/Prepare', code: 'OK' })).toBeGreaterThanOrEqual(1);
    expect(sample(user, 'eticket_grpc_server_calls_total', { service: 'user', method: '/eticket.user.v1.SeatReservation/Prepare', code: 'OK' })).toBeGreaterThanOrEqual(1);
    expect(user).toContain('process_cpu_seconds_total');
    expect(sample(gateway, 'eticket_gateway_websockets_opened_total', {})).toBeGreaterThanOrEqual(1);
    expect(user).toContain('eticket_websocket_connections{');
  });
});

/** The sum of a metric's samples whose labels include `labels` (label order in the text is not fixed). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const found = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
