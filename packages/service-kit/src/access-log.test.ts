import { Writable } from 'node:stream';
import { createLogger } from '@eticket/logging';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from './index';

function capturingApp() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const app = createHttpApp({ logger: createLogger({ service: 'user', instance: 'user-7', level: 'info', destination }) });
  app.get('/notification', (request) => {
    request.log.info({ headers: request.headers }, 'handler saw the headers');
    return { ok: true };
  });
  const lines = () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app, lines, text: () => chunks.join('') };
}

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('request logging and tracing in createHttpApp', () => {
  it('logs a WebSocket upgrade on arrival, in the caller trace and without its token', async () => {
    const { app, lines, text } = capturingApp();
    await app.inject({ method: 'GET', url: '/notification?token=upgrade-secret-token&after=5', headers: { traceparent: TRACEPARENT, upgrade: 'websocket', connection: 'upgrade' } });
    expect(lines()[0]).toMatchObject({ 'message': 'websocket upgrade', 'trace.id': '0af7651916cd43dd8448eb211c80319c', 'url.query': 'token=[redacted]&after=5' });
    expect(text()).not.toContain('upgrade-secret-token');
  });

  it('continues the caller trace: every line of the request carries its trace id, and the answer names it', async () => {
    const { app, lines } = capturingApp();
    const response = await app.inject({ method: 'GET', url: '/notification', headers: { traceparent: TRACEPARENT } });
    expect(response.headers.traceresponse).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    const written = lines();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ message: 'handler saw the headers' });
    for (const line of written) expect(line).toMatchObject({ 'trace.id': '0af7651916cd43dd8448eb211c80319c', 'service': { name: 'user', node: { name: 'user-7' } } });
    expect(written[1]).toMatchObject({ 'message': 'request completed', 'http.route': '/notification', 'http.response.status_code': 200, 'url.path': '/notification' });
  });

  it('starts a trace when the caller sent none', async () => {
    const { app, lines } = capturingApp();
    await app.inject({ method: 'GET', url: '/notification' });
    expect(lines()[1]?.['trace.id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never writes the token query parameter, Authorization, Cookie or the identity assertion', async () => {
    const { app, text, lines } = capturingApp();
    await app.inject({
      method: 'GET',
      url: '/notification?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.query-secret-sig&after=12',
      headers: { 'authorization': 'Bearer header-secret', 'cookie': 'session=cookie-secret', 'x-eticket-identity': 'assertion-secret' },
    });
    for (const secret of ['query-secret-sig', 'header-secret', 'cookie-secret', 'assertion-secret', 'eyJhbGciOiJIUzI1NiJ9']) expect(text()).not.toContain(secret);
    expect(lines()[1]).toMatchObject({ 'url.query': 'token=[redacted]&after=12' });
  });
});
