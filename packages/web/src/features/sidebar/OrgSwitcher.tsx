import { useSession } from '../../app/session.js';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useWorkspaceSelector } from '../../app/workspace/hooks.js';

/** The org's name, a menu of the person's other orgs, creating one, and signing out. */
export function OrgSwitcher() {
  const { memberships, signOut } = useSession();
  const orgId = useWorkspaceSelector((v) => v.orgId);
  const me = useWorkspaceSelector((v) => v.me);
  return (
    <div className="org-switcher">
      <label htmlFor="org-select" className="visually-hidden">Organisation</label>
      <select
        id="org-select"
        value={orgId}
        onChange={(e) => { navigate(e.target.value === 'new' ? '/orgs/new' : paths.org(e.target.value)); }}
      >
        {(memberships ?? []).map((m) => <option key={m.org.id} value={m.org.id}>{m.org.name}</option>)}
        <option value="new">+ Create an org…</option>
      </select>
      <div className="me-line">
        <span>{me ? `@${me.handle}` : ''}</span>
        <button type="button" className="link-button" onClick={() => { void signOut().then(() => { navigate('/login'); }); }}>Sign out</button>
      </div>
    </div>
  );
}
