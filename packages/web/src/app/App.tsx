import { useEffect } from 'react';
import { SessionProvider, useSession } from './session.js';
import { matchPath, navigate, useLocation } from './router.js';
import { routes, paths } from './routes.js';
import { WorkspaceProvider } from './workspace/provider.js';
import { Shell } from './layout/Shell.js';

export function App() {
  return (
    <SessionProvider>
      <Routes />
    </SessionProvider>
  );
}

const lastOrgKey = 'chorus.lastOrg';

/** Picks the route for the path and enforces its access; `/` goes to the last org, or to sign-in. */
function Routes() {
  const { path } = useLocation();
  const { token, memberships } = useSession();
  const found = routes.map((r) => ({ route: r, params: matchPath(r.path, path) })).find((m) => m.params !== null);
  const access = found?.route.access;
  const orgId = found?.params?.orgId;

  const redirect: string | null = (() => {
    if (!token) return access === 'guest' || access === 'public' ? null : `/login?next=${encodeURIComponent(path)}`;
    if (access === 'public' || access === 'user') return null;
    if (!memberships) return null; // still loading
    if (access === 'org' && memberships.some((m) => m.org.id === orgId)) return null;
    const next = new URLSearchParams(location.search).get('next');
    if (access === 'guest' && next?.startsWith('/')) return next;
    const last = localStorage.getItem(lastOrgKey);
    const org = memberships.find((m) => m.org.id === last) ?? memberships[0];
    return org ? paths.org(org.org.id) : '/orgs/new';
  })();

  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  useEffect(() => {
    if (orgId) localStorage.setItem(lastOrgKey, orgId);
  }, [orgId]);

  if (redirect || !found?.params) return null;
  const screen = found.route.render(found.params);
  if (access !== 'org' || !orgId) return <>{screen}</>;
  return (
    <WorkspaceProvider key={orgId} orgId={orgId}>
      <Shell>{screen}</Shell>
    </WorkspaceProvider>
  );
}
