import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/endpoints';
import { EventCard } from '../components/EventCard';
import { ErrorNotice, Loading } from '../components/feedback';
import { usePageTitle } from '../lib/page-title';
import { useAsync, useInterval } from '../lib/use-async';
import { useNotifications } from '../notifications/NotificationsProvider';
import { useSession } from '../session/session';

const PAGE_SIZE = 12;
/** Seat counts on the list are refreshed this often (and pushed live over the WebSocket when signed in). */
const REFRESH_MS = 10_000;

/** Upcoming = starting from the current minute (a stable query for a minute, so the caches can serve it). */
const startOfMinute = () => new Date(Math.floor(Date.now() / 60_000) * 60_000).toISOString();

export function EventsPage() {
  usePageTitle('Events');
  const { session } = useSession();
  const { liveSeats, watch } = useNotifications();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Math.max(0, Number(params.get('page') ?? 0) || 0);
  const [text, setText] = useState(q);
  const token = session?.token;
  const events = useAsync(() => api.listEvents({ q: q === '' ? undefined : q, from: startOfMinute(), limit: PAGE_SIZE, offset: page * PAGE_SIZE }, token), `${q}|${page}|${token ?? ''}`);
  useInterval(events.reload, REFRESH_MS);
  const ids = events.data?.items.map((event) => event.id).join(',') ?? '';
  useEffect(() => watch(ids === '' ? [] : ids.split(',')), [ids, watch]);

  const search = (event: FormEvent) => {
    event.preventDefault();
    setParams(text.trim() === '' ? {} : { q: text.trim() });
  };
  const total = events.data?.total ?? 0;
  return (
    <section>
      <h1>Upcoming events</h1>
      <form className="search" role="search" onSubmit={search}>
        <label htmlFor="event-search">Search events</label>
        <input id="event-search" type="search" placeholder="Name or description" maxLength={100} value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit">Search</button>
      </form>
      {events.error === undefined ? null : <ErrorNotice error={events.error} onRetry={events.reload} />}
      {events.data === undefined ? (events.loading ? <Loading label="Loading events…" /> : null) : (
        <>
          <p className="result-count" aria-live="polite">{total === 0 ? 'No upcoming events match.' : `${total} upcoming event${total === 1 ? '' : 's'}${q === '' ? '' : ` matching “${q}”`}`}</p>
          <div className="grid">
            {events.data.items.map((event) => <EventCard key={event.id} event={event} available={liveSeats(event.id) ?? event.available_seats} />)}
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" className="secondary" disabled={page === 0} onClick={() => setParams({ ...(q === '' ? {} : { q }), page: String(page - 1) })}>Previous</button>
            <span>{`Page ${page + 1} of ${Math.max(1, Math.ceil(total / PAGE_SIZE))}`}</span>
            <button type="button" className="secondary" disabled={(page + 1) * PAGE_SIZE >= total} onClick={() => setParams({ ...(q === '' ? {} : { q }), page: String(page + 1) })}>Next</button>
          </nav>
        </>
      )}
    </section>
  );
}
