import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { LoginView, UserView } from '../api/types';

// Who is signed in: the access token and the user from the login answer,
// kept in localStorage so a reload keeps the session until the token expires
// (the roles are those of the token; a new role shows after the next login).

const STORAGE_KEY = 'eticket.session';

export interface Session {
  readonly token: string;
  readonly user: UserView;
  readonly expiresAt: string;
}

interface SessionContextValue {
  readonly session: Session | undefined;
  readonly signIn: (login: LoginView) => void;
  readonly signOut: () => void;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

function stored(): Session | undefined {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return undefined;
    const session = JSON.parse(raw) as Session;
    return Date.parse(session.expiresAt) > Date.now() ? session : undefined;
  } catch {
    return undefined;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(stored);
  const signIn = useCallback((login: LoginView) => {
    const next = { token: login.access_token, user: login.user, expiresAt: login.expires_at };
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  const signOut = useCallback(() => {
    localStorage.removeItem(STORAGE_KEY);
    setSession(undefined);
  }, []);
  // The token is useless after its expiry: drop the session then, rather than fail the next call.
  const expiresAt = session?.expiresAt;
  useEffect(() => {
    if (expiresAt === undefined) return undefined;
    const timer = window.setTimeout(signOut, Math.max(0, Date.parse(expiresAt) - Date.now()));
    return () => window.clearTimeout(timer);
  }, [expiresAt, signOut]);
  const value = useMemo(() => ({ session, signIn, signOut }), [session, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (value === undefined) throw new Error('useSession outside SessionProvider');
  return value;
}

export const hasRole = (session: Session | undefined, role: 'buyer' | 'organizer' | 'admin'): boolean => session?.user.roles.includes(role) === true;
