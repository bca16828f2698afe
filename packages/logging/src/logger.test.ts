import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, runWithCorrelationId } from './index';

function capture(): { lines: () => Record<string, unknown>[]; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes ECS JSON with the service name and instance', () => {
    const { stream, lines } = capture();
    createLogger({ service: 'user', instance: 'user-1', level: 'info', destination: stream }).info('hello');
    const [line] = lines();
    expect(line).toMatchObject({ 'message': 'hello', 'log.level': 'info', 'service': { name: 'user', node: { name: 'user-1' } } });
    expect(line).toHaveProperty('@timestamp');
    expect(line).toHaveProperty('ecs.version');
  });

  it('puts the correlation id of the current request on every line as trace.id', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'gateway', instance: 'g-1', level: 'info', destination: stream });
    runWithCorrelationId('req-42', () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ trace: { id: 'req-42' } });
    expect(outside).not.toHaveProperty('trace');
  });

  it('never writes passwords, tokens or authorization headers', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'user', instance: 'u-1', level: 'info', destination: stream });
    logger.info({ password: 'hunter2-secret', body: { password: 'nested-secret', token: 'jwt-secret' }, headers: { authorization: 'Bearer abc.def' } }, 'login');
    const written = JSON.stringify(lines());
    for (const secret of ['hunter2-secret', 'nested-secret', 'jwt-secret', 'Bearer abc.def']) expect(written).not.toContain(secret);
    expect(written).toContain('[redacted]');
  });

  it('redacts a token query parameter inside any string: request URLs, messages, error texts', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'gateway', instance: 'g-1', level: 'info', destination: stream });
    const secret = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';
    logger.info({ url: { full: `http://127.0.0.1/notification?after=3&token=${secret}` } }, 'incoming request');
    logger.info(`upgrade refused for /notification?token=${secret}`);
    logger.warn({ err: new Error('x'), detail: { path: `/notification?TOKEN=${secret}&after=1` } }, 'failed');
    const written = JSON.stringify(lines());
    expect(written).not.toContain(secret);
    expect(written).toContain('token=[redacted]');
    expect(written).toContain('after=3');
  });
});
