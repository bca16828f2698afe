import { timestampOf } from './fields';
import { keyText, rawJson } from './raw';
import type { RawRecord, SourceSpec } from './sources';
import { laterMark, type Watermark } from './window';

export interface Quarantined {
  readonly key: string;
  readonly reason: string;
  /** The record as JSON text (see raw.ts). */
  readonly raw: string;
}

export interface Triaged<Row> {
  readonly rows: Row[];
  /** Keys of the valid rows, which resolve earlier quarantine entries of the same key. */
  readonly validKeys: string[];
  readonly quarantined: Quarantined[];
  /** The greatest (timestamp, key) of the batch, invalid records included: they were seen, and are kept in quarantine. */
  readonly mark: Watermark | null;
}

/**
 * Splits one extracted batch into staging rows and quarantine entries. A
 * record is never dropped: it either loads or is quarantined with every
 * reason it was refused. A key appearing twice in a batch keeps its last
 * version (one upsert must not touch a row twice).
 */
export function triage<Row>(spec: SourceSpec<Row>, batch: readonly RawRecord[]): Triaged<Row> {
  const valid = new Map<string, Row>();
  const bad = new Map<string, Quarantined>();
  let mark: Watermark | null = null;
  for (const record of batch) {
    const key = keyText(record[spec.keyField]);
    const ts = timestampOf(record, spec.tsField);
    if (ts !== null) mark = laterMark(mark, { ts, id: key });
    const result = spec.transform(record);
    if (result.ok) {
      valid.set(key, result.row);
      bad.delete(key);
    } else {
      bad.set(key, { key, reason: result.reason, raw: rawJson(record) });
      valid.delete(key);
    }
  }
  return { rows: [...valid.values()], validKeys: [...valid.keys()], quarantined: [...bad.values()], mark };
}
