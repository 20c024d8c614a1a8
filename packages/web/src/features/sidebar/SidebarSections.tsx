import { useMemo, useState } from 'react';
import type { ChannelView, MemberView } from '@chorus/sdk';
import { Link, useLocation } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';
import { channelLabel, useWorkspace } from '../../app/workspace/hooks.js';
import { AgentBadge } from '../../components/AgentBadge.js';
import { PresenceDot } from '../../components/PresenceDot.js';
import { CreateChannelDialog } from './CreateChannelDialog.js';
import { BrowseChannelsDialog } from './BrowseChannelsDialog.js';
import { useMuted } from '../notifications/prefs.js';
import { NewMessageDialog } from '../direct/NewMessageDialog.js';
import { openDirectMessage } from '../direct/open.js';

function useSidebarChannels(direct: boolean): ChannelView[] {
  const view = useWorkspace();
  return useMemo(() => {
    const list = Object.values(view.ws.channels)
      .map((c) => c.channel)
      .filter((c) => c.archived_at === null && (c.kind === 'dm' || c.kind === 'group_dm') === direct);
    return list.sort((a, b) => channelLabel(a, view.members, view.me?.id).localeCompare(channelLabel(b, view.members, view.me?.id)));
  }, [view.ws.channels, view.members, view.me, direct]);
}

function ChannelLink({ channel, label, prefix }: { channel: ChannelView; label: string; prefix?: React.ReactNode }) {
  const { orgId, entries } = useWorkspace();
  const { path } = useLocation();
  const to = paths.channel(orgId, channel.id);
  const entry = entries[channel.id];
  // A muted channel shows a badge for mentions only (features/notifications).
  const muted = useMuted(channel.id);
  const unread = muted ? 0 : entry?.unread ?? 0;
  const mentions = entry?.mentions ?? 0;
  // Every message of a direct conversation is addressed to you: its unread count wears the mention badge.
  const direct = channel.kind === 'dm' || channel.kind === 'group_dm';
  const badge = mentions > 0 ? mentions : unread;
  const current = path === to;
  const described = [unread ? `${unread} unread` : '', mentions ? `${mentions} mentions` : ''].filter(Boolean).join(', ');
  return (
    <li>
      <Link to={to} className={`sidebar-item${unread ? ' unread' : ''}${current ? ' current' : ''}`} aria-current={current ? 'page' : undefined} aria-label={described ? `${label}, ${described}` : label}>
        {prefix}
        <span className="sidebar-label">{label}</span>
        {badge > 0 && <span className={`badge${mentions > 0 || direct ? ' badge-mention' : ''}`} aria-hidden="true">{badge}</span>}
      </Link>
    </li>
  );
}

export function ChannelsSection() {
  const channels = useSidebarChannels(false);
  const [dialog, setDialog] = useState<'create' | 'browse' | null>(null);
  return (
    <section aria-labelledby="sidebar-channels">
      <div className="sidebar-heading">
        <h2 id="sidebar-channels">Channels</h2>
        <button type="button" className="icon-button" aria-label="Browse channels" onClick={() => { setDialog('browse'); }}>☰</button>
        <button type="button" className="icon-button" aria-label="Create a channel" onClick={() => { setDialog('create'); }}>+</button>
      </div>
      <ul className="sidebar-list">
        {channels.map((c) => <ChannelLink key={c.id} channel={c} label={c.name ?? ''} prefix={<span aria-hidden="true" className="sidebar-prefix">{c.kind === 'private' ? '🔒' : '#'}</span>} />)}
      </ul>
      {dialog === 'create' && <CreateChannelDialog onClose={() => { setDialog(null); }} />}
      {dialog === 'browse' && <BrowseChannelsDialog onClose={() => { setDialog(null); }} />}
    </section>
  );
}

export function DirectSection() {
  const channels = useSidebarChannels(true);
  const { members, me } = useWorkspace();
  const [composing, setComposing] = useState(false);
  return (
    <section aria-labelledby="sidebar-direct">
      <div className="sidebar-heading">
        <h2 id="sidebar-direct">Direct messages</h2>
        <button type="button" className="icon-button" aria-label="New message" title="New message" onClick={() => { setComposing(true); }}>+</button>
      </div>
      <ul className="sidebar-list">
        {channels.map((c) => {
          const other = (c.dm_members ?? []).find((id) => id !== me?.id);
          return <ChannelLink key={c.id} channel={c} label={channelLabel(c, members, me?.id)} prefix={other ? <PresenceDot memberId={other} /> : undefined} />;
        })}
      </ul>
      {composing && <NewMessageDialog onClose={() => { setComposing(false); }} />}
    </section>
  );
}

/** The org's agents; choosing one opens (or creates) the DM with it. */
export function AgentsSection() {
  const { members } = useWorkspace();
  const store = useStore();
  const agents = useMemo(() => Object.values(members).filter((m) => m.kind === 'agent' && m.status === 'active').sort((a, b) => a.display_name.localeCompare(b.display_name)), [members]);
  if (agents.length === 0) return null;
  const open = (agent: MemberView) => openDirectMessage(store, [agent.id]);
  return (
    <section aria-labelledby="sidebar-agents">
      <div className="sidebar-heading"><h2 id="sidebar-agents">Agents</h2></div>
      <ul className="sidebar-list">
        {agents.map((a) => (
          <li key={a.id}>
            <button type="button" className="sidebar-item" onClick={() => { void open(a); }}>
              <PresenceDot memberId={a.id} />
              <span className="sidebar-label">{a.display_name}</span>
              <AgentBadge />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
