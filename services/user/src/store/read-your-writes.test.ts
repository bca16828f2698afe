import { createLogger } from '@eticket/logging';
import { describe, expect, it } from 'vitest';
import type { Database } from './db';
import { UNREACHABLE_LSN } from './lsn';
import { ReadYourWrites } from './read-your-writes';
import { LocalWriteMarks, UNKNOWN_MARK, type WriteMarks } from './write-marks';

const logger = createLogger({ service: 'user', instance: 'test', level: 'silent' });

function primaryAt(lsn: string | Error): Database {
  const write = { query: () => (lsn instanceof Error ? Promise.reject(lsn) : Promise.resolve({ rows: [{ lsn }] })) };
  return { write, read: write, close: () => Promise.resolve() } as unknown as Database;
}

describe('ReadYourWrites', () => {
  it('sends anonymous callers and users who have not written to a standby', async () => {
    const ryw = new ReadYourWrites({ db: primaryAt('0/5'), marks: new LocalWriteMarks(10_000), logger });
    expect(await ryw.sourceFor(null)).toBe('replica');
    expect(await ryw.sourceFor('u')).toBe('replica');
  });

  it('after a write, asks for a standby that has replayed the primary\'s position at that moment, for each writer', async () => {
    const ryw = new ReadYourWrites({ db: primaryAt('3/C0FFEE'), marks: new LocalWriteMarks(10_000), logger });
    await ryw.wrote(['admin', 'u', 'u']);
    expect(await ryw.sourceFor('u')).toEqual({ atLeastLsn: '3/C0FFEE' });
    expect(await ryw.sourceFor('admin')).toEqual({ atLeastLsn: '3/C0FFEE' });
    expect(await ryw.sourceFor('other')).toBe('replica');
  });

  it('sends a writer to the primary for the window when the position cannot be read (the primary just died)', async () => {
    const ryw = new ReadYourWrites({ db: primaryAt(Object.assign(new Error('gone'), { code: 'ECONNRESET' })), marks: new LocalWriteMarks(10_000), logger });
    await expect(ryw.wrote(['u'])).resolves.toBeUndefined();
    expect(await ryw.sourceFor('u')).toEqual({ atLeastLsn: UNREACHABLE_LSN });
  });

  it('sends a user to the primary when the shared marks cannot be read', async () => {
    const unknown: WriteMarks = { get: () => Promise.resolve(UNKNOWN_MARK), set: () => Promise.resolve(), close: () => Promise.resolve() };
    const ryw = new ReadYourWrites({ db: primaryAt('0/5'), marks: unknown, logger });
    expect(await ryw.sourceFor('u')).toBe('primary');
    expect(await ryw.sourceFor(null)).toBe('replica');
  });
});
