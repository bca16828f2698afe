/** "Sat, 14 Mar 2031, 19:30" in the reader's locale and time zone. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone === undefined ? {} : { timeZone }) }).format(new Date(iso));
}

/** Milliseconds left until `iso`, never negative. */
export function remainingMs(iso: string, now: number): number {
  return Math.max(0, new Date(iso).getTime() - now);
}

/** A hold countdown: "9:05", "1:02:03"; whole seconds, rounded up so 0:00 means over. */
export function formatCountdown(ms: number): string {
  const total = Math.ceil(Math.max(0, ms) / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A `datetime-local` input's value (local wall time, no zone) as an RFC 3339 instant; undefined when empty or invalid. */
export function localInputToIso(value: string): string | undefined {
  if (value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
