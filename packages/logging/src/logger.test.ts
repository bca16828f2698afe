import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { continueTrace, createLogger, runWithCorrelationId, runWithTrace } from './index';

function capture(): { lines: () => Record<string, unknown>[]; text: () => string; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const text = () => chunks.join('');
  return { stream, text, lines: () => text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes ECS JSON with the service name and instance on every line', () => {
    const { stream, lines } = capture();
    createLogger({ service: 'user', instance: 'user-1', level: 'info', destination: stream }).info('hello');
    const [line] = lines();
    expect(line).toMatchObject({ 'message': 'hello', 'log.level': 'info', 'service': { name: 'user', node: { name: 'user-1' } }, 'event.dataset': 'user' });
    expect(line).not.toHaveProperty(['service.name']);
    expect(line).toHaveProperty('@timestamp');
    expect(line).toHaveProperty('ecs.version');
    expect(line).toHaveProperty(['process.pid']);
  });

  it('never writes the service key twice: a call site\'s `service` field becomes service.target.name', () => {
    const { stream, text } = capture();
    createLogger({ service: 'gateway', instance: 'g-1', level: 'info', destination: stream }).info({ service: 'user' }, 'watching');
    const written = text();
    expect(written.match(/"service":/g)).toHaveLength(1);
    expect(JSON.parse(written)).toMatchObject({ 'service': { name: 'gateway' }, 'service.target.name': 'user' });
  });

  it('moves a scalar given under an ECS object name to labels, so the line stays indexable', () => {
    const { stream, text } = capture();
    createLogger({ service: 'user', instance: 'u-1', level: 'info', destination: stream }).info({ http: 8080, grpc: 8081 }, 'listening');
    expect(JSON.parse(text())).toMatchObject({ 'labels.http': 8080, 'grpc': 8081 });
    expect(JSON.parse(text())).not.toHaveProperty('http');
  });

  it('puts the trace and span of the current work on every line, and nothing outside it', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'gateway', instance: 'g-1', level: 'info', destination: stream });
    const trace = continueTrace('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    runWithTrace(trace, () => logger.info('inside'));
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ 'trace.id': '4bf92f3577b34da6a3ce929d0e0e4736', 'span.id': trace.spanId });
    expect(outside).not.toHaveProperty(['trace.id']);
  });

  it('starts a trace for work that only has a request id', () => {
    const { stream, lines } = capture();
    const logger = createLogger({ service: 'etl', instance: 'e-1', level: 'info', destination: stream });
    runWithCorrelationId('req-42', () => logger.info('inside'));
    expect(lines()[0]?.['trace.id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never writes passwords, tokens, secrets, cookies or authorization headers given as fields', () => {
    const { stream, text } = capture();
    const logger = createLogger({ service: 'user', instance: 'u-1', level: 'info', destination: stream });
    logger.info({
      password: 'hunter2-secret',
      body: { password: 'nested-secret', token: 'jwt-secret', deeper: { password: 'deep-secret' } },
      headers: { 'authorization': 'Bearer abc.def', 'cookie': 'sid=cookie-secret', 'x-eticket-identity': 'identity-secret' },
      request: { headers: { authorization: 'Basic req-secret' }, url: '/notification?token=query-secret&after=3' },
      config: { JWT_SECRET: 'jwt-key-secret', INTERNAL_AUTH_SECRET: 'internal-key-secret' },
    }, 'login');
    const written = text();
    for (const secret of ['hunter2', 'nested-secret', 'jwt-secret', 'deep-secret', 'abc.def', 'cookie-secret', 'identity-secret', 'req-secret', 'query-secret', 'jwt-key-secret', 'internal-key-secret']) {
      expect(written).not.toContain(secret);
    }
    expect(written).toContain('[redacted]');
    // The URL keeps what is not secret, so the line is still useful.
    expect(written).toContain('after=3');
  });

  it('scrubs secrets quoted in messages and in errors (tokens in URLs, connection strings, bearer tokens, JWTs)', () => {
    const { stream, text } = capture();
    const logger = createLogger({ service: 'order', instance: 'o-1', level: 'info', destination: stream });
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LTEifQ.c2lnbmF0dXJlLXNlY3JldA';
    logger.warn(`upgrade refused for /notification?token=${jwt}`);
    logger.error({ err: new Error('connect failed: postgres://eticket:db-pass-secret@127.0.0.1:5432/users') }, 'database down');
    logger.info('forwarding Authorization: Bearer bearer-secret-value to nobody');
    const written = text();
    for (const secret of [jwt, 'db-pass-secret', 'bearer-secret-value']) expect(written).not.toContain(secret);
    expect(written).toContain('127.0.0.1:5432/users');
  });
});
