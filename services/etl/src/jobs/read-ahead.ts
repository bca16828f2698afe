/**
 * Reads `source` ahead of its consumer, up to `depth` items, starting at
 * once. The order database's collections are each read through one: their
 * scans run at the same time (on FerretDB every query scans its whole
 * collection, whatever the window), while the warehouse loads one source after
 * the other; the bound keeps a full run's memory at a few batches per source.
 */
export class ReadAhead<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private finished = false;
  private failure: { readonly error: unknown } | undefined;
  private stopping = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  private readonly pump: Promise<void>;

  constructor(source: AsyncIterable<T>, private readonly depth: number) {
    this.pump = this.run(source[Symbol.asyncIterator]());
  }

  private async run(iterator: AsyncIterator<T>): Promise<void> {
    try {
      for (;;) {
        while (this.buffer.length >= this.depth && !this.stopping) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
        if (this.stopping) {
          await iterator.return?.();
          return;
        }
        const next = await iterator.next();
        if (next.done === true) return;
        this.buffer.push(next.value);
        this.wakeConsumer?.();
      }
    } catch (error) {
      this.failure = { error };
    } finally {
      this.finished = true;
      this.wakeConsumer?.();
    }
  }

  async* [Symbol.asyncIterator](): AsyncGenerator<T> {
    for (;;) {
      const item = this.buffer.shift();
      if (item !== undefined) {
        this.wakeProducer?.();
        yield item;
        continue;
      }
      if (this.failure !== undefined) throw this.failure.error;
      if (this.finished) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  /** Stops reading (closing the source) and waits for the read in flight; never throws. */
  async close(): Promise<void> {
    this.stopping = true;
    this.wakeProducer?.();
    await this.pump.catch(() => undefined);
  }
}
