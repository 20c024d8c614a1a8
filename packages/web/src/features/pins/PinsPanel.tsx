import { useCallback, useEffect, useState } from 'react';
import type { PinEntry } from '@chorus/sdk';
import { useStore } from '../../app/workspace/provider.js';
import { useChannelEvents } from '../../app/workspace/events.js';
import { useMembers } from '../../app/workspace/hooks.js';
import { errorMessage } from '../../components/errors.js';
import { jumpToMessage } from '../agents/jump.js';
import { Attachments } from '../files/index.js';
import '../docs/knowledge.css';

/** The channel's pins, most recent first, live: another person's pin or unpin shows at once. */
export function PinsPanel({ channelId }: { channelId: string }) {
  const store = useStore();
  const members = useMembers();
  const [pins, setPins] = useState<PinEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    store.rest.pins(channelId, { limit: 100 }).then(({ pins: p }) => { setPins(p); setError(null); }, (e: unknown) => { setError(errorMessage(e)); });
  }, [store, channelId]);
  useEffect(load, [load]);
  useChannelEvents(channelId, ['pin.added', 'pin.removed', 'message.edited', 'message.deleted'], load);
  const unpin = (messageId: string) => {
    store.rest.unpin(messageId).catch((e: unknown) => { setError(errorMessage(e)); });
  };
  if (error && !pins) return <p className="form-error" role="alert">{error}</p>;
  if (!pins) return <p className="empty-state" role="status">Loading pins…</p>;
  return (
    <div className="knowledge-list">
      {error && <p className="form-error" role="alert">{error}</p>}
      {pins.length === 0 && <p className="empty-state">Nothing is pinned here yet. Pin a message from its actions menu (📌).</p>}
      <ul className="pin-list" aria-label="Pinned messages">
        {pins.map(({ pin, message }) => (
          <li key={pin.message_id} className="pin-item">
            <div className="pin-meta muted">
              {message.author.display_name} · pinned by {members[pin.pinned_by]?.display_name ?? 'someone'}
            </div>
            <p className="pin-body">{message.deleted_at ? 'This message was deleted.' : message.body}</p>
            <Attachments message={message} />
            {pin.note && <p className="pin-note">{pin.note}</p>}
            <div className="row-actions">
              <button type="button" onClick={() => { jumpToMessage(store, message.id).catch((e: unknown) => { setError(errorMessage(e)); }); }}>Jump to message</button>
              <button type="button" onClick={() => { unpin(message.id); }}>Unpin</button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}
