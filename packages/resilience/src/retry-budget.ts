/**
 * A retry budget (after Finagle's RetryBudget): every first attempt deposits
 * `ratio` tokens, every retry spends one, and the balance is capped. Retries
 * can therefore add at most `ratio` extra load on top of the real traffic
 * (plus a small floor so a quiet system may still retry), which keeps retries
 * from multiplying load during an outage. cockatiel's retry policy has no
 * budget, hence this small class.
 */
export class RetryBudget {
  private balance: number;

  constructor(
    private readonly ratio = 0.1,
    private readonly cap = 20,
    initial = 5,
  ) {
    this.balance = Math.min(initial, cap);
  }

  /** Record a first attempt. */
  deposit(): void {
    this.balance = Math.min(this.cap, this.balance + this.ratio);
  }

  /** Take a token for a retry; false means the budget is spent and the caller must not retry. */
  tryWithdraw(): boolean {
    if (this.balance < 1) return false;
    this.balance -= 1;
    return true;
  }

  get available(): number {
    return this.balance;
  }
}

/** Full-jitter exponential backoff (AWS architecture blog), in milliseconds. */
export function jitteredBackoff(attempt: number, baseMs = 25, maxMs = 1_000, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** attempt));
}
