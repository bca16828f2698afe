import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync, randomUUID } from 'node:crypto';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the gateway
 * starts a trace per buyer request (or continues a valid `traceparent` the
 * client sent), every hop — HTTP, gRPC metadata, WebSocket upgrade — carries
 * `traceparent: 00-<trace-id>-<parent span id>-<flags>`, and each service
 * starts its own span under it. Every log line carries `trace.id` (the same
 * on every service) and `span.id` (this hop), so one request is found across
 * services by its trace id.
 *
 * Written by hand rather than with @opentelemetry/api: we need the header,
 * an AsyncLocalStorage binding and two random ids, not a tracing SDK.
 */
export const TRACEPARENT_HEADER = 'traceparent';

/** The request id (`x-request-id`), kept next to the trace: clients and older tooling quote it. */
export const CORRELATION_HEADER = 'x-request-id';

export interface TraceContext {
  /** 32 lowercase hex digits, shared by every hop of one request. */
  readonly traceId: string;
  /** 16 lowercase hex digits: this service's part of the work. */
  readonly spanId: string;
  /** The span of the caller, when the trace came from one. */
  readonly parentSpanId?: string;
  /** The W3C trace-flags byte as two hex digits (01 = sampled). */
  readonly flags: string;
  /** The request id of the HTTP request that started this work, when there is one. */
  readonly requestId?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** The parts of a valid traceparent header value, or undefined (the W3C rules: no all-zero ids, version ff is invalid). */
export function parseTraceparent(value: unknown): { traceId: string; parentSpanId: string; flags: string } | undefined {
  const text = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof text !== 'string' || text.length > 512) return undefined;
  const match = TRACEPARENT.exec(text.trim());
  if (match === null) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match as unknown as [string, string, string, string, string, string | undefined];
  // Version 00 has exactly four fields; a later version may append more (kept compatible per the spec).
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || parentSpanId === ZERO_SPAN) return undefined;
  return { traceId, parentSpanId, flags };
}

export function newTraceId(): string {
  // randomUUID draws from Node's batched entropy pool: cheaper per request than randomBytes(16).
  return randomUUID().replaceAll('-', '');
}

/**
 * Span ids come from a pool of random bytes refilled 512 ids at a time: one
 * call into the CSPRNG per request showed in the gateway's profile (Node
 * pools randomUUID's entropy the same way, but not randomBytes).
 */
const SPAN_POOL = Buffer.alloc(8 * 512);
let spanOffset = SPAN_POOL.length;

export function newSpanId(): string {
  if (spanOffset >= SPAN_POOL.length) {
    randomFillSync(SPAN_POOL);
    spanOffset = 0;
  }
  const id = SPAN_POOL.toString('hex', spanOffset, spanOffset + 8);
  spanOffset += 8;
  // W3C: an all-zero span id is invalid.
  return id === ZERO_SPAN ? newSpanId() : id;
}

/**
 * The context of work that arrived with these headers: the caller's trace
 * continued under a new span when its traceparent is valid, otherwise a new trace.
 */
export function continueTrace(traceparent: unknown, requestId?: string): TraceContext {
  const parent = parseTraceparent(traceparent);
  const base = parent === undefined
    ? { traceId: newTraceId(), spanId: newSpanId(), flags: '01' }
    : { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.parentSpanId, flags: parent.flags };
  return requestId === undefined ? base : { ...base, requestId };
}

/** The header value to send to the next hop: this span becomes its parent. */
export function formatTraceparent(context: TraceContext): string {
  return `00-${context.traceId}-${context.spanId}-${context.flags}`;
}

/**
 * Headers for an outgoing HTTP request or WebSocket upgrade made on behalf
 * of `context` (by default the current one): `traceparent`, plus
 * `x-request-id` when known. Empty outside any traced work.
 */
export function traceHeaders(context: TraceContext | undefined = currentTrace()): Record<string, string> {
  if (context === undefined) return {};
  const headers: Record<string, string> = { [TRACEPARENT_HEADER]: formatTraceparent(context) };
  if (context.requestId !== undefined) headers[CORRELATION_HEADER] = context.requestId;
  return headers;
}

const storage = new AsyncLocalStorage<TraceContext>();

export function runWithTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

/** Binds the context to the rest of the current asynchronous execution (request hooks use it). */
export function enterTrace(context: TraceContext): void {
  storage.enterWith(context);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}
