import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { upstreamHeaders, type ForwardedContext } from '../auth/identity-assertion';
import type { StaleCopy } from '../stale/stale-store';
import type { UpstreamResponse } from './attempt';

/** Hop-by-hop headers describe one connection, not the message; each side sets its own. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
/** Request headers not passed on: hop-by-hop, the client's Host (the HTTP client sets the instance's), the length (recomputed). */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'expect']);
const NOT_FORWARDED_WITHOUT_BODY = new Set([...NOT_FORWARDED, 'content-type']);
/** Response headers not passed back: hop-by-hop, the length (Fastify sets it), the upstream's traceresponse. */
const NOT_RETURNED = new Set([...HOP_BY_HOP, 'content-length', 'traceresponse']);

/**
 * What the service receives: the client's headers with the gateway's
 * identity assertion, correlation id and client address (identity-assertion.ts),
 * without hop-by-hop headers, the client's Host (the HTTP client sets the
 * instance's) and the length (recomputed); without a body, no content headers.
 */
export function requestHeaders(headers: IncomingHttpHeaders, context: ForwardedContext, withBody: boolean): IncomingHttpHeaders {
  return upstreamHeaders(headers, context, withBody ? NOT_FORWARDED : NOT_FORWARDED_WITHOUT_BODY);
}

/** The upstream's answer, unchanged but for hop-by-hop headers and the length (Fastify sets it for the buffer). */
export function sendUpstreamResponse(reply: FastifyReply, response: UpstreamResponse): FastifyReply {
  for (const name in response.headers) {
    const value = response.headers[name];
    // The client gets the gateway's own traceresponse (same trace id), set when the request arrived.
    if (value === undefined || NOT_RETURNED.has(name)) continue;
    void reply.header(name, value);
  }
  return reply.status(response.statusCode).send(response.body);
}

/**
 * A stale copy, marked as such: `x-cache: stale`, RFC 9211 Cache-Status,
 * Age, and the (RFC 7234) warning that revalidation failed.
 */
export function sendStale(reply: FastifyReply, copy: StaleCopy, failedStatus: number): FastifyReply {
  const age = Math.max(0, Math.floor((Date.now() - copy.storedAt) / 1000));
  return reply
    .status(200)
    .header('content-type', copy.contentType)
    .header('x-cache', 'stale')
    .header('cache-status', `eticket-gateway; hit; fwd=stale; fwd-status=${failedStatus}; detail=stale-if-error`)
    .header('age', String(age))
    .header('warning', '111 eticket-gateway "Revalidation Failed"')
    .send(copy.body);
}
