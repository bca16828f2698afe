import { Link } from 'react-router';
import type { EventView } from '../api/types';
import { formatMoney } from '../lib/money';
import { formatDateTime } from '../lib/time';

export function seatsLabel(available: number): string {
  if (available === 0) return 'Sold out';
  return available === 1 ? '1 seat left' : `${available} seats left`;
}

export function EventCard({ event, available }: { event: EventView; available: number }) {
  return (
    <article className="card event-card" data-testid="event-card">
      <h2><Link to={`/events/${event.id}`}>{event.name}</Link></h2>
      <p className="meta">
        <time dateTime={event.date_time}>{formatDateTime(event.date_time)}</time>
        {' · '}
        {`${event.venue.name}, ${event.venue.location}`}
      </p>
      <p className="price-line">
        <span className="price">{formatMoney(event.price, event.currency)}</span>
        <span className={available === 0 ? 'seats sold-out' : 'seats'} data-testid="seats-left">{seatsLabel(available)}</span>
      </p>
    </article>
  );
}
