/**
 * The waiting room's bound while Redis cannot be reached: a plain semaphore
 * per gateway instance. Without Redis there is no shared queue (and so no
 * fair order across instances), but orders keep being sold at a bounded
 * concurrency instead of either stopping (fail closed) or letting the whole
 * rush through to the services (fail open). Requests beyond it are refused
 * with 503 and Retry-After, which costs the gateway almost nothing.
 */
export class LocalFallback {
  private inFlight = 0;

  constructor(private readonly capacity: number) {}

  /** Takes a slot; undefined when all are taken. The returned function gives it back (once). */
  tryAcquire(): (() => void) | undefined {
    if (this.inFlight >= this.capacity) return undefined;
    this.inFlight += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }

  get used(): number {
    return this.inFlight;
  }
}
