import { describe, expect, it } from 'vitest';
import { continueTrace, currentTrace, formatTraceparent, newSpanId, parseTraceparent, runWithTrace, traceHeaders } from './trace-context';

const VALID = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('W3C trace context', () => {
  it('parses a valid traceparent', () => {
    expect(parseTraceparent(VALID)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: '01' });
  });

  it.each([
    ['all-zero trace id', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'],
    ['all-zero parent id', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01'],
    ['version ff', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ['upper-case hex', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['extra fields on version 00', `${VALID}-extra`],
    ['a short trace id', '00-4bf92f35-00f067aa0ba902b7-01'],
    ['garbage', '<script>'],
    ['a non-string', 42],
  ])('rejects %s', (_case, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('continues the caller trace under a new span of its own', () => {
    const trace = continueTrace(VALID, 'req-1');
    expect(trace).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: '01', requestId: 'req-1' });
    expect(trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.spanId).not.toBe('00f067aa0ba902b7');
  });

  it('starts a new sampled trace without a valid traceparent', () => {
    const trace = continueTrace('00-bad');
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parentSpanId).toBeUndefined();
    expect(parseTraceparent(formatTraceparent(trace))).toEqual({ traceId: trace.traceId, parentSpanId: trace.spanId, flags: '01' });
  });

  it('gives the headers for the next hop (HTTP, WebSocket upgrade) from the current work, none outside it', () => {
    const trace = continueTrace(VALID, 'req-9');
    expect(runWithTrace(trace, () => traceHeaders())).toEqual({ 'traceparent': `00-${trace.traceId}-${trace.spanId}-01`, 'x-request-id': 'req-9' });
    expect(runWithTrace(trace, () => currentTrace())).toBe(trace);
    expect(traceHeaders()).toEqual({});
  });

  it('draws span ids that are valid and do not repeat, across refills of the random pool', () => {
    const ids = Array.from({ length: 2_000 }, () => newSpanId());
    for (const id of ids) expect(id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
