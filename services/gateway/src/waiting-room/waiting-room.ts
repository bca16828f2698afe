import type { Cluster } from 'ioredis';
import { AppError } from '@eticket/errors';
import type { AdmissionNotice, AdmissionNotices } from './admission-notices';
import { ArrivalBatcher, type EnterReply } from './arrival-batcher';
import { CompletionRate } from './completion-rate';
import { GradientLimit } from './gradient-limit';
import { LocalFallback } from './local-fallback';
import { CLAIM_LUA, ENTER_LUA, ENTER_MANY_LUA, POLL_LUA, RELEASE_LUA } from './scripts';
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
  /** A long poll (`wait`) or a `Prefer: wait` order is held at most this long for its admission. */
  readonly longPollMs: number;
  /**
   * A queued buyer whose estimated wait is longer than this is not held but told to come back after half of it
   * (scripts.ts, pace): what a queued buyer costs then grows with the log of their wait, not with the wait.
   */
  readonly paceBeyondMs: number;
  /** Arrivals at a crowded room are entered together, one script per event per this window (ArrivalBatcher); 0: each alone. */
  readonly arrivalBatchMs: number;
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
  /** Told to come back later (after `pollAfterMs`) rather than held: far back in a line that moves at a known rate. */
  readonly paced: boolean;
}

export type PollAnswer =
  | { readonly status: 'admitted' | 'expired'; readonly eventId: string; readonly pollAfterMs: number }
  | QueuedPlace;

const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

/** A reply of the enter and poll scripts: enter's shape (poll also answers {2}). */
type ScriptReply = EnterReply;

type Keys = [string, string, string, string, string];

interface RoomCommands {
  waitingRoomEnter(...args: [...Keys, config: string, limit: string, user: string]): Promise<ScriptReply>;
  waitingRoomEnterMany(...args: [...Keys, config: string, limit: string, ...users: string[]]): Promise<ScriptReply[]>;
  waitingRoomPoll(...args: [...Keys, config: string, limit: string, user: string, seq: string]): Promise<ScriptReply>;
  /** Orders in flight, then the buyers the release admitted from the queue. */
  waitingRoomRelease(...args: [...Keys, config: string, limit: string, user: string]): Promise<[number, ...string[]]>;
  waitingRoomClaim(...args: [...Keys, config: string, user: string]): Promise<number>;
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
  private readonly limiter: GradientLimit;
  private readonly completions = new CompletionRate();
  private readonly arrivals: ArrivalBatcher;

  constructor(
    redis: Cluster,
    private readonly settings: WaitingRoomSettings,
    private readonly onOutcome: (outcome: WaitingRoomOutcome) => void = () => undefined,
    /** Admission notices for long polls; without them a long poll is a plain poll. */
    private readonly notices?: AdmissionNotices,
    /** The number of arrivals each ENTER_MANY script entered. */
    onArrivalBatch: (size: number) => void = () => undefined,
  ) {
    this.signer = new TicketSigner(settings.internalSecret);
    this.fallback = new LocalFallback(settings.fallbackConcurrency);
    this.limiter = new GradientLimit({
      initial: settings.initialLimit,
      min: settings.minLimit,
      max: settings.maxLimit,
      tolerance: settings.latencyTolerance,
      intervalMs: 250,
      // Long enough to remember the uncontended latency through an on-sale's first minute.
      minWindowMs: 60_000,
    });
    this.config = JSON.stringify({
      admitWindowMs: settings.admitWindowMs,
      leaseMs: settings.leaseMs,
      abandonMs: settings.abandonMs,
      // Completions are counted per second for the queue's estimates.
      rateIntervalMs: 1_000,
      // Keys of an event nobody asks about any more disappear.
      keyTtlMs: 3_600_000,
      channel: notices?.channel ?? `wr:admitted:${settings.namespace}`,
      paceBeyondMs: settings.paceBeyondMs,
      // A paced buyer's ticket and place outlive this by far (a day; abandonMs after they are due).
      paceMaxMs: 300_000,
    });
    if (!('waitingRoomEnter' in redis)) {
      redis.defineCommand('waitingRoomEnter', { numberOfKeys: 5, lua: ENTER_LUA });
      redis.defineCommand('waitingRoomEnterMany', { numberOfKeys: 5, lua: ENTER_MANY_LUA });
      redis.defineCommand('waitingRoomPoll', { numberOfKeys: 5, lua: POLL_LUA });
      redis.defineCommand('waitingRoomRelease', { numberOfKeys: 5, lua: RELEASE_LUA });
      redis.defineCommand('waitingRoomClaim', { numberOfKeys: 5, lua: CLAIM_LUA });
    }
    this.commands = redis as unknown as RoomCommands;
    this.arrivals = new ArrivalBatcher(settings.arrivalBatchMs, (eventId, users) => {
      onArrivalBatch(users.length);
      return this.commands.waitingRoomEnterMany(...this.keys(eventId), this.config, String(this.limiter.limit), ...users);
    });
    // Long polls are held longer than an admission waits for its buyer: a lost notice is recovered within a second.
    notices?.recoverWith((eventId) => redis.smembers(this.keys(eventId)[4]), 1_000);
  }

