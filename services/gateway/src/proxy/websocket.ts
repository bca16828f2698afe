import { request as httpRequest, STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { IDENTITY_HEADER, signInternalIdentity, verifyAccessToken, type Identity } from '@eticket/auth';
import { notificationSocket } from '@eticket/contracts';
import { AppError, isAppError, PROBLEM_CONTENT_TYPE, toProblem } from '@eticket/errors';
import { continueTrace, CORRELATION_HEADER, correlationIdFrom, runWithTrace, traceHeaders, TRACEPARENT_HEADER, type Logger, type TraceContext } from '@eticket/logging';
import { CircuitOpenError, InstanceBusyError } from '@eticket/resilience';
import type { HttpTarget, UpstreamDirectory } from '../upstreams/directory';
import { AttemptFailure, type FailureKind } from './attempt';

// WebSocket upgrades of GET /notification, piped to a User Service instance.
//
// Written on node:http rather than with a proxy library (http-proxy,
// @fastify/http-proxy): what matters here is the gateway's own part — the
// access token read from the `token` query parameter (browsers cannot set
// headers on a WebSocket) and verified at the edge, never forwarded nor
// logged; the signed identity assertion in its place; the instance chosen by
// the same balancer and breakers as every other request — and after the
// handshake a WebSocket is two byte streams piped into each other, which
// node's `upgrade` event already hands us. A library would add a dependency
// and still need all of the above around it.

export interface WebSocketProxyDeps {
  readonly directory: UpstreamDirectory;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Deadline of the upstream handshake. */
  readonly handshakeTimeoutMs: number;
  readonly onOpen?: () => void;
  readonly onClose?: () => void;
}

const MAX_TOKEN_LENGTH = 4096;
/** Instances tried when one refuses the connection or is draining. */
const MAX_ATTEMPTS = 3;
/** Headers a client may not pass on: ours replace them, or they concern this hop only. */
const DROPPED = new Set([
  'host', 'authorization', 'cookie', IDENTITY_HEADER, 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', CORRELATION_HEADER, TRACEPARENT_HEADER, 'content-length', 'transfer-encoding',
]);

/** Answers an upgrade request with a problem+json over the raw socket and closes it. */
function refuse(socket: Duplex, error: AppError, requestId: string, path: string, extraHeaders: Record<string, string> = {}): void {
  const problem = toProblem(error, path);
  const body = JSON.stringify(problem);
  const headers = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'connection': 'close',
    [CORRELATION_HEADER]: requestId,
    ...(error.retryAfterSeconds === undefined ? {} : { 'retry-after': String(Math.ceil(error.retryAfterSeconds)) }),
    ...extraHeaders,
  };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n');
  socket.end(`HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n${head}\r\n\r\n${body}`);
}

/** The client's `after`, checked at the edge like any query: a non-negative integer, or absent. */
function afterOf(url: URL): string | undefined {
  const after = url.searchParams.get('after');
  if (after === null) return undefined;
  if (!/^\d{1,15}$/.test(after)) {
    throw new AppError('VALIDATION_FAILED', 'after must be a non-negative integer', { fields: [{ field: 'querystring/after', message: 'must be a non-negative integer' }] });
  }
  return String(Number(after));
}

type Handshake =
  | { readonly upgraded: true; readonly response: IncomingMessage; readonly socket: Duplex; readonly head: Buffer }
  | { readonly upgraded: false; readonly response: IncomingMessage; readonly body: Buffer };

/** Not a usable answer from the instance (refused, reset, timed out, 5xx): counted by its breaker; the next instance may be tried. */
const failed = (kind: FailureKind, message: string) => new AttemptFailure(kind, message);

function handshake(target: HttpTarget, path: string, headers: Record<string, string | string[]>, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const origin = new URL(target.origin);
    const upstream = httpRequest({ host: origin.hostname, port: origin.port, path, method: 'GET', headers, timeout: timeoutMs });
    upstream.on('timeout', () => upstream.destroy(failed('timeout', `no handshake from ${target.id} within ${timeoutMs} ms`)));
    upstream.on('error', (error) => reject(error instanceof AttemptFailure ? error : failed('lost', `${target.id}: ${error.message}`)));
    upstream.on('upgrade', (response, socket, head) => {
      upstream.setTimeout(0);
      resolve({ upgraded: true, response, socket, head });
    });
    upstream.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks);
        // A draining or failing instance: count it against its breaker and try another.
        if (response.statusCode !== undefined && response.statusCode >= 500) reject(failed('status', `${target.id} answered ${response.statusCode}`));
        else resolve({ upgraded: false, response, body });
      });
      response.on('error', (error) => reject(failed('lost', error.message)));
    });
    upstream.end();
  });
}

