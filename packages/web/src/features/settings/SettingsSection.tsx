import { Link, useLocation } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useWorkspace } from '../../app/workspace/hooks.js';
import { DesktopNotifier } from '../notifications/DesktopNotifier.js';

/** The sidebar's settings links (profile, agents, org admin for admins); also hosts the desktop notifier. */
export function SettingsSection() {
  const { orgId, me } = useWorkspace();
  const { path } = useLocation();
  const admin = me?.role === 'owner' || me?.role === 'admin';
  const links = [
    { to: paths.profile(orgId), label: 'Profile and notifications' },
    ...(me?.role !== 'guest' ? [{ to: paths.agentsAdmin(orgId), label: 'Your agents' }] : []),
    ...(admin ? [{ to: paths.orgAdmin(orgId), label: 'Org admin' }] : []),
  ];
  return (
    <section aria-labelledby="sidebar-settings">
      <DesktopNotifier />
      <div className="sidebar-heading"><h2 id="sidebar-settings">Settings</h2></div>
      <ul className="sidebar-list">
        {links.map((l) => (
          <li key={l.to}>
            <Link to={l.to} className={`sidebar-item${path === l.to ? ' current' : ''}`} aria-current={path === l.to ? 'page' : undefined}>
              <span className="sidebar-label">{l.label}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
