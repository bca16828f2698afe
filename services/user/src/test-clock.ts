import { readFileSync } from 'node:fs';

/**
 * The reminder scheduler's clock. In tests (NODE_ENV=test and
 * TEST_CLOCK_FILE set) "now" is the ISO instant written in that file, so a
 * test moves time for every instance at once and across restarts; a missing,
 * empty or unreadable file means the real clock. Anywhere else: the real clock.
 */
export function reminderClock(nodeEnv: string | undefined, file: string | undefined): () => Date {
  if (nodeEnv !== 'test' || file === undefined) return () => new Date();
  return () => {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const at = text === '' ? Number.NaN : Date.parse(text);
      return Number.isNaN(at) ? new Date() : new Date(at);
    } catch {
      return new Date();
    }
  };
}
