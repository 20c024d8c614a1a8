import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ChorusError, RestClient, type MemberView, type Session } from '@chorus/sdk';

const tokenKey = 'chorus.token';

export interface OrgMembership {
  org: { id: string; name: string; slug: string };
  member: MemberView;
}

export interface SessionValue {
  /** The REST client, with the person's token once signed in. */
  rest: RestClient;
  token: string | null;
  user: Session['user'] | null;
  /** The orgs the person belongs to (null while loading). */
  memberships: OrgMembership[] | null;
  signIn: (session: Session) => void;
  signOut: () => Promise<void>;
  /** Re-reads the person's orgs (after creating or joining one). */
  refresh: () => Promise<OrgMembership[]>;
}

const SessionContext = createContext<SessionValue | null>(null);

/** The signed-in person: the token kept in localStorage, and the orgs they belong to. */
export function SessionProvider({ children, baseUrl = location.origin }: { children: ReactNode; baseUrl?: string }) {
  const [token, setToken] = useState<string | null>(() => localStorage.getItem(tokenKey));
  const [user, setUser] = useState<Session['user'] | null>(null);
  const [memberships, setMemberships] = useState<OrgMembership[] | null>(null);
  const rest = useMemo(() => new RestClient(baseUrl, token), [baseUrl, token]);

  const refresh = useCallback(async () => {
    const me = await rest.me();
    setMemberships(me.memberships);
    return me.memberships;
  }, [rest]);

  useEffect(() => {
    if (!token) return;
    refresh().catch((error: unknown) => {
      // A token the server no longer knows: sign out quietly.
      if (error instanceof ChorusError && error.status === 401) {
        localStorage.removeItem(tokenKey);
        setToken(null);
      }
    });
  }, [token, refresh]);

  const value = useMemo<SessionValue>(
    () => ({
      rest,
      token,
      user,
      memberships: token ? memberships : [],
      signIn(session) {
        localStorage.setItem(tokenKey, session.session.token);
        setMemberships(null);
        setUser(session.user);
        setToken(session.session.token);
      },
      async signOut() {
        await rest.logOut().catch(() => undefined);
        localStorage.removeItem(tokenKey);
        setToken(null);
        setUser(null);
        setMemberships(null);
      },
      refresh,
    }),
    [rest, token, user, memberships, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
