import { AppError } from '@eticket/errors';

// Day ranges of the reports: UTC calendar days, inclusive on both ends, as
// dim_date keys (yyyymmdd). A series report covers at most MAX days so an
// answer stays small; without days it covers the last `defaultDays`.

export interface DayRange {
  readonly from: string;
  readonly to: string;
  readonly fromKey: number;
  readonly toKey: number;
}

const DAY_MS = 86_400_000;

export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
export const dayKey = (day: string): number => Number(day.replaceAll('-', ''));
const parseDay = (day: string): Date => new Date(`${day}T00:00:00Z`);

/** The range a series report covers; VALIDATION_FAILED names the parameter when it is unusable. */
export function seriesRange(query: { from?: string; to?: string }, today: Date, defaultDays: number, maxDays: number): DayRange {
  const to = query.to ?? (query.from === undefined ? isoDay(today) : isoDay(new Date(parseDay(query.from).getTime() + (defaultDays - 1) * DAY_MS)));
  const from = query.from ?? isoDay(new Date(parseDay(to).getTime() - (defaultDays - 1) * DAY_MS));
  const span = Math.round((parseDay(to).getTime() - parseDay(from).getTime()) / DAY_MS) + 1;
  if (span < 1) throw new AppError('VALIDATION_FAILED', 'from must not be after to', { fields: [{ field: 'from', message: 'must not be after to' }] });
  if (span > maxDays) throw new AppError('VALIDATION_FAILED', `A range may cover at most ${maxDays} days`, { fields: [{ field: 'to', message: `must be at most ${maxDays - 1} days after from` }] });
  return { from, to, fromKey: dayKey(from), toKey: dayKey(to) };
}

/** Optional bounds (all time when absent), for reports that are not day series. */
export function optionalRange(query: { from?: string; to?: string }): { fromKey: number | null; toKey: number | null } {
  const fromKey = query.from === undefined ? null : dayKey(query.from);
  const toKey = query.to === undefined ? null : dayKey(query.to);
  if (fromKey !== null && toKey !== null && fromKey > toKey) {
    throw new AppError('VALIDATION_FAILED', 'from must not be after to', { fields: [{ field: 'from', message: 'must not be after to' }] });
  }
  return { fromKey, toKey };
}

/** a / b, or null when b is 0 (a rate of nothing is not 0 %). Rounded to 4 places. */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : Math.round((numerator / denominator) * 10_000) / 10_000;
}
