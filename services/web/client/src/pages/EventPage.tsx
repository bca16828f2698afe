import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, isQueuePlace } from '../api/endpoints';
import type { EventView, QueuePlaceView } from '../api/types';
import { seatsLabel } from '../components/EventCard';
import { ErrorNotice, Loading } from '../components/feedback';
import { SubscribeButton } from '../components/SubscribeButton';
import { newIdempotencyKey } from '../lib/idempotency';
import { formatMoney } from '../lib/money';
import { usePageTitle } from '../lib/page-title';
import { describeProblem } from '../lib/problem';
import { formatDateTime } from '../lib/time';
import { useAsync, useInterval } from '../lib/use-async';
import { useNotifications } from '../notifications/NotificationsProvider';
import { useSession } from '../session/session';

/** The most one order may buy (MAX_TICKETS_PER_ORDER in the order contract). */
const MAX_PER_ORDER = 10;

export function EventPage() {
  const { id = '' } = useParams();
  const { session } = useSession();
  const { liveSeats, watch } = useNotifications();
  const event = useAsync(() => api.getEvent(id, session?.token), `${id}|${session?.token ?? ''}`);
  useInterval(event.reload, 10_000);
  useEffect(() => watch([id]), [id, watch]);
  usePageTitle(event.data?.name ?? 'Event');

  if (event.data === undefined) {
    return event.error === undefined ? <Loading label="Loading the event…" /> : <ErrorNotice error={event.error} onRetry={event.reload} />;
  }
  const available = liveSeats(id) ?? event.data.available_seats;
  return (
    <article className="event-page">
      <h1>{event.data.name}</h1>
      <p className="meta">
        <time dateTime={event.data.date_time}>{formatDateTime(event.data.date_time)}</time>
        {' · '}
        {`${event.data.venue.name}, ${event.data.venue.location}`}
      </p>
      {event.data.description === '' ? null : <p className="description">{event.data.description}</p>}
      <dl className="facts">
        <dt>Price per ticket</dt>
        <dd data-testid="event-price">{formatMoney(event.data.price, event.data.currency)}</dd>
        <dt>Availability</dt>
        <dd data-testid="seats-left" className={available === 0 ? 'sold-out' : undefined}>
          {`${seatsLabel(available)} of ${event.data.total_seats}`}
        </dd>
      </dl>
      {event.error === undefined ? null : <ErrorNotice error={event.error} onRetry={event.reload} />}
      <BuyForm event={event.data} available={available} onRefused={event.reload} />
      {session === undefined ? null : <SubscribeButton eventId={id} />}
    </article>
  );
}

function BuyForm({ event, available, onRefused }: { event: EventView; available: number; onRefused: () => void }) {
  const { session } = useSession();
  const navigate = useNavigate();
  const [quantity, setQuantity] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [queued, setQueued] = useState<QueuePlaceView | undefined>(undefined);
  // One key per intended purchase: a retry after a lost answer or a 503 returns the same order, never a second one.
  const keyRef = useRef<string | undefined>(undefined);

  if (session === undefined) {
    return <p className="buy-box"><Link className="button-link" to={`/login?next=${encodeURIComponent(`/events/${event.id}`)}`}>Sign in to buy tickets</Link></p>;
  }
  const max = Math.min(MAX_PER_ORDER, available);
  const buy = (submit?: FormEvent) => {
    submit?.preventDefault();
    const key = keyRef.current ?? newIdempotencyKey();
    keyRef.current = key;
    setBusy(true);
    setError(undefined);
    api.placeOrder(session.token, event.id, quantity, key).then(
      (answer) => {
        if (isQueuePlace(answer)) return waitInQueue(answer);
        keyRef.current = undefined;
        setQueued(undefined);
        void navigate(`/tickets/${answer.id}`);
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
        // A definite refusal ends this purchase: the next attempt is a new one. Availability changed: show it.
        if (!describeProblem(failure).retryable) {
          keyRef.current = undefined;
          onRefused();
        }
      },
    );
  };
  // The waiting room (202): poll the place as told; admitted (or lapsed) means place the order again, same key.
  function waitInQueue(place: QueuePlaceView): void {
    setQueued(place);
    if (place.status !== 'queued') return buy();
    window.setTimeout(() => {
      api.queuePlace(session?.token, place.ticket).then(waitInQueue, (failure: unknown) => {
        setBusy(false);
        setQueued(undefined);
        setError(failure);
      });
    }, Math.max(250, place.poll_after_ms));
  }
  return (
    <div className="buy-box">
      {available === 0 ? (
        <p className="sold-out-message" role="status">This event is sold out.</p>
      ) : (
        <form onSubmit={buy} className="inline-form">
          <label htmlFor="quantity">Tickets</label>
          <select id="quantity" value={Math.min(quantity, max)} onChange={(change) => setQuantity(Number(change.target.value))}>
            {Array.from({ length: max }, (_, index) => index + 1).map((count) => <option key={count} value={count}>{count}</option>)}
          </select>
          <button type="submit" disabled={busy}>
            {busy ? (queued?.status === 'queued' ? 'Waiting in line…' : 'Holding your seats…') : `Buy for ${formatMoney(event.price * Math.min(quantity, max), event.currency)}`}
          </button>
        </form>
      )}
      {queued?.status === 'queued' ? (
        <p className="notice" role="status" data-testid="queue-place">
          {`Many people are buying right now. You are number ${queued.position} in line (about ${Math.ceil(queued.estimated_wait_seconds)} s); keep this page open.`}
        </p>
      ) : null}
      {error === undefined ? null : <ErrorNotice error={error} onRetry={() => buy()} />}
    </div>
  );
}