  /** Orders that may be in flight per event now. */
  get limit(): number {
    return this.limiter.limit;
  }

  private keys(eventId: string): Keys {
    // One hash tag per event: every key of a room lives on one Cluster node.
    const tag = `wr:{${this.settings.namespace}:${eventId}}`;
    return [`${tag}:slots`, `${tag}:queue`, `${tag}:ctl`, `${tag}:seen`, `${tag}:admitted`];
  }

  /**
   * Admits the buyer now, or queues them; 503 WAITING_ROOM_UNAVAILABLE only when Redis is down and this
   * gateway's fallback slots are taken. `again`: the buyer was queued by this request already (awaitTurn).
   */
  async enter(eventId: string, userId: string, again = false): Promise<Entry> {
    let reply: ScriptReply;
    try {
      // A buyer coming back admitted goes at once; a new arrival at a crowded room joins the next batch.
      reply = !again && this.arrivals.batches(eventId, userId)
        ? await this.arrivals.enter(eventId, userId)
        : await this.commands.waitingRoomEnter(...this.keys(eventId), this.config, String(this.limiter.limit), userId);
    } catch {
      return this.enterWithoutRedis();
    }
    this.arrivals.observe(eventId, reply);
    if (reply[0] === 1) {
      this.onOutcome(again ? 'admitted_from_queue' : 'admitted');
      return { status: 'admitted', done: (latencyMs, ok) => this.release(eventId, userId, latencyMs, ok) };
    }
    if (!again) this.onOutcome('queued');
    this.limiter.markSaturated();
    return this.place(eventId, userId, reply);
  }

  /**
   * Holds a buyer just queued by POST /order (who asked for it with `Prefer: wait=N`, RFC 7240) until
   * admitted — then the same request places the order — or for at most N s (and `longPollMs`): then
   * their place, for the 202. One request per queued buyer instead of a 202, a poll and a second POST,
   * and no round trip between the admission and the order. Undefined if the client went away meanwhile.
   */
  async awaitTurn(place: QueuedPlace, userId: string, waitMs: number, signal: AbortSignal): Promise<Entry | undefined> {
    const holdMs = Math.min(waitMs, this.settings.longPollMs);
    // Far back in the line: told when to come back (the 202 says), not held for a turn that will not come.
    if (holdMs <= 0 || place.paced) return place;
    // Registered after the entry: an admission in between is found by the sweep (AdmissionNotices), within a second.
    const notice = this.notices?.waitFor(place.eventId, userId, holdMs);
    try {
      const end = await this.hold(notice, holdMs, place.pollAfterMs, signal);
      if (end === 'left') return undefined;
      if (end === 'timed-out' && notice !== undefined) return this.movedOn(place, notice.admissionsHeard());
      if (end === 'look' && notice !== undefined) return this.claim(place.eventId, userId);
    } finally {
      notice?.cancel();
    }
    return this.enter(place.eventId, userId, true);
  }

