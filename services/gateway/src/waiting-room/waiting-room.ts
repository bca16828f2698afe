import type { Cluster } from 'ioredis';
import { AppError } from '@eticket/errors';
import { LocalFallback } from './local-fallback';
import { ENTER_LUA, POLL_LUA, RELEASE_LUA } from './scripts';
import { TicketSigner } from './ticket';

export interface WaitingRoomSettings {
  /** The deployment (DISCOVERY_NAMESPACE): its gateways share one queue per event. */
  readonly namespace: string;
  readonly internalSecret: string;
  /** Orders in flight per event before anyone queues, until the controller has learned better. */
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
  /** The controller lets the mean latency of admitted orders reach this multiple of the recent minimum. */
  readonly latencyTolerance: number;
  /** How long an admitted buyer has to come back and place the order before the slot goes to the next. */
  readonly admitWindowMs: number;
  /** An in-flight order's slot is freed after this even if its gateway never said it finished (a crash). */
  readonly leaseMs: number;
  /** A queued buyer who has not polled for this long has left: skipped when their turn comes. */
  readonly abandonMs: number;
  /** Orders in flight per gateway instance while Redis cannot be reached. */
  readonly fallbackConcurrency: number;
}

/** The answer to a buyer who asked to place an order. */
export type Entry =
  | { readonly status: 'admitted'; readonly done: (latencyMs: number, ok: boolean) => void }
  | QueuedPlace;

export interface QueuedPlace {
  readonly status: 'queued';
  readonly ticket: string;
  readonly eventId: string;
  readonly position: number;
  readonly estimatedWaitSeconds: number;
  readonly pollAfterMs: number;
}

export type PollAnswer =
  | { readonly status: 'admitted' | 'expired'; readonly eventId: string; readonly pollAfterMs: number }
  | QueuedPlace;

type ScriptReply = [number, number?, number?, number?, number?];

interface RoomCommands {
  waitingRoomEnter(...args: [string, string, string, string, string, string, string]): Promise<ScriptReply>;
  waitingRoomPoll(...args: [string, string, string, string, string, string, string, string]): Promise<ScriptReply>;
  waitingRoomRelease(...args: [string, string, string, string, string, string, string, string, string]): Promise<number>;
}

export type WaitingRoomOutcome = 'admitted' | 'queued' | 'admitted_from_queue' | 'fallback_admitted' | 'fallback_refused';

/**
 * Admission control for placing orders during an on-sale (one waiting room
 * per event), shared by every gateway instance through Redis:
 *  - an order goes straight through while fewer than the event's limit are in
 *    flight and nobody is waiting;
 *  - otherwise the buyer gets a place in a FIFO queue (202 + a signed ticket
 *    bound to their account) and polls it; asking again keeps the place;
 *  - each finished order frees its slot for the head of the queue, so buyers
 *    are admitted exactly as fast as orders are confirmed, and the limit
 *    itself adapts to the latency the services show (scripts.ts).
 * If Redis cannot answer, each gateway admits up to `fallbackConcurrency`
 * orders at a time and refuses the rest with 503 (see LocalFallback).
 */
export class WaitingRoom {
  private readonly signer: TicketSigner;
  private readonly fallback: LocalFallback;
  private readonly config: string;
  private readonly commands: RoomCommands;

  constructor(
    redis: Cluster,
    private readonly settings: WaitingRoomSettings,
    private readonly onOutcome: (outcome: WaitingRoomOutcome) => void = () => undefined,
  ) {
    this.signer = new TicketSigner(settings.internalSecret);
    this.fallback = new LocalFallback(settings.fallbackConcurrency);
    this.config = JSON.stringify({
      initialLimit: settings.initialLimit,
      minLimit: settings.minLimit,
      maxLimit: settings.maxLimit,
      tolerance: settings.latencyTolerance,
      admitWindowMs: settings.admitWindowMs,
      leaseMs: settings.leaseMs,
      abandonMs: settings.abandonMs,
      // The controller's sampling interval and the window of its minimum latency.
      intervalMs: 250,
      minWindowMs: 10_000,
      // Keys of an event nobody asks about any more disappear.
      keyTtlMs: 3_600_000,
    });
    if (!('waitingRoomEnter' in redis)) {
      redis.defineCommand('waitingRoomEnter', { numberOfKeys: 5, lua: ENTER_LUA });
      redis.defineCommand('waitingRoomPoll', { numberOfKeys: 5, lua: POLL_LUA });
      redis.defineCommand('waitingRoomRelease', { numberOfKeys: 5, lua: RELEASE_LUA });
    }
    this.commands = redis as unknown as RoomCommands;
  }

