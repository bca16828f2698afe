import { IDENTITY_HEADER, signInternalIdentity, type Identity } from '@eticket/auth';
import { CORRELATION_HEADER, formatTraceparent, TRACEPARENT_HEADER, type TraceContext } from '@eticket/logging';
import type { IncomingHttpHeaders } from 'node:http';

/** What the gateway adds to a proxied request, computed before forwarding. */
export interface ForwardedContext {
  readonly requestId: string;
  /** The gateway's span of the request's W3C trace: the service continues it. */
  readonly trace: TraceContext;
  readonly clientIp: string;
  /** The signed identity assertion, or undefined for an anonymous request. */
  readonly assertion: string | undefined;
}

export async function forwardedContext(
  identity: Identity | null,
  trace: TraceContext,
  clientIp: string,
  internalSecret: string,
): Promise<ForwardedContext> {
  if (identity === null) return anonymousContext(trace, clientIp);
  const assertion = await signInternalIdentity(identity, internalSecret);
  return { requestId: trace.requestId ?? trace.traceId, trace, clientIp, assertion };
}

/** The context of an anonymous request: nothing to sign, so no promise to wait for. */
export function anonymousContext(trace: TraceContext, clientIp: string): ForwardedContext {
  return { requestId: trace.requestId ?? trace.traceId, trace, clientIp, assertion: undefined };
}

/**
 * The headers a service receives. The client's identity header is always
 * dropped (only ours is trusted), the bearer token stays at the edge (services
 * trust the assertion, not the token), and x-forwarded-for is replaced with
 * the address the gateway saw, so a client cannot pick the address the login
 * throttle counts against. `traceparent` names the gateway's span, so the
 * service's log lines share the gateway's trace id (a client's traceparent
 * was continued by the gateway, never passed on as is).
 */
export function upstreamHeaders(headers: IncomingHttpHeaders, context: ForwardedContext, alsoDrop: ReadonlySet<string> = NONE): IncomingHttpHeaders {
  // One pass over the client's headers into a fresh object (deleting from a copy would turn it into a
  // slow dictionary-mode object that the HTTP client then iterates again).
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (ALWAYS_DROPPED.has(name) || alsoDrop.has(name)) continue;
    out[name] = headers[name];
  }
  out[CORRELATION_HEADER] = context.requestId;
  out[TRACEPARENT_HEADER] = formatTraceparent(context.trace);
  out['x-forwarded-for'] = context.clientIp;
  if (context.assertion !== undefined) out[IDENTITY_HEADER] = context.assertion;
  return out;
}

const NONE: ReadonlySet<string> = new Set();
/** Replaced by the gateway's own values (above), or never passed on (the token stays at the edge). */
const ALWAYS_DROPPED: ReadonlySet<string> = new Set([IDENTITY_HEADER, 'authorization', 'x-forwarded-host', CORRELATION_HEADER, TRACEPARENT_HEADER, 'x-forwarded-for']);
