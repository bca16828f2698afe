/**
 * At most one emission per key per interval, always of the latest value:
 * the first push emits at once (no added latency when things are quiet),
 * pushes during the following interval are folded into one trailing
 * emission. A key's state is dropped after a quiet interval, so memory is
 * bounded by the keys active in the last interval. (Written here because
 * the usual throttle packages are per function, not per key, and keep no
 * latest value per key.)
 */
export class KeyedThrottle<V> {
  private readonly state = new Map<string, { pending: { value: V } | undefined; timer: NodeJS.Timeout }>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: V) => void,
  ) {}

  push(key: string, value: V): void {
    const current = this.state.get(key);
    if (current !== undefined) {
      current.pending = { value };
      return;
    }
    this.state.set(key, { pending: undefined, timer: this.cooldown(key) });
    this.emit(key, value);
  }

  close(): void {
    for (const { timer } of this.state.values()) clearTimeout(timer);
    this.state.clear();
  }

  private cooldown(key: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const current = this.state.get(key);
      if (current?.pending === undefined) {
        this.state.delete(key);
        return;
      }
      const { value } = current.pending;
      current.pending = undefined;
      current.timer = this.cooldown(key);
      this.emit(key, value);
    }, this.intervalMs);
    timer.unref();
    return timer;
  }
}
