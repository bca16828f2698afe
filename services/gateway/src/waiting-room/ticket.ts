import { createHmac } from 'node:crypto';
import { AppError } from '@eticket/errors';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

/** What a queue ticket says: whose place, in which event's queue, and which place (the sequence number). */
export interface TicketClaims {
  readonly userId: string;
  readonly eventId: string;
  readonly seq: number;
}

const ALGORITHM = 'HS256';
const AUDIENCE = 'e-ticket-waiting-room';
/** A ticket outlives any realistic wait; its place in Redis is what really expires. */
const TICKET_TTL_SECONDS = 24 * 3600;

/**
 * Signs and checks queue tickets (a JWT, HS256, with jose). The key is derived
 * from the internal secret every gateway instance already shares, so any
 * instance accepts another's tickets without a new secret to distribute, and
 * a ticket cannot be used as an identity assertion (other key, other audience).
 */
export class TicketSigner {
  private readonly key: Uint8Array;

  constructor(internalSecret: string) {
    this.key = createHmac('sha256', internalSecret).update('eticket waiting-room ticket v1').digest();
  }

  sign(claims: TicketClaims): Promise<string> {
    return new SignJWT({ evt: claims.eventId, seq: claims.seq })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(claims.userId)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${TICKET_TTL_SECONDS}s`)
      .sign(this.key);
  }

  /** The claims of a genuine ticket of `userId`; 400 QUEUE_TICKET_INVALID for anything forged, garbled or expired, 403 QUEUE_TICKET_NOT_YOURS for another user's. */
  async verify(ticket: string, userId: string): Promise<TicketClaims> {
    let claims: TicketClaims;
    try {
      const { payload } = await jwtVerify(ticket, this.key, { algorithms: [ALGORITHM], audience: AUDIENCE });
      if (typeof payload.sub !== 'string' || typeof payload.evt !== 'string' || typeof payload.seq !== 'number') throw new Error('claims missing');
      claims = { userId: payload.sub, eventId: payload.evt, seq: payload.seq };
    } catch (error) {
      const detail = error instanceof joseErrors.JWTExpired ? 'The queue ticket has expired; place the order again' : 'The queue ticket is not valid';
      throw new AppError('QUEUE_TICKET_INVALID', detail);
    }
    // Tickets are not transferable: a place belongs to the account that queued.
    if (claims.userId !== userId) throw new AppError('QUEUE_TICKET_NOT_YOURS', 'This queue ticket belongs to another account');
    return claims;
  }
}
