import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/endpoints';
import type { EventView } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorNotice, Loading } from '../components/feedback';
import { currencyDigits, formatMoney, parseMajorAmount } from '../lib/money';
import { usePageTitle } from '../lib/page-title';
import { salesOf, totalsByCurrency } from '../lib/sales';
import { formatDateTime, localInputToIso } from '../lib/time';
import { useAsync, useInterval } from '../lib/use-async';
import { hasRole, useSession } from '../session/session';

const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'JPY', 'SEK', 'PLN', 'CAD', 'AUD'];

/** Every event of this organizer: the public list, page by page (100 per page; the list is bounded at 10,000 by the API). */
async function myEvents(organizerId: string, token: string): Promise<EventView[]> {
  const mine: EventView[] = [];
  for (let offset = 0; offset <= 10_000; offset += 100) {
    const page = await api.listEvents({ limit: 100, offset }, token);
    mine.push(...page.items.filter((event) => event.organizer_id === organizerId));
    if (offset + page.items.length >= page.total || page.items.length === 0) break;
  }
  return mine;
}

export function OrganizerPage() {
  usePageTitle('Organizer');
  const { session } = useSession();
  const allowed = hasRole(session, 'organizer') || hasRole(session, 'admin');
  const events = useAsync(() => (session === undefined || !allowed ? Promise.resolve([]) : myEvents(session.user.id, session.token)), session?.token ?? '');
  useInterval(events.reload, 10_000);

  if (session === undefined) return (
    <p>
      Please
      {' '}
      <Link to="/login?next=%2Forganizer">sign in</Link>
      {' '}
      to organize events.
    </p>
  );
  if (!allowed) {
    return (
      <section>
        <h1>Organizer</h1>
        <p>Your account cannot create events yet. An administrator can grant you the organizer role; it applies from your next sign-in.</p>
      </section>
    );
  }
  const sales = (events.data ?? []).map(salesOf);
  return (
    <section>
      <h1>Organizer</h1>
      <CreateEventForm token={session.token} onCreated={events.reload} />
      <h2>Sales of your events</h2>
      <p className="hint">Seats taken are sold or held for a payment in progress; the gross is those seats at the list price.</p>
      {events.error === undefined ? null : <ErrorNotice error={events.error} onRetry={events.reload} />}
      {events.data === undefined ? <Loading label="Loading your events…" /> : sales.length === 0 ? <p>You have no events yet.</p> : (
        <DataTable
          testId="organizer-sales"
          caption="Live seat sales per event"
          columns={['Event', 'Date', 'Seats taken', 'Sold or held', 'Gross at list price']}
          footer={totalsByCurrency(sales).map((total) => (
            <tr key={total.currency}>
              <th scope="row">
                Total (
                {total.currency}
                )
              </th>
              <td />
              <td>{total.seatsTaken}</td>
              <td />
              <td>{formatMoney(total.grossMinor, total.currency)}</td>
            </tr>
          ))}
        >
          {sales.map((sale) => (
            <tr key={sale.event.id} data-testid="organizer-event-row">
              <td><Link to={`/events/${sale.event.id}`}>{sale.event.name}</Link></td>
              <td>{formatDateTime(sale.event.date_time)}</td>
              <td>
                {`${sale.seatsTaken} of ${sale.event.total_seats}`}
              </td>
              <td>
                <meter min={0} max={1} value={sale.share} aria-label={`${Math.round(sale.share * 100)} % taken`} />
                {' '}
                {`${Math.round(sale.share * 100)} %`}
              </td>
              <td>{formatMoney(sale.grossMinor, sale.event.currency)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

function CreateEventForm({ token, onCreated }: { token: string; onCreated: () => void }) {
  const [form, setForm] = useState({ name: '', description: '', when: '', venue: '', location: '', capacity: '100', seats: '100', price: '25.00', currency: 'EUR' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [created, setCreated] = useState<EventView | undefined>(undefined);
  const set = (key: keyof typeof form) => (change: { target: { value: string } }) => setForm({ ...form, [key]: change.target.value });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const currency = form.currency.trim().toUpperCase();
    const price = /^[A-Z]{3}$/.test(currency) ? parseMajorAmount(form.price, currency) : undefined;
    const dateTime = localInputToIso(form.when);
    if (price === undefined) return setProblem(`The price must be an amount in ${currency} with at most ${/^[A-Z]{3}$/.test(currency) ? currencyDigits(currency) : 2} decimals.`);
    if (dateTime === undefined) return setProblem('Choose when the event starts.');
    setProblem(undefined);
    setBusy(true);
    setError(undefined);
    api.createEvent(token, {
      name: form.name.trim(),
      description: form.description,
      date_time: dateTime,
      venue: { name: form.venue.trim(), location: form.location.trim(), capacity: Number(form.capacity) },
      total_seats: Number(form.seats),
      price,
      currency,
    }).then(
      (event) => {
        setCreated(event);
        onCreated();
      },
      setError,
    ).finally(() => setBusy(false));
  };
  return (
    <form className="create-event" onSubmit={submit} aria-labelledby="create-heading">
      <h2 id="create-heading">Create an event</h2>
      <div className="form-grid">
        <label htmlFor="ev-name">Name</label>
        <input id="ev-name" required maxLength={200} value={form.name} onChange={set('name')} />
        <label htmlFor="ev-description">Description</label>
        <textarea id="ev-description" maxLength={5000} rows={3} value={form.description} onChange={set('description')} />
        <label htmlFor="ev-when">Starts at</label>
        <input id="ev-when" type="datetime-local" required value={form.when} onChange={set('when')} />
        <label htmlFor="ev-venue">Venue</label>
        <input id="ev-venue" required maxLength={200} value={form.venue} onChange={set('venue')} />
        <label htmlFor="ev-location">Location</label>
        <input id="ev-location" required maxLength={500} value={form.location} onChange={set('location')} />
        <label htmlFor="ev-capacity">Venue capacity</label>
        <input id="ev-capacity" type="number" required min={1} max={1_000_000} value={form.capacity} onChange={set('capacity')} />
        <label htmlFor="ev-seats">Seats on sale</label>
        <input id="ev-seats" type="number" required min={1} max={1_000_000} aria-describedby="ev-seats-hint" value={form.seats} onChange={set('seats')} />
        <p id="ev-seats-hint" className="hint">At most the venue capacity.</p>
        <label htmlFor="ev-price">Ticket price</label>
        <input id="ev-price" inputMode="decimal" required value={form.price} onChange={set('price')} />
        <label htmlFor="ev-currency">Currency (ISO 4217)</label>
        <input id="ev-currency" list="currencies" required pattern="[A-Za-z]{3}" maxLength={3} value={form.currency} onChange={set('currency')} />
        <datalist id="currencies">{CURRENCIES.map((code) => <option key={code} value={code} />)}</datalist>
      </div>
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create event'}</button>
      {problem === undefined ? null : <p className="notice notice-invalid" role="alert">{problem}</p>}
      {error === undefined ? null : <ErrorNotice error={error} />}
      {created === undefined ? null : (
        <p className="notice notice-success" role="status">
          {'Created '}
          <Link to={`/events/${created.id}`}>{created.name}</Link>
          {`: ${created.total_seats} seats at ${formatMoney(created.price, created.currency)}.`}
        </p>
      )}
    </form>
  );
}
