import { AppError } from '@eticket/errors';
import { CircuitOpenError, isNotSent, jitteredBackoff, type Member } from '@eticket/resilience';
import { sendProblem } from '@eticket/service-kit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Agent } from 'undici';
import type { ForwardedContext } from '../auth/identity-assertion';
import type { GatewayMetrics } from '../metrics';
import type { StaleStore } from '../stale/stale-store';
import type { HttpTarget, Upstream, UpstreamDirectory, UpstreamName } from '../upstreams/directory';
import { attempt, AttemptFailure, type AbortCause, type UpstreamResponse } from './attempt';
import { requestHeaders, sendUpstreamResponse, sendStale } from './messages';
import { isRepeatable, nextStep } from './retry-policy';

export interface ProxyDeps {
  readonly agent: Agent;
  readonly directory: UpstreamDirectory;
  readonly stale: StaleStore | undefined;
  readonly metrics: GatewayMetrics;
  readonly maxAttempts: number;
}

export interface RouteProxy {
  readonly upstream: UpstreamName;
  /** The whole request's deadline, every attempt and backoff included. */
  readonly timeoutMs: number;
  /** Forward the validated JSON text (true) or no body at all (false: the route takes none). */
  readonly withBody: boolean;
  /** Keep good answers and serve the last one when the upstream cannot answer. */
  readonly staleIfError: boolean;
  /** The route as registered, for metrics. */
  readonly label: string;
}

type Outcome = UpstreamResponse | AttemptFailure | AppError;

