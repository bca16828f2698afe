import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { api } from '../api/endpoints';
import type { OrderView, PaymentMethod } from '../api/types';
import { Countdown } from '../components/Countdown';
import { ErrorNotice, Loading, StatusBadge } from '../components/feedback';
import { newIdempotencyKey } from '../lib/idempotency';
import { formatMoney } from '../lib/money';
import { usePageTitle } from '../lib/page-title';
import { describeProblem } from '../lib/problem';
import { formatDateTime } from '../lib/time';
import { useAsync } from '../lib/use-async';
import { useNotifications } from '../notifications/NotificationsProvider';
import { useSession } from '../session/session';

const METHODS: readonly { value: PaymentMethod; label: string }[] = [
  { value: 'card', label: 'Card' },
  { value: 'paypal', label: 'PayPal' },
  { value: 'apple_pay', label: 'Apple Pay' },
  { value: 'google_pay', label: 'Google Pay' },
  { value: 'bank_transfer', label: 'Bank transfer' },
];

const HEADLINES: Record<OrderView['order_status'], string> = {
  preparing: 'Your order is being placed…',
  pending_payment: 'Your seats are held',
  paid: 'Your order is confirmed',
  rejected: 'This order could not be placed',
  expired: 'Your hold has expired',
  cancelled: 'This order was cancelled',
};

export function OrderPage() {
  const { id = '' } = useParams();
  const { session } = useSession();
  const { latest } = useNotifications();
  const token = session?.token;
  const order = useAsync(() => api.getOrder(token, id), `${id}|${token ?? ''}`);
  const event = useAsync(() => (order.data === undefined ? Promise.resolve(undefined) : api.getEvent(order.data.event_id, token)), order.data?.event_id ?? '');
  usePageTitle(order.data === undefined ? 'Order' : HEADLINES[order.data.order_status]);
  const { reload } = order;
  // A notification about this order (paid, expired, cancelled) means its state changed: show the new one.
  useEffect(() => {
    if (latest?.order_id === id) reload();
  }, [latest, id, reload]);
  // A payment still being processed, or an order still being placed, settles in moments.
  const settling = order.data?.order_status === 'preparing' || order.data?.payment_details?.status === 'processing';
  useEffect(() => {
    if (!settling) return undefined;
    const timer = window.setTimeout(reload, 1_000);
    return () => window.clearTimeout(timer);
  }, [settling, reload, order.data]);

  if (session === undefined) return <Navigate to={`/login?next=${encodeURIComponent(`/tickets/${id}`)}`} replace />;
  if (order.data === undefined) return order.error === undefined ? <Loading label="Loading your order…" /> : <ErrorNotice error={order.error} onRetry={reload} />;
  const o = order.data;
  const money = (minor: number | null) => (minor === null || o.currency === null ? '—' : formatMoney(minor, o.currency));
  return (
    <article className="order-page">
      <p><Link to="/tickets">← My tickets</Link></p>
      <h1 data-testid="order-headline">{HEADLINES[o.order_status]}</h1>
      <dl className="facts">
        <dt>Event</dt>
        <dd>{event.data === undefined ? '…' : <Link to={`/events/${event.data.id}`}>{event.data.name}</Link>}</dd>
        <dt>Tickets</dt>
        <dd>
          {o.quantity}
          {' '}
          ×
          {' '}
          {money(o.unit_price)}
        </dd>
        <dt>Total</dt>
        <dd data-testid="order-total">{money(o.total_price)}</dd>
        <dt>Status</dt>
        <dd data-testid="order-status"><StatusBadge status={o.order_status} /></dd>
        {o.payment_details === null ? null : (
          <>
            <dt>Payment</dt>
            <dd data-testid="payment-status">
              <StatusBadge status={o.payment_details.status} />
              {' '}
              {o.payment_details.method.replaceAll('_', ' ')}
            </dd>
          </>
        )}
        <dt>Placed</dt>
        <dd>{formatDateTime(o.created_at)}</dd>
      </dl>
      {o.order_status === 'rejected' && o.status_reason !== null ? <p className="notice">{o.status_reason}</p> : null}
      {o.order_status === 'expired' ? (
        <p className="notice notice-hold_expired" role="alert">
          The seats were released because the payment did not arrive in time.
          {' '}
          <Link to={`/events/${o.event_id}`}>Order again</Link>
          {' '}
          if any are left.
        </p>
      ) : null}
      {o.order_status === 'pending_payment' && o.hold_expires_at !== null ? <PayBox order={o} holdExpiresAt={o.hold_expires_at} onChange={reload} /> : null}
      {order.error === undefined ? null : <ErrorNotice error={order.error} onRetry={reload} />}
    </article>
  );
}

function PayBox({ order, holdExpiresAt, onChange }: { order: OrderView; holdExpiresAt: string; onChange: () => void }) {
  const { session } = useSession();
  const [method, setMethod] = useState<PaymentMethod>('card');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [expired, setExpired] = useState(false);
  // Same key while retrying one attempt whose outcome is unknown (503, lost answer); a new one after a decline.
  const keyRef = useRef<string | undefined>(undefined);
  const onEnd = useCallback(() => {
    setExpired(true);
    // The service expires the hold within a moment of its end: read the new state.
    window.setTimeout(onChange, 1_500);
  }, [onChange]);

  const pay = (submit?: FormEvent) => {
    submit?.preventDefault();
    const key = keyRef.current ?? newIdempotencyKey();
    keyRef.current = key;
    setBusy(true);
    setError(undefined);
    api.pay(session?.token, order, method, key).then(
      () => {
        keyRef.current = undefined;
        setBusy(false);
        onChange();
      },
      (failure: unknown) => {
        setBusy(false);
        setError(failure);
        const kind = describeProblem(failure).kind;
        if (kind !== 'unavailable') keyRef.current = undefined;
        if (kind === 'hold_expired' || kind === 'invalid') onChange();
      },
    );
  };
  const cancel = () => {
    setBusy(true);
    api.cancelOrder(session?.token, order.id).then(onChange, setError).finally(() => setBusy(false));
  };
  if (expired) return <p className="notice notice-hold_expired" role="alert">The hold has ended; the seats are being released.</p>;
  return (
    <section className="pay-box" aria-labelledby="pay-heading">
      <h2 id="pay-heading">
        Pay within
        {' '}
        <Countdown until={holdExpiresAt} onEnd={onEnd} />
      </h2>
      <p className="hint">
        {`Your seats are held until ${formatDateTime(holdExpiresAt)}. After that they are released to other buyers.`}
      </p>
      <form onSubmit={pay}>
        <fieldset>
          <legend>Payment method</legend>
          <div className="methods">
            {METHODS.map((option) => (
              <label key={option.value} className="radio">
                <input type="radio" name="payment-method" value={option.value} checked={method === option.value} onChange={() => setMethod(option.value)} />
                {option.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="actions">
          <button type="submit" disabled={busy}>{busy ? 'Paying…' : `Pay ${order.total_price === null || order.currency === null ? '' : formatMoney(order.total_price, order.currency)}`}</button>
          <button type="button" className="secondary" disabled={busy} onClick={cancel}>Cancel order</button>
        </div>
      </form>
      {error === undefined ? null : <ErrorNotice error={error} onRetry={() => pay()} retryLabel="Try the payment again" />}
    </section>
  );
}
