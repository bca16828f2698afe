import { AppError, type FieldError } from '@eticket/errors';

// NIST SP 800-63B style: length and a blocklist, no composition rules (they
// push people to "Password1!"). The upper bound keeps hashing cheap and is
// also enforced by the request schema.
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/** The passwords attackers try first; a real deployment would load a larger breached-password list. */
const COMMON_PASSWORDS = new Set([
  '1234567890', '12345678910', '0123456789', 'qwertyuiop', 'password12', 'password123', 'password1234',
  'passw0rd123', 'iloveyou12', 'letmein123', 'welcome123', 'administrator', 'qwerty1234', '1q2w3e4r5t',
  'abcdefghij', 'trustno1234', 'football123', 'baseball123', 'changeme123', 'p@ssw0rd123',
]);

/** The reasons a password is refused, as field errors on `password`; empty when it is acceptable. */
export function passwordProblems(password: string, email: string): FieldError[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters long`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters long`);
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) problems.push('is too common');
  if (new Set(lower).size < 4) problems.push('must use at least 4 different characters');
  const localPart = email.split('@')[0] ?? '';
  if (lower === email.toLowerCase() || lower === localPart.toLowerCase()) problems.push('must not be your email address');
  return problems.map((message) => ({ field: 'password', message }));
}

export function assertPasswordPolicy(password: string, email: string): void {
  const problems = passwordProblems(password, email);
  if (problems.length > 0) {
    throw new AppError('VALIDATION_FAILED', `The password ${problems.map((problem) => problem.message).join('; ')}`, { fields: problems });
  }
}
