import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { clearStoredToken, loadSession, type Session, storeToken } from './session';

interface SessionContextValue {
  session: Session | null;
  signIn(session: Session): void;
  /** Forget the token; `reason` tells the sign-in page why (e.g. the API refused the token). */
  signOut(reason?: 'expired'): void;
  signOutReason: 'expired' | null;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession());
  const [signOutReason, setReason] = useState<'expired' | null>(null);
  const signIn = useCallback((next: Session) => {
    storeToken(next.token);
    setReason(null);
    setSession(next);
  }, []);
  const signOut = useCallback((reason?: 'expired') => {
    clearStoredToken();
    setReason(reason ?? null);
    setSession(null);
  }, []);
  const value = useMemo(
    () => ({ session, signIn, signOut, signOutReason }),
    [session, signIn, signOut, signOutReason],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in session inside the authenticated pages (the router guarantees one). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('no session');
  return session;
}
