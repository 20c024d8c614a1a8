import { useCallback, useEffect, useState, type SyntheticEvent } from 'react';
import type { ChannelMemberEntry, ChannelRole, ChannelSettings, ChannelView } from '@chorus/sdk';
import { Link } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';
import { useMe, useMembers } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { errorMessage } from '../../components/errors.js';
import { CustomStatusText } from '../profile/CustomStatusText.js';
import { prefsOf, useFollowPrefs, usePrefs } from '../notifications/prefs.js';
import './settings.css';

const roles: ChannelRole[] = ['owner', 'moderator', 'member', 'observer'];

/** A channel's settings: its rules (who may post, pin, add agents; history; reasoning), members and roles, and your mute. */
export function ChannelSettingsPage({ channelId }: { channelId: string }) {
  const store = useStore();
  const [channel, setChannel] = useState<ChannelView | null>(null);
  const [myRole, setMyRole] = useState<ChannelRole | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const { channel: c, membership } = await store.rest.channel(channelId);
      setChannel(c);
      setMyRole(membership?.role ?? null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [store, channelId]);
  useEffect(() => { void load(); }, [load]);
  const me = useMe();
  if (error) return <div className="settings-page"><p className="form-error" role="alert">{error}</p></div>;
  if (!channel) return <div className="empty-state">Loading…</div>;
  const orgAdmin = me?.role === 'owner' || me?.role === 'admin';
  const canManage = orgAdmin || myRole === 'owner' || myRole === 'moderator';
  return (
    <div className="settings-page">
      <h1>Settings of {channel.name ? `#${channel.name}` : 'this conversation'}</h1>
      <p><Link to={paths.channel(channel.org_id, channel.id)}>Back to the channel</Link></p>
      {myRole && <MuteToggle channelId={channel.id} />}
      <SettingsForm channel={channel} editable={canManage} onSaved={setChannel} />
      <MembersCard channelId={channel.id} canManage={canManage} canChangeRoles={orgAdmin || myRole === 'owner'} />
    </div>
  );
}

