import { describe, expect, it } from 'vitest';
import { describeWindow, dueReminder, parseWindows } from './reminders';

const event = new Date('2030-01-02T12:00:00Z');
const before = (seconds: number) => new Date(event.getTime() - seconds * 1000);

describe('reminder windows', () => {
  it('parses a comma-separated list, largest first, without duplicates', () => {
    expect(parseWindows('3600, 86400,3600')).toEqual([86_400, 3_600]);
  });

  it.each(['', '0', '-5', '1.5', 'abc'])('refuses %j', (text) => {
    expect(() => parseWindows(text)).toThrow(/reminder windows/);
  });

  it('is not due before the largest window opens', () => {
    expect(dueReminder(event, before(86_400 + 1), [86_400, 3_600])).toBeUndefined();
  });

  it('sends the 24 h reminder once its window opens', () => {
    expect(dueReminder(event, before(86_400), [86_400, 3_600])).toEqual({ claimed: [86_400], sent: 86_400 });
  });

  it('claims the passed-over 24 h window with the 1 h one, and sends only the 1 h reminder', () => {
    expect(dueReminder(event, before(1_800), [86_400, 3_600])).toEqual({ claimed: [86_400, 3_600], sent: 3_600 });
  });

  it('sends nothing once the event has begun', () => {
    expect(dueReminder(event, event, [86_400, 3_600])).toBeUndefined();
  });

  it('names windows for people', () => {
    expect([86_400, 3_600, 5_400, 90].map(describeWindow)).toEqual(['24 hours', '1 hour', '90 minutes', '90 seconds']);
  });
});
