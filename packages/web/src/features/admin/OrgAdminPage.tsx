import { useCallback, useEffect, useState, type SyntheticEvent } from 'react';
import type { InviteView, MemberView, OrgRole } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useMe } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { CustomStatusText } from '../profile/CustomStatusText.js';
import { AuditLog } from './AuditLog.js';
import { CopyButton } from './CopyButton.js';
import '../settings/settings.css';

/** Org admin: members and roles, invites, and the audit log. */
export function OrgAdminPage() {
  const me = useMe();
  if (!me) return <div className="empty-state">Loading…</div>;
  if (me.role !== 'owner' && me.role !== 'admin') return <div className="settings-page"><p>Only the org&apos;s owners and admins see this page.</p></div>;
  return (
    <div className="settings-page">
      <h1>Org admin</h1>
      <MembersAdmin />
      <InvitesAdmin />
      <AuditLog />
    </div>
  );
}

const orgRoles: OrgRole[] = ['owner', 'admin', 'member', 'guest'];

function MembersAdmin() {
  const store = useStore();
  const me = useMe();
  const orgId = store.getSnapshot().orgId;
  const [members, setMembers] = useState<MemberView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => { setMembers((await store.rest.members(orgId)).members); }, [store, orgId]);
  useEffect(() => { load().catch((e: unknown) => { setError(errorMessage(e)); }); }, [load]);
  const act = (p: Promise<unknown>) => { setError(null); p.then(load).catch((e: unknown) => { setError(errorMessage(e)); }); };
  const people = members.filter((m) => m.kind === 'human');
  return (
    <section className="form settings-card" aria-labelledby="org-members-heading">
      <h2 id="org-members-heading">Members ({people.length} people, {members.length - people.length} agents)</h2>
      <div className="settings-table-wrap">
        <table className="settings-table">
          <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Status</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.id}>
                <td>{m.display_name} <span className="muted">@{m.handle}</span> {m.kind === 'agent' && <AgentBadge />}<CustomStatusText member={m} /></td>
                <td>
                  {m.kind === 'human' && m.id !== me?.id
                    ? <select aria-label={`Org role of ${m.display_name}`} value={m.role} onChange={(e) => { act(store.rest.setOrgRole(orgId, m.id, e.target.value as OrgRole)); }}>{orgRoles.map((r) => <option key={r} value={r}>{r}</option>)}</select>
                    : m.role}
                </td>
                <td>{m.status}</td>
                <td>
                  {m.kind === 'human' && m.id !== me?.id && (m.status === 'active'
                    ? <button type="button" onClick={() => { if (confirm(`Deactivate ${m.display_name}? Their agents are suspended.`)) act(store.rest.deactivateMember(orgId, m.id)); }}>Deactivate</button>
                    : <button type="button" onClick={() => { act(store.rest.reactivateMember(orgId, m.id)); }}>Reactivate</button>)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}

export function InvitesAdmin() {
  const store = useStore();
  const orgId = store.getSnapshot().orgId;
  const [invites, setInvites] = useState<InviteView[]>([]);
  const [role, setRole] = useState<'member' | 'guest' | 'admin'>('member');
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => { setInvites((await store.rest.invites(orgId)).invites); }, [store, orgId]);
  useEffect(() => { load().catch((e: unknown) => { setError(errorMessage(e)); }); }, [load]);
  const create = async (event: SyntheticEvent) => {
    event.preventDefault();
    try {
      const { token } = await store.rest.createInvite(orgId, { role });
      setLink(`${location.origin}/invite/${token}`);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const open = invites.filter((i) => !i.revoked_at && new Date(i.expires_at) > new Date() && i.uses < i.max_uses);
  return (
    <section className="form settings-card" aria-labelledby="invites-heading">
      <h2 id="invites-heading">Invites</h2>
      <form className="row-actions" onSubmit={(e) => { void create(e); }}>
        <label>Role
          <select value={role} onChange={(e) => { setRole(e.target.value as typeof role); }}>
            <option value="member">member</option><option value="guest">guest</option><option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" className="primary">Create an invite link</button>
      </form>
      {link && (
        <div role="region" aria-label="New invite link">
          <p className="secret">{link}</p>
          <CopyButton text={link} label="Copy link" />
        </div>
      )}
      <ul aria-label="Open invites">
        {open.map((i) => (
          <li key={i.id}>
            {i.role} invite, {i.uses}/{i.max_uses} used, expires {new Date(i.expires_at).toLocaleString()}{' '}
            <button type="button" onClick={() => { store.rest.revokeInvite(orgId, i.id).then(load).catch((e: unknown) => { setError(errorMessage(e)); }); }} aria-label={`Revoke the ${i.role} invite created ${new Date(i.created_at).toLocaleString()}`}>Revoke</button>
          </li>
        ))}
      </ul>
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}
