import { randomUUID } from 'node:crypto';
import type { Money } from '../domain/money';
import type { ChargeResult, PaymentMethod, PaymentProvider } from '../domain/payments';

export interface SimulatedProviderSettings {
  /** How long a charge takes. */
  readonly latencyMs: number;
  /** Share of charges declined, 0..1. */
  readonly failureRate: number;
  /** Injectable for tests; Math.random by default. */
  readonly random?: () => number;
}

const DECLINE_REASONS = ['insufficient funds', 'card expired', 'do not honour'] as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A stand-in for a real payment provider with configurable latency and
 * failure rate. Like a real one it is idempotent per payment id: charging the
 * same id twice returns the first result. It remembers charges only in
 * memory, so after a crash a lookup answers `unknown` (nothing is really
 * taken, so the payment is then marked failed).
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  private readonly charges = new Map<string, { result: ChargeResult; amount: Money; refunded: boolean }>();
  private readonly random: () => number;

  constructor(private readonly settings: SimulatedProviderSettings) {
    this.random = settings.random ?? Math.random;
  }

  async charge(request: { paymentId: string; amount: Money; method: PaymentMethod }): Promise<ChargeResult> {
    const previous = this.charges.get(request.paymentId);
    if (previous !== undefined) return previous.result;
    if (this.settings.latencyMs > 0) await sleep(this.settings.latencyMs);
    const declined = this.random() < this.settings.failureRate;
    const result: ChargeResult = declined
      ? { ok: false, reason: DECLINE_REASONS[Math.floor(this.random() * DECLINE_REASONS.length)] ?? 'declined' }
      : { ok: true, reference: `sim_${randomUUID()}` };
    this.charges.set(request.paymentId, { result, amount: request.amount, refunded: false });
    return result;
  }

  refund(paymentId: string): Promise<void> {
    const charge = this.charges.get(paymentId);
    if (charge !== undefined) charge.refunded = true;
    return Promise.resolve();
  }

  lookup(paymentId: string): Promise<'charged' | 'declined' | 'unknown'> {
    const charge = this.charges.get(paymentId);
    if (charge === undefined) return Promise.resolve('unknown');
    return Promise.resolve(charge.result.ok ? 'charged' : 'declined');
  }

  /** For tests: whether a charge was refunded. */
  wasRefunded(paymentId: string): boolean {
    return this.charges.get(paymentId)?.refunded ?? false;
  }
}