function MuteToggle({ channelId }: { channelId: string }) {
  const store = useStore();
  useFollowPrefs(store);
  const settings = usePrefs(store);
  const muted = settings?.muted_channel_ids.includes(channelId) ?? false;
  const [error, setError] = useState<string | null>(null);
  return (
    <section className="form settings-card" aria-labelledby="mute-heading">
      <h2 id="mute-heading">Your notifications</h2>
      <label className="checkbox">
        <input type="checkbox" checked={muted} disabled={!settings} onChange={(e) => { prefsOf(store).setMuted(channelId, e.target.checked).catch((err: unknown) => { setError(errorMessage(err)); }); }} />
        Mute this channel (no unread badge except mentions, no desktop notifications)
      </label>
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}

type Choice<K extends keyof ChannelSettings> = { key: K; label: string; options: { value: ChannelSettings[K]; label: string }[] };
const whoMay = [{ value: 'members', label: 'Every member' }, { value: 'moderators', label: 'Owners and moderators' }] as const;
const choices = [
  { key: 'who_may_post', label: 'Who may post', options: [...whoMay] },
  { key: 'who_may_pin', label: 'Who may pin messages', options: [...whoMay] },
  { key: 'who_may_add_agents', label: 'Who may add agents', options: [...whoMay] },
  { key: 'history_for_new_members', label: 'History for new members', options: [{ value: 'all', label: 'The whole history' }, { value: 'since_join', label: 'Only what is said after they join' }] },
  {
    key: 'reasoning_visibility',
    label: "Who sees agents' reasoning steps",
    options: [{ value: 'members', label: 'Every member' }, { value: 'moderators', label: 'Owners and moderators' }, { value: 'sponsor_only', label: "Only the agent's sponsor" }],
  },
  { key: 'agent_access', label: 'What agents read', options: [{ value: 'full', label: 'The channel (within these rules)' }, { value: 'mentions_only', label: 'Only what mentions them' }] },
] as const satisfies readonly Choice<keyof ChannelSettings>[];

export function SettingsForm({ channel, editable, onSaved }: { channel: ChannelView; editable: boolean; onSaved: (channel: ChannelView) => void }) {
  const store = useStore();
  const [draft, setDraft] = useState<ChannelSettings>(channel.settings);
  const [topic, setTopic] = useState(channel.topic);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const save = async (event: SyntheticEvent) => {
    event.preventDefault();
    const changed = Object.fromEntries(Object.entries(draft).filter(([k, v]) => channel.settings[k as keyof ChannelSettings] !== v)) as Partial<ChannelSettings>;
    try {
      const { channel: saved } = await store.rest.updateChannel(channel.id, { ...changed, ...(topic !== channel.topic ? { topic } : {}) });
      onSaved(saved);
      setMessage({ ok: true, text: 'Saved.' });
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    }
  };
  return (
    <form className="form settings-card" aria-labelledby="rules-heading" onSubmit={(e) => { void save(e); }}>
      <h2 id="rules-heading">Channel rules</h2>
      {!editable && <p className="muted">Only the channel&apos;s owners and moderators (and org admins) change these.</p>}
      <label>Topic <input value={topic} disabled={!editable} onChange={(e) => { setTopic(e.target.value); }} maxLength={250} /></label>
      {choices.map((c) => (
        <label key={c.key}>{c.label}
          <select value={draft[c.key]} disabled={!editable} onChange={(e) => { setDraft({ ...draft, [c.key]: e.target.value }); }}>
            {c.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
          </select>
        </label>
      ))}
      {message && <p className={message.ok ? 'form-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      {editable && <button type="submit" className="primary">Save rules</button>}
    </form>
  );
}

function MembersCard({ channelId, canManage, canChangeRoles }: { channelId: string; canManage: boolean; canChangeRoles: boolean }) {
  const store = useStore();
  const directory = useMembers();
  const [members, setMembers] = useState<ChannelMemberEntry[]>([]);
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setMembers((await store.rest.channelMembers(channelId)).members);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [store, channelId]);
  useEffect(() => { void load(); }, [load]);
  const act = (p: Promise<unknown>) => { p.then(load, (e: unknown) => { setError(errorMessage(e)); }); };
  const inChannel = new Set(members.map((m) => m.member.id));
  const candidates = Object.values(directory).filter((m) => !inChannel.has(m.id) && m.status === 'active');
  return (
    <section className="form settings-card" aria-labelledby="members-heading">
      <h2 id="members-heading">Members ({members.length})</h2>
      <div className="settings-table-wrap">
        <table className="settings-table">
          <thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {members.map(({ member, role }) => (
              <tr key={member.id}>
                <td>{member.display_name} <span className="muted">@{member.handle}</span> {member.kind === 'agent' && <AgentBadge />}<CustomStatusText member={directory[member.id] ?? member} /></td>
                <td>
                  {canChangeRoles
                    ? <select aria-label={`Channel role of ${member.display_name}`} value={role} onChange={(e) => { act(store.rest.setMemberRole(channelId, member.id, e.target.value as ChannelRole)); }}>{roles.map((r) => <option key={r} value={r}>{r}</option>)}</select>
                    : role}
                </td>
                <td>{canManage && <button type="button" onClick={() => { act(store.rest.removeMember(channelId, member.id)); }} aria-label={`Remove ${member.display_name} from the channel`}>Remove</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage && candidates.length > 0 && (
        <div className="row-actions">
          <label>Add someone
            <select value={adding} onChange={(e) => { setAdding(e.target.value); }}>
              <option value="">Choose a person or agent…</option>
              {candidates.map((m) => <option key={m.id} value={m.id}>{m.display_name} (@{m.handle}){m.kind === 'agent' ? ' · agent' : ''}</option>)}
            </select>
          </label>
          <button type="button" disabled={!adding} onClick={() => { act(store.rest.addMember(channelId, adding)); setAdding(''); }}>Add</button>
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
    </section>
  );
}
