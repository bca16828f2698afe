import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import { upstreamHeaders, type ForwardedContext } from '../auth/identity-assertion';
import type { StaleCopy } from '../stale/stale-store';
import type { UpstreamResponse } from './attempt';

/** Hop-by-hop headers describe one connection, not the message; each side sets its own. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/**
 * What the service receives: the client's headers with the gateway's
 * identity assertion, correlation id and client address (identity-assertion.ts),
 * without hop-by-hop headers, the client's Host (the HTTP client sets the
 * instance's) and the length (recomputed); without a body, no content headers.
 */
export function requestHeaders(headers: IncomingHttpHeaders, context: ForwardedContext, withBody: boolean): IncomingHttpHeaders {
  const out = upstreamHeaders(headers, context);
  for (const name of HOP_BY_HOP) delete out[name];
  delete out.host;
  delete out['content-length'];
  delete out.expect;
  if (!withBody) delete out['content-type'];
  return out;
}

/** The upstream's answer, unchanged but for hop-by-hop headers and the length (Fastify sets it for the buffer). */
export function sendUpstreamResponse(reply: FastifyReply, response: UpstreamResponse): FastifyReply {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    // The client gets the gateway's own traceresponse (same trace id), set when the request arrived.
    if (value === undefined || name === 'content-length' || name === 'traceresponse' || HOP_BY_HOP.includes(name)) continue;
    headers[name] = value;
  }
  return reply.status(response.statusCode).headers(headers).send(response.body);
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
