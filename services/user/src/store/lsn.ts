// PostgreSQL write-ahead-log positions ("16/B374D848": the high and low 32
// bits in hex). Positions only grow, across timelines too (a promoted standby
// continues from where it forked), so comparing two is comparing numbers.

const LSN = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i;

export function isLsn(text: string): boolean {
  return LSN.test(text);
}

export function parseLsn(text: string): bigint {
  const match = LSN.exec(text);
  if (match === null) throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

export function formatLsn(value: bigint): string {
  return `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xFFFFFFFFn).toString(16).toUpperCase()}`;
}

/** The later of two positions. */
export function laterLsn(a: string, b: string): string {
  return parseLsn(a) >= parseLsn(b) ? a : b;
}

/**
 * A position no standby ever reaches: a caller marked with it reads from the
 * primary until the mark expires. Used when the position of a write could
 * not be learned (the primary went away right after it).
 */
export const UNREACHABLE_LSN = 'FFFFFFFF/FFFFFFFF';
