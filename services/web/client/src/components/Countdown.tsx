import { useEffect, useState } from 'react';
import { formatCountdown, remainingMs } from '../lib/time';

/**
 * Time left on a seat hold, ticking each second. Screen readers are not told
 * every second (aria-live off on the digits); `onEnd` fires once at zero.
 */
export function Countdown({ until, onEnd }: { until: string; onEnd?: () => void }) {
  const [now, setNow] = useState(() => Date.now());
  const left = remainingMs(until, now);
  useEffect(() => {
    if (left === 0) {
      onEnd?.();
      return undefined;
    }
    const timer = window.setTimeout(() => setNow(Date.now()), Math.min(1000, left));
    return () => window.clearTimeout(timer);
  }, [left, onEnd]);
  return (
    <span className={`countdown${left < 60_000 ? ' countdown-urgent' : ''}`} aria-live="off" data-testid="hold-countdown">
      {formatCountdown(left)}
    </span>
  );
}
