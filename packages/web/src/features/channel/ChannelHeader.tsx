import type { ChannelView } from '@chorus/sdk';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';
import { useChannel } from '../../app/workspace/hooks.js';
import { KnowledgeButtons } from '../docs/KnowledgeButtons.js';

export function ChannelHeader({ channel, label }: { channel: ChannelView; label: string }) {
  const store = useStore();
  const members = Object.keys(useChannel(channel.id)?.members ?? {}).length;
  const direct = channel.kind === 'dm' || channel.kind === 'group_dm';
  const leave = async () => {
    if (!window.confirm(`Leave ${label}?`)) return;
    await store.rest.leave(channel.id);
    navigate(paths.org(channel.org_id));
  };
  return (
    <header className="channel-header">
      <div>
        <h1>{label}{channel.kind === 'private' && <span className="muted"> (private)</span>}</h1>
        {channel.topic && <p className="topic">{channel.topic}</p>}
      </div>
      <div className="channel-header-tools">
        <KnowledgeButtons channel={channel} />
        {!direct && <span className="muted">{members} {members === 1 ? "member" : "members"}</span>}
        <button type="button" onClick={() => { navigate(paths.channelSettings(channel.org_id, channel.id)); }} aria-label={`Settings of ${label}`}>Settings</button>
        {!direct && <button type="button" onClick={() => { void leave(); }}>Leave</button>}
      </div>
    </header>
  );
}
