/**
 * Iterates `source` one item ahead: while the caller loads a batch into the
 * warehouse, the next one is already being read from the source, so the two
 * databases work at the same time instead of taking turns.
 */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      if (result.done === true) {
        finished = true;
        return;
      }
      pending = iterator.next();
      // If the caller stops early, this read's failure (e.g. the source going away) is not the error to report.
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) {
      await pending.catch(() => undefined);
      await iterator.return?.();
    }
  }
}
