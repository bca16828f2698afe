// A quarantined record is kept whole, as JSON, so an operator can see exactly
// what arrived. PostgreSQL's jsonb refuses NUL and lone surrogates, which a
// malformed document may well contain, so those are replaced; a huge document
// is cut to a preview rather than bloating the quarantine.

const MAX_RAW_CHARS = 64 * 1024;
const UNSTORABLE = '\\u0000|[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const FIND = new RegExp(UNSTORABLE);
const REPLACE_ALL = new RegExp(UNSTORABLE, 'g');

/** NUL cannot be stored in PostgreSQL text, nor a lone surrogate in UTF-8. */
export const isStorable = (text: string): boolean => !FIND.test(text);

const clean = (text: string): string => (FIND.test(text) ? text.replace(REPLACE_ALL, '\uFFFD') : text);

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'string') return clean(value);
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
    // Keys may carry the same characters as values.
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.some(([name]) => FIND.test(name))) return Object.fromEntries(entries.map(([name, inner]) => [clean(name), inner]));
  }
  return value;
}

/** The record as JSON text that jsonb accepts (dates as ISO strings, ObjectIds as hex through their toJSON). */
export function rawJson(record: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(record, replacer) ?? 'null';
  } catch (error) {
    // A cycle or a throwing toJSON: keep what can be said about it.
    return JSON.stringify({ unserialisable: clean(error instanceof Error ? error.message : String(error)) });
  }
  if (text.length <= MAX_RAW_CHARS) return text;
  return JSON.stringify({ truncated: true, length: text.length, preview: clean(text.slice(0, MAX_RAW_CHARS)) });
}

/** The record's key as text, whatever type the source gave it. */
export function keyText(value: unknown): string {
  if (typeof value === 'string') return clean(value).slice(0, 200);
  if (value === undefined || value === null) return '(no key)';
  const json = rawJson(value);
  return json.slice(0, 200);
}
