import { describe, expect, it } from 'vitest';
import { likePattern } from './event-repository';

describe('likePattern', () => {
  it('escapes LIKE wildcards so a search for "50%_off\\" means those characters', () => {
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
