import { useCallback, useEffect, useEffectEvent, useState } from 'react';

export interface AsyncState<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  /** Loads again (a retry button, a refresh after a change). */
  readonly reload: () => void;
}

interface Settled<T> {
  readonly key: string;
  readonly round: number;
  readonly data: T | undefined;
  readonly error: unknown;
}

/**
 * Runs `load` when `key` changes (and on reload). A reload keeps the data
 * shown while it runs, so a refresh does not blank the page; a new key shows
 * nothing of the old one's. An answer that comes back after a newer load
 * started is dropped.
 */
export function useAsync<T>(load: () => Promise<T>, key: string): AsyncState<T> {
  const [round, setRound] = useState(0);
  const [settled, setSettled] = useState<Settled<T> | undefined>(undefined);
  const run = useEffectEvent(load);
  useEffect(() => {
    let current = true;
    run().then(
      (data) => current && setSettled({ key, round, data, error: undefined }),
      (error: unknown) => current && setSettled((previous) => ({ key, round, data: previous?.key === key ? previous.data : undefined, error })),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  const mine = settled?.key === key ? settled : undefined;
  return { data: mine?.data, error: mine?.error, loading: mine?.round !== round, reload };
}

/** Calls `tick` every `ms` while the page is visible. */
export function useInterval(tick: () => void, ms: number): void {
  const onTick = useEffectEvent(tick);
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') onTick();
    }, ms);
    return () => window.clearInterval(timer);
  }, [ms]);
}
