import { AppError } from '@eticket/errors';
import { describe, expect, it } from 'vitest';
import { TicketSigner } from './ticket';

const SECRET = 'a-internal-secret-of-at-least-32-characters';
const claims = { userId: '6f1c7c39-1d43-4d0e-8d9c-0f4b39c8a001', eventId: '1e0f8a4c-6f55-4d8e-9a6e-3b3b2f1c0002', seq: 42 };

const codeOf = (check: () => unknown): string => {
  try {
    check();
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.code : 'other';
  }
};

describe('TicketSigner', () => {
  it('reads back the place of the user it was issued to', () => {
    const signer = new TicketSigner(SECRET);
    expect(signer.verify(signer.sign(claims), claims.userId)).toEqual(claims);
  });

  it('issues tickets of three base64url parts, the shape the API documents', () => {
    expect(new TicketSigner(SECRET).sign(claims)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('refuses another user\'s ticket with QUEUE_TICKET_NOT_YOURS (tickets are not transferable)', () => {
    const signer = new TicketSigner(SECRET);
    expect(codeOf(() => signer.verify(signer.sign(claims), '00000000-0000-4000-8000-000000000000'))).toBe('QUEUE_TICKET_NOT_YOURS');
  });

  it('refuses a ticket signed with another secret, altered, re-addressed or garbled, with QUEUE_TICKET_INVALID', () => {
    const signer = new TicketSigner(SECRET);
    const forged = new TicketSigner('another-internal-secret-of-32-characters!').sign(claims);
    expect(codeOf(() => signer.verify(forged, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    const genuine = signer.sign(claims);
    expect(codeOf(() => signer.verify(`${genuine.slice(0, -2)}xx`, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    // A bot moving its place forward: the claims change, the signature no longer matches.
    const [version, , mac] = genuine.split('.');
    const earlier = Buffer.from(JSON.stringify({ u: claims.userId, e: claims.eventId, s: 1, x: Date.now() + 60_000 })).toString('base64url');
    expect(codeOf(() => signer.verify(`${version}.${earlier}.${mac}`, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    for (const garbled of ['not-a-ticket', 'a.b.c', `${genuine}.x`, `q1..${mac}`, 'x'.repeat(5000)]) {
      expect(codeOf(() => signer.verify(garbled, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    }
  });

  it('refuses an expired ticket with QUEUE_TICKET_INVALID', () => {
    const signer = new TicketSigner(SECRET);
    const old = signer.sign(claims, Date.now() - 25 * 3600 * 1000);
    expect(codeOf(() => signer.verify(old, claims.userId))).toBe('QUEUE_TICKET_INVALID');
  });
});
