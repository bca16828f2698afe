import { AppError } from '@eticket/errors';
import { describe, expect, it } from 'vitest';
import { TicketSigner } from './ticket';

const SECRET = 'a-internal-secret-of-at-least-32-characters';
const claims = { userId: '6f1c7c39-1d43-4d0e-8d9c-0f4b39c8a001', eventId: '1e0f8a4c-6f55-4d8e-9a6e-3b3b2f1c0002', seq: 42 };

const codeOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.code : 'other';
  }
};

describe('TicketSigner', () => {
  it('reads back the place of the user it was issued to', async () => {
    const signer = new TicketSigner(SECRET);
    await expect(signer.verify(await signer.sign(claims), claims.userId)).resolves.toEqual(claims);
  });

  it('refuses another user\'s ticket with QUEUE_TICKET_NOT_YOURS (tickets are not transferable)', async () => {
    const signer = new TicketSigner(SECRET);
    expect(await codeOf(signer.verify(await signer.sign(claims), '00000000-0000-4000-8000-000000000000'))).toBe('QUEUE_TICKET_NOT_YOURS');
  });

  it('refuses a ticket signed with another secret or altered, with QUEUE_TICKET_INVALID', async () => {
    const forged = await new TicketSigner('another-internal-secret-of-32-characters!').sign(claims);
    expect(await codeOf(new TicketSigner(SECRET).verify(forged, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    const genuine = await new TicketSigner(SECRET).sign(claims);
    expect(await codeOf(new TicketSigner(SECRET).verify(`${genuine.slice(0, -2)}xx`, claims.userId))).toBe('QUEUE_TICKET_INVALID');
    expect(await codeOf(new TicketSigner(SECRET).verify('not-a-ticket', claims.userId))).toBe('QUEUE_TICKET_INVALID');
  });
});
