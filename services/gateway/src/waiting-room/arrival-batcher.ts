import DataLoader from 'dataloader';

/** A reply of the ENTER script (scripts.ts): {1} admitted, or {0, sequence, position, rate, limit, come back after ms}. */
export type EnterReply = [number, number?, number?, number?, number?, number?];

/** Sends one ENTER_MANY script for one event's arrivals, in order; one reply per arrival, in the same order. */
export type EnterMany = (eventId: string, userIds: readonly string[]) => Promise<readonly EnterReply[]>;

/** How long a room counts as crowded after this gateway last saw a long queue in it. */
const CROWD_MEMORY_MS = 1_000;
/** Most arrivals in one script: Redis runs a script alone, so a huge one would stall every other command. */
const MAX_BATCH = 200;
/** How long a buyer this gateway told "admitted" is expected back for their slot (the room's admit window is longer). */
const COMING_BACK_MS = 5_000;

interface Arrival {
  readonly eventId: string;
  readonly userId: string;
}

/**
 * First asks of buyers arriving at a crowded room, coalesced per event into
 * one Redis script per `windowMs` (ENTER_MANY_LUA) instead of one each. In an
 * on-sale rush almost every arrival is queued, and each costs a round trip to
 * the room's Redis node: a write that wakes Redis, a script run, its effects
 * replicated, a reply that wakes the gateway. On a machine whose cores the
 * services need, those wake-ups took a share of the CPU the orders needed
 * (docs/architecture.md, waiting room).
 *
 * A room is crowded when this gateway was told, within the last second, of a
 * queue longer than two rounds of the room's slots: an arrival then goes to
 * the back of the line anyway, and `windowMs` later changes only where it
 * stands among the arrivals at other gateways in that moment; at this gateway
 * arrivals keep their order. In a quiet room each ask goes alone and at once,
 * so an order that could go straight through is never delayed; so does the
 * ask of a buyer this gateway just told they were admitted (a poll), who comes
 * to take a slot, not a place.
 *
 * Batching is DataLoader's (a window instead of its default tick, no cache);
 * each window's batch is split into one script per event.
 */
export class ArrivalBatcher {
  private readonly crowdedUntil = new Map<string, number>();
  private readonly comingBackUntil = new Map<string, number>();
  private readonly loader: DataLoader<Arrival, EnterReply>;

  constructor(
    private readonly windowMs: number,
    enterMany: EnterMany,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.loader = new DataLoader<Arrival, EnterReply>((arrivals) => ArrivalBatcher.send(arrivals, enterMany), {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (callback) => setTimeout(callback, windowMs),
    });
  }

  /** Whether this buyer's ask at this event should wait for the next batch (never with a window of 0). */
  batches(eventId: string, userId: string): boolean {
    if (this.windowMs <= 0 || !this.live(this.crowdedUntil, eventId)) return false;
    if (!this.live(this.comingBackUntil, userId)) return true;
    this.comingBackUntil.delete(userId);
    return false;
  }

  /** The buyer was told they are admitted: their next ask takes their slot, at once. */
  admitted(userId: string): void {
    if (this.windowMs <= 0) return;
    this.remember(this.comingBackUntil, userId, COMING_BACK_MS);
  }

  /** Learns from an ENTER reply whether the event's room is crowded (position beyond two rounds of its limit). */
  observe(eventId: string, reply: EnterReply): void {
    const [status, , position = 0, , limit = 1] = reply;
    if (status !== 0 || position <= 2 * limit) return;
    this.remember(this.crowdedUntil, eventId, CROWD_MEMORY_MS);
  }

  /** Rooms counted as crowded and buyers expected back, as remembered now (expired ones go as new ones come). */
  get remembered(): number {
    return this.crowdedUntil.size + this.comingBackUntil.size;
  }

  /** The buyer's place in the event's room, asked with the other arrivals of this window. */
  enter(eventId: string, userId: string): Promise<EnterReply> {
    return this.loader.load({ eventId, userId });
  }

  private live(entries: Map<string, number>, key: string): boolean {
    const until = entries.get(key);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    entries.delete(key);
    return false;
  }

  /**
   * Every entry of a map lives equally long and is (re)inserted at the back, so the map's order is the order
   * they expire in: the expired ones are dropped from the front, each once, however many live entries follow.
   */
  private remember(entries: Map<string, number>, key: string, forMs: number): void {
    const now = this.now();
    for (const [old, until] of entries) {
      if (until > now) break;
      entries.delete(old);
    }
    entries.delete(key);
    entries.set(key, now + forMs);
  }

  /** One script per event of the batch; a failed script fails only its own arrivals. */
  private static async send(arrivals: readonly Arrival[], enterMany: EnterMany): Promise<Array<EnterReply | Error>> {
    const byEvent = new Map<string, number[]>();
    arrivals.forEach(({ eventId }, index) => {
      let indexes = byEvent.get(eventId);
      if (indexes === undefined) byEvent.set(eventId, (indexes = []));
      indexes.push(index);
    });
    const replies = new Array<EnterReply | Error>(arrivals.length);
    await Promise.all([...byEvent].map(async ([eventId, indexes]) => {
      const users = indexes.map((index) => arrivals[index]!.userId);
      try {
        const answers = await enterMany(eventId, users);
        if (answers.length !== users.length) throw new Error(`ENTER_MANY answered ${answers.length} of ${users.length} arrivals`);
        indexes.forEach((index, i) => (replies[index] = answers[i]!));
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const index of indexes) replies[index] = failure;
      }
    }));
    return replies;
  }
}