  private keys(eventId: string): [string, string, string, string, string] {
    // One hash tag per event: every key of a room lives on one Cluster node.
    const tag = `wr:{${this.settings.namespace}:${eventId}}`;
    return [`${tag}:slots`, `${tag}:queue`, `${tag}:ctl`, `${tag}:seen`, `${tag}:admitted`];
  }

  /** Admits the buyer now, or queues them; 503 WAITING_ROOM_UNAVAILABLE only when Redis is down and this gateway's fallback slots are taken. */
  async enter(eventId: string, userId: string): Promise<Entry> {
    let reply: ScriptReply;
    try {
      reply = await this.commands.waitingRoomEnter(...this.keys(eventId), this.config, userId);
    } catch {
      return this.enterWithoutRedis();
    }
    if (reply[0] === 1) {
      this.onOutcome('admitted');
      return { status: 'admitted', done: (latencyMs, ok) => this.release(eventId, userId, latencyMs, ok) };
    }
    this.onOutcome('queued');
    return this.place(eventId, userId, reply);
  }

  /** Where the ticket's holder stands now. */
  async poll(ticket: string, userId: string): Promise<PollAnswer> {
    const claims = await this.signer.verify(ticket, userId);
    let reply: ScriptReply;
    try {
      reply = await this.commands.waitingRoomPoll(...this.keys(claims.eventId), this.config, userId, String(claims.seq));
    } catch {
      throw new AppError('WAITING_ROOM_UNAVAILABLE', 'The waiting room cannot be reached; place the order again shortly', { retryAfterSeconds: 1 });
    }
    if (reply[0] === 1) {
      this.onOutcome('admitted_from_queue');
      return { status: 'admitted', eventId: claims.eventId, pollAfterMs: 0 };
    }
    if (reply[0] === 2) return { status: 'expired', eventId: claims.eventId, pollAfterMs: 0 };
    return this.place(claims.eventId, userId, reply, ticket);
  }

  /** The place a script answered; a new ticket only for a new place (a poll keeps its own). */
  private async place(eventId: string, userId: string, reply: ScriptReply, ticket?: string): Promise<QueuedPlace> {
    const [, seq = 0, position = 1, ratePerKs = 0, limit = 1] = reply;
    // Admissions per second as the controller measured them; before any measurement, one per slot per second.
    const perSecond = ratePerKs > 0 ? ratePerKs / 1000 : limit;
    const estimatedWaitSeconds = position / perSecond;
    // Far back, poll rarely (half the estimate); near the head, often, so an admission is not left idle.
    const pollAfterMs = Math.round(Math.min(30_000, Math.max(250, estimatedWaitSeconds * 500)));
    return {
      status: 'queued',
      ticket: ticket ?? (await this.signer.sign({ userId, eventId, seq })),
      eventId,
      position,
      estimatedWaitSeconds: Math.round(estimatedWaitSeconds * 10) / 10,
      pollAfterMs,
    };
  }

  private enterWithoutRedis(): Entry {
    const release = this.fallback.tryAcquire();
    if (release === undefined) {
      this.onOutcome('fallback_refused');
      throw new AppError('WAITING_ROOM_UNAVAILABLE', 'Too many orders in flight while the waiting room is unavailable; try again shortly', { retryAfterSeconds: 1 });
    }
    this.onOutcome('fallback_admitted');
    return { status: 'admitted', done: release };
  }

  private release(eventId: string, userId: string, latencyMs: number, ok: boolean): void {
    // Best effort: if Redis is gone meanwhile the slot's lease frees it.
    this.commands.waitingRoomRelease(...this.keys(eventId), this.config, userId, String(Math.max(1, Math.round(latencyMs))), ok ? '1' : '0').catch(() => undefined);
  }
}
