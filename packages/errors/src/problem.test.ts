import { describe, expect, it } from 'vitest';
import { AppError, fromProblem, toProblem } from './index';

describe('problem mapping', () => {
  it('turns an AppError into a problem carrying its code, status, detail and field errors', () => {
    const error = new AppError('VALIDATION_FAILED', 'quantity must be at least 1', { fields: [{ field: 'quantity', message: 'must be >= 1' }] });
    expect(toProblem(error, '/order')).toEqual({
      type: 'https://e-ticket.dev/problems/validation-failed',
      title: 'The request is invalid',
      status: 400,
      detail: 'quantity must be at least 1',
      code: 'VALIDATION_FAILED',
      instance: '/order',
      errors: [{ field: 'quantity', message: 'must be >= 1' }],
    });
  });

  it('round-trips an upstream problem back into the same AppError code', () => {
    const original = new AppError('NOT_ENOUGH_SEATS', 'Only 2 seats are left');
    const rebuilt = fromProblem(JSON.parse(JSON.stringify(toProblem(original))));
    expect(rebuilt.code).toBe('NOT_ENOUGH_SEATS');
    expect(rebuilt.message).toBe('Only 2 seats are left');
    expect(rebuilt.status).toBe(409);
  });

  it('treats a body that is not a known problem as an unavailable upstream', () => {
    expect(fromProblem('<html>502</html>').code).toBe('UPSTREAM_UNAVAILABLE');
    expect(fromProblem({ code: 'NO_SUCH_CODE' }).code).toBe('UPSTREAM_UNAVAILABLE');
  });
});
