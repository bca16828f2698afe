import { Link } from 'react-router';
import { useNotifications } from './NotificationsProvider';

const TITLES: Record<string, string> = {
  payment_pending: 'Payment pending',
  payment_succeeded: 'Payment received',
  payment_failed: 'Payment failed',
  hold_expiring: 'Hold ending soon',
  order_expired: 'Hold expired',
  order_cancelled: 'Order cancelled',
  event_reminder: 'Event reminder',
};

/** The toasts, in a live region so screen readers announce each as it arrives. */
export function Toasts() {
  const { toasts, dismiss } = useNotifications();
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {toasts.map(({ key, notification }) => (
        <div key={key} className={`toast toast-${notification.kind}`} data-testid="toast" data-kind={notification.kind}>
          <strong>{TITLES[notification.kind] ?? 'Notification'}</strong>
          <p>{notification.message}</p>
          {notification.order_id === undefined ? null : <Link to={`/tickets/${notification.order_id}`}>View order</Link>}
          <button type="button" className="toast-close" aria-label="Dismiss notification" onClick={() => dismiss(key)}>×</button>
        </div>
      ))}
    </div>
  );
}
