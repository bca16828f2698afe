import type { IncomingHttpHeaders } from 'node:http';
import { AppError } from '@eticket/errors';
import type { Agent } from 'undici';

/** The answer of an upstream instance, read completely. */
export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/**
 * Why an attempt got no usable answer:
 * - not_sent: the request certainly did not reach the instance (connection
 *   refused or not established, or the pool refused it): any other instance may take it;
 * - lost: sent, but the connection broke before a complete answer;
 * - timeout: no complete answer within the attempt's time;
 * - status: a 5xx answer (kept, to pass on if nothing better comes);
 * - client_gone: the client hung up; nobody is waiting any more.
 */
export type FailureKind = 'not_sent' | 'lost' | 'timeout' | 'status' | 'client_gone';

export class AttemptFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly response?: UpstreamResponse,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AttemptFailure';
  }
}

/** Only an instance's own failures count against its breaker: not a client leaving, not a request the gateway refused. */
export const isInstanceFailure = (error: Error): boolean => error instanceof AttemptFailure && error.kind !== 'client_gone';

/** Why the gateway aborted an attempt: its own deadline, or the client leaving. */
export type AbortCause = 'timeout' | 'client_gone';

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);

function errorCode(error: unknown): string | undefined {
  const failure = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = failure?.code ?? failure?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Upper bound on an upstream answer the gateway buffers; the services' answers are small JSON documents. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

type ResponseBody = AsyncIterable<Buffer> & { destroy(): void; arrayBuffer(): Promise<ArrayBuffer> };

async function readCapped(body: ResponseBody, declared: string | string[] | undefined): Promise<Buffer> {
  const tooLarge = () => {
    body.destroy();
    return new AttemptFailure('lost', `the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
  };
  if (typeof declared === 'string') {
    // The common case: a declared length, read in one go.
    if (Number(declared) > MAX_RESPONSE_BYTES) throw tooLarge();
    return Buffer.from(await body.arrayBuffer());
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export interface AttemptRequest {
  readonly origin: string;
  readonly method: string;
  /** Path and query, exactly as the client sent them. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
  /** Read when the signal fires: which of the two reasons it was. */
  readonly abortCause: () => AbortCause;
}

function classify(error: unknown, request: AttemptRequest): AttemptFailure {
  if (request.signal.aborted) {
    const cause = request.abortCause();
    return new AttemptFailure(cause, cause === 'timeout' ? 'no answer in time' : 'the client went away', undefined, { cause: error });
  }
  const code = errorCode(error);
  if (code !== undefined && NOT_SENT_CODES.has(code)) return new AttemptFailure('not_sent', `could not connect (${code})`, undefined, { cause: error });
  return new AttemptFailure('lost', `the connection failed (${code ?? (error instanceof Error ? error.message : 'unknown')})`, undefined, { cause: error });
}

/**
 * One request to one instance, answer read in full (so a connection that
 * breaks mid-body is a failure to retry, not a truncated answer to the
 * client). A 5xx answer throws AttemptFailure('status') carrying it, so the
 * breaker counts it; any other answer, 4xx included, is a success.
 */
export async function attempt(agent: Agent, request: AttemptRequest): Promise<UpstreamResponse> {
  let response: UpstreamResponse;
  try {
    const { statusCode, headers, body } = await agent.request({
      origin: request.origin,
      path: request.path,
      method: request.method,
      headers: request.headers as Record<string, string>,
      body: request.body ?? null,
      signal: request.signal,
    });
    response = { statusCode, headers, body: await readCapped(body, headers['content-length']) };
  } catch (error) {
    if (error instanceof AttemptFailure) throw error;
    // undici refuses some request targets outright: the client's fault, not the instance's.
    if (errorCode(error) === 'UND_ERR_INVALID_ARG') {
      const message = error instanceof Error ? error.message : 'is not a valid path';
      throw new AppError('VALIDATION_FAILED', `Invalid path: ${message}`, { cause: error, fields: [{ field: 'path', message }] });
    }
    throw classify(error, request);
  }
  if (response.statusCode >= 500) throw new AttemptFailure('status', `answered ${response.statusCode}`, response);
  return response;
}
