import { Type } from '@sinclair/typebox';
import type { HttpApp } from './http-app';

export type DependencyState = 'up' | 'down';

export interface DependencyCheck {
  readonly name: string;
  /** A required dependency that is down makes the instance not ready (503). */
  readonly required: boolean;
  /** Resolves with details worth showing (roles, lag, ...) or throws when the dependency is unhealthy. */
  readonly check: () => Promise<Record<string, unknown> | undefined>;
}

export interface DependencyReport {
  readonly status: DependencyState;
  readonly required: boolean;
  readonly latency_ms: number;
  readonly details?: Record<string, unknown>;
  readonly error?: string;
}

export interface StatusReport {
  readonly service: string;
  readonly instance: string;
  readonly status: 'up' | 'degraded' | 'down';
  readonly uptime_seconds: number;
  readonly dependencies: Record<string, DependencyReport>;
}

const CHECK_TIMEOUT_MS = 1_500;

async function runCheck(dependency: DependencyCheck): Promise<DependencyReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    const details = await Promise.race([dependency.check(), timeout]);
    return { status: 'up', required: dependency.required, latency_ms: Math.round(performance.now() - started), ...(details === undefined ? {} : { details }) };
  } catch (error) {
    // A check may attach what it saw to its error (e.g. every instance of an upstream that is down): shown too.
    const seen = (error as { details?: unknown } | null)?.details;
    const details = typeof seen === 'object' && seen !== null ? { details: seen as Record<string, unknown> } : {};
    return { status: 'down', required: dependency.required, latency_ms: Math.round(performance.now() - started), error: error instanceof Error ? error.message : String(error), ...details };
  } finally {
    clearTimeout(timer);
  }
}

/** Checks every dependency concurrently, each bounded by a timeout so /status itself never hangs. */
export async function collectStatus(service: string, instance: string, checks: readonly DependencyCheck[]): Promise<StatusReport> {
  const reports = await Promise.all(checks.map(async (dependency) => [dependency.name, await runCheck(dependency)] as const));
  const down = reports.filter(([, report]) => report.status === 'down');
  const requiredDown = down.some(([, report]) => report.required);
  return {
    service,
    instance,
    status: requiredDown ? 'down' : down.length > 0 ? 'degraded' : 'up',
    uptime_seconds: Math.round(process.uptime()),
    dependencies: Object.fromEntries(reports),
  };
}

/**
 * `GET /status`: readiness with each dependency's health (200 when every
 * required dependency is up, 503 otherwise); `GET /status/live`: liveness only.
 */
export function registerStatusRoutes(app: HttpApp, service: string, instance: string, checks: readonly DependencyCheck[]): void {
  app.get('/status/live', () => ({ status: 'up' }));
  app.get('/status', { schema: { tags: ['status'], summary: 'Health of this instance and its dependencies', response: { 200: Type.Unknown(), 503: Type.Unknown() } } }, async (_request, reply) => {
    const report = await collectStatus(service, instance, checks);
    return reply.status(report.status === 'down' ? 503 : 200).send(report);
  });
}
