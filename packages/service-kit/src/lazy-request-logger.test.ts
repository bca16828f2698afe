import { Writable } from 'node:stream';
import { createLogger } from '@eticket/logging';
import { describe, expect, it, vi } from 'vitest';
import { createHttpApp } from './index';

function appLoggingAt(level: string) {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ service: 'user', instance: 'user-1', level, destination });
  const app = createHttpApp({ logger });
  app.get('/quiet', (request) => {
    request.log.debug('below the level');
    return { ok: true };
  });
  app.get('/loud', (request) => {
    request.log.warn({ seats: 3 }, 'few seats left');
    return { ok: true };
  });
  const lines = () => chunks.join('').trim().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
  return { app, logger, lines };
}

describe('the per-request logger', () => {
  it('makes no pino child for a request that logs nothing at an enabled level', async () => {
    const { app, logger, lines } = appLoggingAt('warn');
    const child = vi.spyOn(logger, 'child');
    const response = await app.inject({ method: 'GET', url: '/quiet' });
    expect(response.statusCode).toBe(200);
    expect(child).not.toHaveBeenCalled();
    expect(lines()).toHaveLength(0);
  });

  it('writes an enabled line with the request id, the trace and the fields given, as a pino child would', async () => {
    const { app, lines } = appLoggingAt('warn');
    const response = await app.inject({ method: 'GET', url: '/loud', headers: { 'x-request-id': 'req-42' } });
    const [line] = lines();
    expect(line).toMatchObject({ 'message': 'few seats left', 'seats': 3, 'reqId': 'req-42', 'log.level': 'warn', 'trace.id': response.headers.traceresponse?.toString().split('-')[1] });
  });

  it('still writes the access line and handler lines at info', async () => {
    const { app, lines } = appLoggingAt('info');
    await app.inject({ method: 'GET', url: '/loud' });
    expect(lines().map((line) => line.message)).toEqual(['few seats left', 'request completed']);
  });
});
