import { describe, expect, it } from 'vitest';
import { assertPasswordPolicy, passwordProblems } from './password-policy';

describe('password policy', () => {
  it.each([
    ['shorter than 10 characters', 'short-pw1', /at least 10/],
    ['longer than 128 characters', 'x1'.repeat(65), /at most 128/],
    ['a well-known password', 'Password123', /too common/],
    ['fewer than 4 distinct characters', 'aaaaabbbbbccc', /4 different/],
    ['the email address itself', 'alice.smith@example.com', /email/],
    ['the local part of the email', 'alice.smith', /email/],
  ])('refuses a password that is %s', (_case, password, reason) => {
    const problems = passwordProblems(password, 'alice.smith@example.com');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.field === 'password')).toBe(true);
    expect(problems.map((problem) => problem.message).join('; ')).toMatch(reason);
  });

  it('counts characters, not UTF-16 code units, so emoji passphrases are measured fairly', () => {
    expect(passwordProblems('🎫🎟️🎭🎪🎨🎬🎤🎧🎼🎹', 'x@y.z')).toEqual([]);
  });

  it('accepts a long passphrase', () => {
    expect(() => assertPasswordPolicy('correct horse battery staple', 'alice@example.com')).not.toThrow();
  });

  it('throws VALIDATION_FAILED naming the password field without echoing the password', () => {
    try {
      assertPasswordPolicy('tiny', 'a@b.c');
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ field: 'password' }] });
      expect((error as Error).message).not.toContain('tiny');
    }
  });
});