/** Resolves when the client hangs up before its answer was sent. */
function watchClient(reply: FastifyReply): { readonly gone: () => boolean; onGone(listener: () => void): void; stop(): void } {
  let gone = false;
  const listeners: Array<() => void> = [];
  const onClose = () => {
    if (reply.raw.writableFinished) return;
    gone = true;
    for (const listener of listeners) listener();
  };
  reply.raw.once('close', onClose);
  return {
    gone: () => gone,
    onGone: (listener) => listeners.push(listener),
    stop: () => reply.raw.off('close', onClose),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends a request to an instance of its upstream and answers the client:
 *  1. pick an instance (power of two choices, least outstanding; open breakers skipped);
 *  2. call it through its bulkhead and breaker within the attempt's time
 *     (for a repeatable request with somewhere else to go, half of what is
 *     left of the route's deadline, so a hung instance leaves time for another);
 *  3. on failure: a request that never reached an instance moves on at once
 *     (free); a repeatable one (GET, POST with Idempotency-Key) is retried on
 *     another instance when possible, after a jittered backoff, if the
 *     upstream's retry budget has a token; anything else is answered as is;
 *  4. with nothing better: the upstream's own 5xx answer, a stale copy (event
 *     reads), or a problem (503 CIRCUIT_OPEN / UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT).
 */
export async function proxy(
  request: FastifyRequest,
  reply: FastifyReply,
  route: RouteProxy,
  context: ForwardedContext,
  deps: ProxyDeps,
): Promise<FastifyReply> {
  const deadline = Date.now() + route.timeoutMs;
  const upstream = deps.directory.upstream(route.upstream);
  const repeatable = isRepeatable(request.method, request.headers);
  const headers = requestHeaders(request.headers, context, route.withBody);
  const body = route.withBody ? request.rawBody : undefined;
  const client = watchClient(reply);
  upstream.budget.deposit();

  const tried = new Set<string>();
  let sent = 0;
  let reuse = false;
  let outcome: Outcome | undefined;
  try {
    for (;;) {
      const member = upstream.pool.pick(tried) ?? (reuse ? upstream.pool.pick() : undefined);
      if (member === undefined) {
        outcome ??= noInstance(upstream);
        break;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        outcome = new AttemptFailure('timeout', 'the route deadline passed');
        break;
      }
      tried.add(member.target.id);
      const elsewhere = repeatable && sent + 1 < deps.maxAttempts && upstream.pool.size() > 1;
      outcome = await callOnce(upstream, member, { request, headers, body, client, timeoutMs: elsewhere ? Math.ceil(remaining / 2) : remaining, deps });
      if (!(outcome instanceof Error)) break;
      // An error of the gateway's own making (an invalid path) is the answer; pool refusals move on.
      if (!(outcome instanceof AttemptFailure) && !isNotSent(outcome)) break;
      const kind = outcome instanceof AttemptFailure ? outcome.kind : 'not_sent';
      if (kind !== 'not_sent') sent += 1;
      const statusCode = outcome instanceof AttemptFailure ? outcome.response?.statusCode : undefined;
      const step = nextStep({ kind, statusCode, repeatable, sentAttempts: sent, maxAttempts: deps.maxAttempts });
      if (step === 'stop') break;
      if (step === 'failover') {
        deps.metrics.failovers.inc({ upstream: upstream.name });
        reuse = false;
        continue;
      }
      if (!upstream.budget.tryWithdraw()) {
        deps.metrics.retriesDenied.inc({ upstream: upstream.name });
        break;
      }
      deps.metrics.retries.inc({ upstream: upstream.name, reason: kind });
      // A retry prefers an instance not tried yet but may go back to one (a single instance, a dead keep-alive socket).
      reuse = true;
      // A broken connection says nothing about the instance's load: reconnect at once. An answer that says it
      // could not serve (503, a timeout) gets a jittered pause, so that retries from many requests spread out.
      const pause = kind === 'lost' ? 0 : Math.min(jitteredBackoff(sent - 1, 25, 250), Math.max(0, deadline - Date.now() - 1));
      if (pause > 0) await sleep(pause);
    }
  } finally {
    client.stop();
  }
  return answer(request, reply, route, upstream, outcome, deps);
}

interface CallContext {
  readonly request: FastifyRequest;
  readonly headers: ReturnType<typeof requestHeaders>;
  readonly body: string | undefined;
  readonly client: ReturnType<typeof watchClient>;
  readonly timeoutMs: number;
  readonly deps: ProxyDeps;
}

/** One attempt on one member, its failures as values. */
async function callOnce(upstream: Upstream, member: Member<HttpTarget>, call: CallContext): Promise<Outcome> {
  const controller = new AbortController();
  let cause: AbortCause = 'timeout';
  const abort = (why: AbortCause) => {
    cause = why;
    controller.abort(new AttemptFailure(why, why === 'timeout' ? `no answer within ${call.timeoutMs} ms` : 'the client went away'));
  };
  const timer = setTimeout(() => abort('timeout'), call.timeoutMs);
  if (call.client.gone()) abort('client_gone');
  call.client.onGone(() => abort('client_gone'));
  try {
    return await upstream.pool.run(member, () => attempt(call.deps.agent, {
      origin: member.target.origin,
      method: call.request.method,
      path: call.request.url,
      headers: call.headers,
      body: call.body,
      signal: controller.signal,
      abortCause: () => cause,
    }), controller.signal);
  } catch (error) {
    if (error instanceof AttemptFailure || error instanceof AppError) return error;
    return new AttemptFailure('lost', error instanceof Error ? error.message : 'unknown failure', undefined, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function noInstance(upstream: Upstream): AppError {
  if (upstream.pool.size() === 0) {
    return new AppError('UPSTREAM_UNAVAILABLE', `No instance of the ${upstream.name} service is registered`, { retryAfterSeconds: 1 });
  }
  return new CircuitOpenError(upstream.name, upstream.pool.nextProbeInMs() / 1000);
}

function problemOf(outcome: AttemptFailure | AppError, upstream: UpstreamName): AppError {
  if (outcome instanceof AppError) return outcome;
  if (outcome.kind === 'timeout') return new AppError('UPSTREAM_TIMEOUT', `The ${upstream} service did not answer in time`, { cause: outcome });
  return new AppError('UPSTREAM_UNAVAILABLE', `The ${upstream} service is unavailable`, { cause: outcome, retryAfterSeconds: 1 });
}

async function answer(
  request: FastifyRequest,
  reply: FastifyReply,
  route: RouteProxy,
  upstream: Upstream,
  outcome: Outcome | undefined,
  deps: ProxyDeps,
): Promise<FastifyReply> {
  if (outcome !== undefined && !(outcome instanceof Error)) {
    if (route.staleIfError && outcome.statusCode === 200) deps.stale?.remember(request.url, String(outcome.headers['content-type'] ?? 'application/json'), outcome.body);
    return sendUpstreamResponse(reply, outcome);
  }
  const failure = outcome ?? noInstance(upstream);
  if (route.staleIfError && deps.stale !== undefined) {
    const copy = await deps.stale.recall(request.url);
    if (copy !== undefined) {
      deps.metrics.stale.inc({ route: route.label });
      request.log.info({ upstream: upstream.name, reason: failure.message, elapsedMs: reply.elapsedTime }, 'upstream cannot answer: serving the stale copy');
      return sendStale(reply, copy, failure instanceof AttemptFailure && failure.response !== undefined ? failure.response.statusCode : 503);
    }
  }
  if (failure instanceof AttemptFailure && failure.kind === 'status' && failure.response !== undefined) return sendUpstreamResponse(reply, failure.response);
  const problem = problemOf(failure, upstream.name);
  // Per request at info, like Fastify's request log: an outage would otherwise flood the log at the rate of
  // the traffic. What an operator needs at warn is the state changes: breakers, instances joining and leaving.
  request.log.info({ upstream: upstream.name, code: problem.code, reason: failure.message, elapsedMs: reply.elapsedTime }, 'upstream call failed');
  return sendProblem(reply, request, problem);
}