  /**
   * A held buyer's admission was heard (a notice comes only from the script that admitted them, or from the
   * sweep of the `admitted` set): their order goes on at once, and the slot kept for them becomes the
   * order's on the way (CLAIM_LUA). Asking Redis first (enter) left the freed slot idle for one more round
   * trip per admission — 1.2–1.6 ms at the median and ~5 ms at p90 in a 10 X run, against ~50 ms per order
   * and two slots. If the claim is lost (Redis gone), the slot's admit-window lease frees it early: the room
   * may then admit one more order than its limit while this one finishes; the two-phase commit, not the
   * room, decides seats.
   */
  private claim(eventId: string, userId: string): Entry {
    this.onOutcome('admitted_from_queue');
    this.commands.waitingRoomClaim(...this.keys(eventId), this.config, userId).catch(() => undefined);
    return { status: 'admitted', done: (latencyMs, ok) => this.release(eventId, userId, latencyMs, ok) };
  }

  /**
   * Where the ticket's holder stands now. With `wait` (a long poll) a queued
   * buyer is answered when admitted — woken by the admission notice — or
   * after `longPollMs`, whichever is first, wherever they stand in the line:
   * a held request costs the gateway a timer and a socket, where a poll costs
   * a request, an authentication and a Redis script. So a queued buyer costs
   * one request per `longPollMs`, and is listening when their turn comes
   * (a slot given to a buyer who is not listening stays idle until they ask
   * again). A 'queued' answer to a long poll always comes after the hold, so
   * a client may ask again at once. `signal`: the client went away; the
   * hold ends without a last look.
   */
  async poll(ticket: string, userId: string, wait = false, signal?: AbortSignal): Promise<PollAnswer> {
    const claims = this.signer.verify(ticket, userId);
    const holdMs = this.settings.longPollMs;
    if (!wait || holdMs === 0) return this.pollOnce(claims.eventId, userId, claims.seq, ticket);
    // Listening before asking, so an admission between the two is not missed.
    const notice = this.notices?.waitFor(claims.eventId, userId, holdMs);
    try {
      const first = await this.pollOnce(claims.eventId, userId, claims.seq, ticket);
      if (first.status !== 'queued' || first.paced) return first;
      const end = await this.hold(notice, holdMs, first.pollAfterMs, signal);
      if (end === 'left') return first;
      if (end === 'timed-out' && notice !== undefined) return this.movedOn(first, notice.admissionsHeard());
      const last = await this.pollOnce(claims.eventId, userId, claims.seq, ticket);
      // The hold was the wait: a long-polling client asks again at once.
      return last.status === 'queued' && !last.paced ? { ...last, pollAfterMs: 0 } : last;
    } finally {
      notice?.cancel();
    }
  }

