import { useState } from 'react';
import { api } from '../api/endpoints';
import { ApiError } from '../lib/problem';
import { useAsync } from '../lib/use-async';
import { useSession } from '../session/session';
import { ErrorNotice } from './feedback';

/**
 * Reminders for an event (POST/DELETE /subscribe/event). A deployment whose
 * gateway has no such route (no notification service) shows nothing.
 */
export function SubscribeButton({ eventId }: { eventId: string }) {
  const { session } = useSession();
  const token = session?.token;
  const subscriptions = useAsync(() => api.subscriptions(token), token ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  if (subscriptions.error instanceof ApiError && subscriptions.error.code === 'ROUTE_NOT_FOUND') return null;
  if (subscriptions.data === undefined) {
    return subscriptions.error === undefined ? null : <ErrorNotice error={subscriptions.error} onRetry={subscriptions.reload} />;
  }
  const subscribed = subscriptions.data.items.some((item) => item.event_id === eventId);
  const toggle = () => {
    setBusy(true);
    setError(undefined);
    (subscribed ? api.unsubscribe(token, eventId) : api.subscribe(token, eventId))
      .then(() => subscriptions.reload(), setError)
      .finally(() => setBusy(false));
  };
  return (
    <div className="subscribe">
      <button type="button" className="secondary" aria-pressed={subscribed} disabled={busy} onClick={toggle}>
        {subscribed ? 'Reminders on — turn off' : 'Remind me about this event'}
      </button>
      {error === undefined ? null : <ErrorNotice error={error} onRetry={toggle} />}
    </div>
  );
}
