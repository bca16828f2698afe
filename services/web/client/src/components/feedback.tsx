import { describeProblem } from '../lib/problem';

/** A polite, announced loading line (screen readers hear it once). */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** A failed call in plain words, with a retry button when trying again may help. */
export function ErrorNotice({ error, onRetry, retryLabel = 'Try again' }: { error: unknown; onRetry?: () => void; retryLabel?: string }) {
  const view = describeProblem(error);
  return (
    <div className={`notice notice-${view.kind}`} role="alert" data-problem={view.kind}>
      <strong>{view.title}</strong>
      <p>{view.message}</p>
      {view.retryable && onRetry !== undefined ? <button type="button" onClick={onRetry}>{retryLabel}</button> : null}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const label = status.replaceAll('_', ' ');
  return <span className={`badge badge-${status}`}>{label}</span>;
}
