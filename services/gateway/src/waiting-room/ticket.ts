import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '@eticket/errors';

/** What a queue ticket says: whose place, in which event's queue, and which place (the sequence number). */
export interface TicketClaims {
  readonly userId: string;
  readonly eventId: string;
  readonly seq: number;
}

/** The first part of every ticket: the format, so a later one can be told apart. */
const VERSION = 'q1';
/** A ticket outlives any realistic wait; its place in Redis is what really expires. */
const TICKET_TTL_MS = 24 * 3600 * 1000;
const MAC_BYTES = 32;
/** Longer than any genuine ticket (two UUIDs, a sequence number and a time): refused before any work. */
const MAX_TICKET_LENGTH = 512;

/**
 * Signs and checks queue tickets: `q1.<base64url claims>.<base64url
 * HMAC-SHA256 of the first two parts>`. Written on node:crypto rather than
 * as a JWT with jose because a ticket is checked on every poll and every
 * queued buyer polls: one synchronous HMAC costs a few microseconds, where
 * jose's asynchronous sign and verify (key import, promise chain, JSON
 * header) cost several times that. The signature is what keeps bots from
 * inventing a place further ahead; the claims are only the user, the event,
 * the place's sequence number and an expiry, none of them secret.
 *
 * The key is derived from the internal secret every gateway instance already
 * shares, so any instance accepts another's tickets without a new secret to
 * distribute, and a ticket is useless as an identity assertion (other key,
 * other format).
 */
export class TicketSigner {
  private readonly key: Buffer;

  constructor(internalSecret: string) {
    this.key = createHmac('sha256', internalSecret).update('eticket waiting-room ticket v1').digest();
  }

  sign(claims: TicketClaims, now = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ u: claims.userId, e: claims.eventId, s: claims.seq, x: now + TICKET_TTL_MS })).toString('base64url');
    return `${VERSION}.${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The claims of a genuine ticket of `userId`; 400 QUEUE_TICKET_INVALID for anything forged, garbled or expired, 403 QUEUE_TICKET_NOT_YOURS for another user's. */
  verify(ticket: string, userId: string, now = Date.now()): TicketClaims {
    const claims = this.read(ticket, now);
    // Tickets are not transferable: a place belongs to the account that queued.
    if (claims.userId !== userId) throw new AppError('QUEUE_TICKET_NOT_YOURS', 'This queue ticket belongs to another account');
    return claims;
  }

  private read(ticket: string, now: number): TicketClaims {
    const invalid = (detail = 'The queue ticket is not valid') => new AppError('QUEUE_TICKET_INVALID', detail);
    const parts = ticket.length <= MAX_TICKET_LENGTH ? ticket.split('.') : [];
    if (parts.length !== 3 || parts[0] !== VERSION) throw invalid();
    const [, body = '', signature = ''] = parts;
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(body))) throw invalid();
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    const { u, e, s, x } = (payload ?? {}) as Record<string, unknown>;
    if (typeof u !== 'string' || typeof e !== 'string' || typeof s !== 'number' || typeof x !== 'number') throw invalid();
    if (x <= now) throw invalid('The queue ticket has expired; place the order again');
    return { userId: u, eventId: e, seq: s };
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.key).update(`${VERSION}.${body}`).digest();
  }
}