function rawHead(response: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${response.statusCode ?? 502} ${response.statusMessage ?? ''}`];
  for (let i = 0; i < response.rawHeaders.length; i += 2) lines.push(`${response.rawHeaders[i]}: ${response.rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Pipes two sockets into each other until either closes; each side's end or error ends the other. */
function splice(client: Duplex, upstream: Duplex, onClose: () => void): void {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    client.destroy();
    upstream.destroy();
    onClose();
  };
  for (const socket of [client, upstream]) {
    socket.on('error', close);
    socket.on('close', close);
  }
  client.pipe(upstream);
  upstream.pipe(client);
}

async function handleUpgrade(request: IncomingMessage, client: Duplex, head: Buffer, deps: WebSocketProxyDeps, trace: TraceContext): Promise<void> {
  const requestId = trace.requestId ?? trace.traceId;
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  if (url.pathname !== notificationSocket.url) {
    refuse(client, new AppError('ROUTE_NOT_FOUND', `No WebSocket at ${url.pathname}`), requestId, url.pathname);
    return;
  }
  if ((request.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    refuse(client, new AppError('UPGRADE_REQUIRED', 'Only WebSocket upgrades are served here'), requestId, url.pathname, { upgrade: 'websocket' });
    return;
  }
  let identity: Identity;
  let after: string | undefined;
  try {
    after = afterOf(url);
    identity = await verifyOrThrow(url, deps.jwtSecret);
  } catch (error) {
    refuse(client, isAppError(error) ? error : new AppError('UNAUTHENTICATED', 'Invalid access token'), requestId, url.pathname);
    return;
  }
  // The token stops here: the instance gets the signed assertion, and a URL without the token.
  const path = after === undefined ? notificationSocket.url : `${notificationSocket.url}?after=${after}`;
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined && !DROPPED.has(name)) headers[name] = value;
  headers[IDENTITY_HEADER] = await signInternalIdentity(identity, deps.internalSecret);
  // The W3C trace (traceparent, x-request-id), so the instance's lines for this socket share the gateway's trace id.
  Object.assign(headers, traceHeaders(trace));
  headers['x-forwarded-for'] = request.socket.remoteAddress ?? '';

  const { pool } = deps.directory.upstream('user');
  const tried = new Set<string>();
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const member = pool.pick(tried);
    if (member === undefined) break;
    tried.add(member.target.id);
    let result: Handshake;
    try {
      result = await pool.run(member, () => handshake(member.target, path, headers, deps.handshakeTimeoutMs));
    } catch (error) {
      lastError = error;
      deps.logger.debug({ err: error, instance: member.target.id }, 'WebSocket handshake failed; trying another instance');
      continue;
    }
    if (client.destroyed) {
      if (result.upgraded) result.socket.destroy();
      return;
    }
    if (!result.upgraded) {
      // The instance's own refusal (401, 426, 429 ...): passed on as it is.
      client.end(Buffer.concat([Buffer.from(rawHead(result.response)), result.body]));
      return;
    }
    client.write(rawHead(result.response));
    if (result.head.length > 0) client.write(result.head);
    if (head.length > 0) result.socket.write(head);
    deps.onOpen?.();
    deps.logger.info({ 'url.path': notificationSocket.url, 'upstream.instance': member.target.id }, 'websocket opened');
    splice(client, result.socket, () => deps.onClose?.());
    return;
  }
  const unavailable = lastError instanceof CircuitOpenError
    ? new AppError('CIRCUIT_OPEN', 'The User Service is unavailable', { retryAfterSeconds: Math.max(1, pool.nextProbeInMs() / 1000) })
    : new AppError('UPSTREAM_UNAVAILABLE', lastError instanceof InstanceBusyError ? 'Every User Service instance is busy' : 'No User Service instance took the connection', { retryAfterSeconds: 1 });
  refuse(client, unavailable, requestId, url.pathname);
}

async function verifyOrThrow(url: URL, jwtSecret: string): Promise<Identity> {
  const token = url.searchParams.get('token');
  if (token === null || token === '') throw new AppError('UNAUTHENTICATED', 'Connect with ?token=<access token>');
  if (token.length > MAX_TOKEN_LENGTH) throw new AppError('UNAUTHENTICATED', 'The access token is malformed');
  return verifyAccessToken(token, jwtSecret);
}

/**
 * Serves WebSocket upgrades on the gateway's server. Node sends every
 * upgrade request here (Fastify never sees them); everything else stays with
 * Fastify, including a plain GET /notification, answered 426 by its route.
 */
export function attachWebSocketProxy(server: Server, deps: WebSocketProxyDeps): void {
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    // Fastify's hooks never see an upgrade: the trace is continued (or started) here, as createHttpApp does for requests.
    const trace = continueTrace(request.headers[TRACEPARENT_HEADER], correlationIdFrom(request.headers[CORRELATION_HEADER]));
    runWithTrace(trace, () => {
      handleUpgrade(request, socket, head, deps, trace).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'WebSocket upgrade failed');
        if (!socket.destroyed) refuse(socket, new AppError('INTERNAL', 'The connection could not be set up'), trace.requestId ?? trace.traceId, '/notification');
      });
    });
  });
}
