// Event reminders: which reminder windows of a subscription are due (pure rules).

/** Windows in seconds before the event, e.g. [86400, 3600]. */
export type ReminderWindows = readonly number[];

/** Parses REMINDER_WINDOWS_SECONDS ("86400,3600"): positive integers, deduplicated, largest first. */
export function parseWindows(text: string): ReminderWindows {
  const windows = text.split(',').map((part) => part.trim()).filter((part) => part !== '').map(Number);
  if (windows.length === 0 || windows.some((value) => !Number.isInteger(value) || value <= 0 || value > 365 * 86_400)) {
    throw new Error(`reminder windows must be positive whole seconds (at most a year), comma-separated; got "${text}"`);
  }
  return [...new Set(windows)].sort((a, b) => b - a);
}

export interface DueReminder {
  /** Every window whose moment has come (claimed together, so a passed-over larger window is never sent later). */
  readonly claimed: readonly number[];
  /** The one window the reminder is sent for: the smallest due (the closest to the truth). */
  readonly sent: number;
}

/** Which windows are due at `now` for an event at `eventAt`; undefined when none is, or the event has begun. */
export function dueReminder(eventAt: Date, now: Date, windows: ReminderWindows): DueReminder | undefined {
  const untilEvent = eventAt.getTime() - now.getTime();
  if (untilEvent <= 0) return undefined;
  const claimed = windows.filter((window) => untilEvent <= window * 1000);
  const sent = Math.min(...claimed);
  return claimed.length === 0 ? undefined : { claimed, sent };
}

/** "in 24 hours", "in 1 hour", "in 90 minutes": the window named for people. */
export function describeWindow(seconds: number): string {
  if (seconds % 86_400 === 0) return seconds === 86_400 ? '24 hours' : `${seconds / 86_400} days`;
  if (seconds % 3_600 === 0) return seconds === 3_600 ? '1 hour' : `${seconds / 3_600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? '1 minute' : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

export function reminderMessage(eventName: string, eventAt: Date, window: number): string {
  return `Reminder: "${eventName}" starts in about ${describeWindow(window)} (${eventAt.toISOString()})`;
}
