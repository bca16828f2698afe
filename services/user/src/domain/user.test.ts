import { describe, expect, it } from 'vitest';
import { normaliseEmail, withoutRole, withRole } from './user';

describe('user rules', () => {
  it('normalises an email to one spelling: trimmed and lower case', () => {
    expect(normaliseEmail('  Alice.Smith@Example.COM ')).toBe('alice.smith@example.com');
  });

  it('adds a role once and keeps roles in a stable order', () => {
    expect(withRole(['buyer'], 'organizer')).toEqual(['buyer', 'organizer']);
    expect(withRole(['buyer', 'admin'], 'organizer')).toEqual(['buyer', 'organizer', 'admin']);
    expect(withRole(['buyer', 'organizer'], 'organizer')).toEqual(['buyer', 'organizer']);
  });

  it('removes a role and tolerates removing one that is absent', () => {
    expect(withoutRole(['buyer', 'organizer'], 'organizer')).toEqual(['buyer']);
    expect(withoutRole(['buyer'], 'organizer')).toEqual(['buyer']);
  });
});
