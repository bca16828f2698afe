import { AppError } from '@eticket/errors';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_AFTER_SECONDS, errorHandler } from './error-handler';

function appThrowing(error: AppError) {
  const app = Fastify();
  app.setErrorHandler(errorHandler);
  app.get('/fail', () => {
    throw error;
  });
  return app;
}

describe('errorHandler', () => {
  it('gives a 503 raised without a delay the default Retry-After, as problem+json', async () => {
    const r = await appThrowing(new AppError('UPSTREAM_UNAVAILABLE', 'The order database cannot be reached')).inject('/fail');
    expect(r.statusCode).toBe(503);
    expect(r.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503 });
  });

  it('gives a 429 raised without a delay the default Retry-After', async () => {
    const r = await appThrowing(new AppError('TOO_MANY_CONNECTIONS', 'close one first')).inject('/fail');
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe(String(DEFAULT_RETRY_AFTER_SECONDS));
  });

  it('keeps the delay an error was raised with, rounded up to whole seconds', async () => {
    const r = await appThrowing(new AppError('CIRCUIT_OPEN', 'open', { retryAfterSeconds: 4.2 })).inject('/fail');
    expect(r.headers['retry-after']).toBe('5');
  });

  it('sends no Retry-After with a client error that retrying cannot fix', async () => {
    const r = await appThrowing(new AppError('NOT_ENOUGH_SEATS', 'Only 3 seats are left')).inject('/fail');
    expect(r.statusCode).toBe(409);
    expect(r.headers['retry-after']).toBeUndefined();
  });
});
