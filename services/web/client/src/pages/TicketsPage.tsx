import { Link, Navigate } from 'react-router';
import { api } from '../api/endpoints';
import type { EventView } from '../api/types';
import { DataTable } from '../components/DataTable';
import { ErrorNotice, Loading, StatusBadge } from '../components/feedback';
import { formatMoney } from '../lib/money';
import { usePageTitle } from '../lib/page-title';
import { formatDateTime } from '../lib/time';
import { useAsync } from '../lib/use-async';
import { useSession } from '../session/session';

export function TicketsPage() {
  usePageTitle('My tickets');
  const { session } = useSession();
  const token = session?.token;
  const orders = useAsync(() => api.listOrders(token), token ?? '');
  const eventIds = [...new Set(orders.data?.items.map((order) => order.event_id) ?? [])];
  // The names of the events ordered, one read each (cached by the services); a missing one shows its id.
  const events = useAsync(async () => {
    const found = await Promise.all(eventIds.map((id) => api.getEvent(id, token).catch(() => undefined)));
    return new Map(found.filter((event): event is EventView => event !== undefined).map((event) => [event.id, event]));
  }, eventIds.join(','));

  if (session === undefined) return <Navigate to="/login?next=%2Ftickets" replace />;
  return (
    <section>
      <h1>My tickets</h1>
      {orders.error === undefined ? null : <ErrorNotice error={orders.error} onRetry={orders.reload} />}
      {orders.data === undefined ? (orders.loading ? <Loading label="Loading your orders…" /> : null) : orders.data.items.length === 0 ? (
        <p>
          No orders yet.
          {' '}
          <Link to="/">Find an event</Link>
          .
        </p>
      ) : (
        <DataTable caption="Your orders and payments, newest first" columns={['Event', 'Tickets', 'Total', 'Order', 'Payment', 'Placed']}>
          {orders.data.items.map((order) => (
            <tr key={order.id} data-testid="order-row">
              <td><Link to={`/tickets/${order.id}`}>{events.data?.get(order.event_id)?.name ?? `Event ${order.event_id.slice(0, 8)}`}</Link></td>
              <td>{order.quantity}</td>
              <td>{order.total_price === null || order.currency === null ? '—' : formatMoney(order.total_price, order.currency)}</td>
              <td><StatusBadge status={order.order_status} /></td>
              <td>{order.payment_details === null ? '—' : <StatusBadge status={order.payment_details.status} />}</td>
              <td>{formatDateTime(order.created_at)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