  /**
   * Waits for the admission notice, at most `holdMs`; without notices, as long as a plain poll would
   * wait (`pollAfterMs`, at most `holdMs`). 'left' when the client went away (`signal`): no last look;
   * 'timed-out' when the notice's hold ran out without an admission; else 'look' (admitted, or no
   * notices to tell): Redis says where the buyer stands.
   */
  private async hold(notice: AdmissionNotice | undefined, holdMs: number, pollAfterMs: number, signal?: AbortSignal): Promise<'left' | 'timed-out' | 'look'> {
    if (signal?.aborted === true) return 'left';
    let onAbort: (() => void) | undefined;
    // Whether Redis is to be asked: the buyer was admitted, or no notices can tell.
    let look: boolean;
    try {
      look = await new Promise<boolean>((resolve) => {
        const timer = notice === undefined ? setTimeout(() => resolve(true), Math.min(holdMs, pollAfterMs)) : undefined;
        void notice?.done.then(resolve);
        onAbort = () => {
          clearTimeout(timer);
          resolve(false);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
    }
    // A function call, not the property: TypeScript would keep its narrowing from before the await.
    if (isAborted(signal)) return 'left';
    return look ? 'look' : 'timed-out';
  }

  /**
   * The place of a buyer whose hold ran out with no admission notice for them, without asking Redis:
   * the place they had, moved forward by the `admitted` buyers this gateway heard of meanwhile. A long-polling
   * client asks again at once (`pollAfterMs` 0), and that request reads Redis (and tells the room the
   * buyer is still there, well within `abandonMs`), so a second Redis call here would buy a fresher
   * position for one moment, at the cost of a script per held buyer every `longPollMs`: in a long
   * on-sale as many as the arrivals themselves. A notice lost on the way (the sweep recovers it within
   * a second, long before a hold ends) would only make the next request the admitted one.
   */
  private movedOn(place: QueuedPlace, admitted: number): QueuedPlace {
    const position = Math.max(1, place.position - admitted);
    const estimatedWaitSeconds = Math.round(((place.estimatedWaitSeconds * position) / place.position) * 10) / 10;
    return { ...place, position, estimatedWaitSeconds, pollAfterMs: 0 };
  }

  private async pollOnce(eventId: string, userId: string, seq: number, ticket: string): Promise<PollAnswer> {
    let reply: ScriptReply;
    try {
      reply = await this.commands.waitingRoomPoll(...this.keys(eventId), this.config, String(this.limiter.limit), userId, String(seq));
    } catch {
      throw new AppError('WAITING_ROOM_UNAVAILABLE', 'The waiting room cannot be reached; place the order again shortly', { retryAfterSeconds: 1 });
    }
    if (reply[0] === 1) {
      this.onOutcome('admitted_from_queue');
      this.arrivals.admitted(userId);
      return { status: 'admitted', eventId, pollAfterMs: 0 };
    }
    if (reply[0] === 2) return { status: 'expired', eventId, pollAfterMs: 0 };
    return this.place(eventId, userId, reply, ticket);
  }

  /** The place a script answered; a new ticket only for a new place (a poll keeps its own). */
  private place(eventId: string, userId: string, reply: ScriptReply, ticket?: string): QueuedPlace {
    const [, seq = 0, position = 1, ratePerKs = 0, limit = 1, comeBackMs = 0] = reply;
    // Admissions per second as counted for this event; before any, the rate this gateway confirms orders at; before that, one per slot per second.
    const perSecond = ratePerKs > 0 ? ratePerKs / 1000 : this.completions.perSecond() || limit;
    const estimatedWaitSeconds = position / perSecond;
    // Paced by the room (far back): when the script expects them. Else, for a plain poll, half the estimate
    // (near the head every 100 ms, so an admitted slot is not left idle long); a held buyer ignores it.
    const longestPollMs = Math.min(this.settings.paceBeyondMs, this.settings.abandonMs) / 2;
    const pollAfterMs = comeBackMs > 0 ? comeBackMs : Math.round(Math.min(longestPollMs, Math.max(100, estimatedWaitSeconds * 500)));
    return {
      status: 'queued',
      ticket: ticket ?? this.signer.sign({ userId, eventId, seq }),
      eventId,
      position,
      estimatedWaitSeconds: Math.round(estimatedWaitSeconds * 10) / 10,
      pollAfterMs,
      paced: comeBackMs > 0,
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
    this.limiter.onSample(latencyMs, ok);
    if (ok) this.completions.record();
    // Best effort: if Redis is gone meanwhile the slot's lease frees it. The buyers it admits who are held
    // here go on at once (their PUBLISH reaches this gateway too, later, and finds them gone).
    this.commands.waitingRoomRelease(...this.keys(eventId), this.config, String(this.limiter.limit), userId).then(
      ([, ...admitted]) => {
        for (const user of admitted) this.notices?.deliver(eventId, user);
      },
      () => undefined,
    );
  }
}
