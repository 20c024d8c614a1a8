import { useEffect, useState } from 'react';
import type { ChannelView } from '@chorus/sdk';
import { Dialog } from '../../components/Dialog.js';
import { errorMessage } from '../../components/errors.js';
import { navigate } from '../../app/router.js';
import { paths } from '../../app/routes.js';
import { useStore } from '../../app/workspace/provider.js';

/** The org's public channels: join one, or open one you are in. */
export function BrowseChannelsDialog({ onClose }: { onClose: () => void }) {
  const store = useStore();
  const orgId = store.getSnapshot().orgId;
  const [list, setList] = useState<{ channel: ChannelView; member_count: number; is_member: boolean }[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    store.rest.browseChannels(orgId).then(({ channels }) => { setList(channels); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, orgId]);
  const join = async (channel: ChannelView) => {
    try {
      await store.rest.join(channel.id);
      onClose();
      navigate(paths.channel(orgId, channel.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <Dialog title="Browse channels" onClose={onClose}>
      {error && <p className="form-error" role="alert">{error}</p>}
      {!list ? <p>Loading…</p> : list.length === 0 ? <p className="muted">No public channels to join.</p> : (
        <ul className="browse-list">
          {list.map(({ channel, member_count, is_member }) => (
            <li key={channel.id}>
              <span><strong>#{channel.name}</strong> <span className="muted">{member_count} members{channel.topic ? ` · ${channel.topic}` : ''}</span></span>
              {is_member
                ? <button type="button" onClick={() => { onClose(); navigate(paths.channel(orgId, channel.id)); }}>Open</button>
                : <button type="button" className="primary" onClick={() => { void join(channel); }}>Join</button>}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
