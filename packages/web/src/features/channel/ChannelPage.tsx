import { useCallback, useEffect, useMemo, useState } from 'react';
import { useStore } from '../../app/workspace/provider.js';
import { channelLabel, useChannel, useTimeline, useWorkspaceSelector } from '../../app/workspace/hooks.js';
import type { MarkdownEnv } from '../messages/markdown.js';
import { MessageListCtx, type MessageListContext } from '../messages/MessageContext.js';
import { Composer } from '../composer/Composer.js';
import { MessageList } from './MessageList.js';
import { TypingIndicator } from './TypingIndicator.js';
import { ChannelHeader } from './ChannelHeader.js';
import { DropOverlay, useFileDrop, usePendingFiles } from '../files/index.js';

/** A channel: header, history, who is typing, composer. Opening it loads the latest page and reads it. */
export function ChannelPage({ channelId }: { channelId: string }) {
  const store = useStore();
  const channel = useChannel(channelId);
  const messages = useTimeline(channelId);
  const historyWindow = useWorkspaceSelector((v) => v.windows[channelId]);
  const me = useWorkspaceSelector((v) => v.me);
  const members = useWorkspaceSelector((v) => v.members);
  const ready = useWorkspaceSelector((v) => v.ready);
  // The divider stays where the reader left off when they opened the channel.
  const [lastReadSeq] = useState(() => store.getSnapshot().entries[channelId]?.lastReadSeq ?? null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const held = channel !== undefined;
  // Files dropped anywhere on the page wait in the composer, as if dropped on it.
  const files = usePendingFiles(channelId);
  const drop = useFileDrop(files);

  useEffect(() => {
    store.activeChannelId = channelId;
    return () => { if (store.activeChannelId === channelId) store.activeChannelId = null; };
  }, [store, channelId]);
  useEffect(() => {
    if (held) void store.openChannel(channelId);
  }, [store, channelId, held, historyWindow?.status]);
  const latestSeq = channel?.channel.last_seq ?? 0;
  useEffect(() => {
    if (historyWindow?.status === 'ready' && document.visibilityState === 'visible') store.markRead(channelId);
  }, [store, channelId, historyWindow?.status, latestSeq]);

  const markdown = useMemo<MarkdownEnv>(() => ({ handles: new Set(Object.values(members).map((m) => m.handle.toLowerCase())), me: me?.handle ?? null }), [members, me]);
  const list = useMemo<MessageListContext>(() => ({ me, members, markdown, editingId, setEditingId, inThread: false }), [me, members, markdown, editingId]);
  const loadOlder = useCallback(() => { void store.loadOlder(channelId); }, [store, channelId]);
  const onFirstPaint = useCallback(() => { performance.mark(`chorus:painted:${channelId}`); }, [channelId]);

  if (!channel) return <div className="empty-state">{ready ? 'This channel is not in your list. Browse channels to join it.' : 'Loading…'}</div>;
  const label = channelLabel(channel.channel, members, me?.id);
  const loaded = historyWindow?.status === 'ready';
  const myLast = [...messages].reverse().find((m) => m.author.id === me?.id && m.deleted_at === null && m.kind === 'chat');
  return (
    <MessageListCtx.Provider value={list}>
      <section className="channel drop-target" aria-label={label} {...(channel.channel.archived_at === null ? drop.props : {})}>
        {drop.dragging && <DropOverlay>Drop to attach to {label}</DropOverlay>}
        <ChannelHeader channel={channel.channel} label={label} />
        {loaded ? (
          <MessageList
            label={`Messages in ${label}`}
            messages={messages}
            lastReadSeq={lastReadSeq}
            me={me?.id ?? null}
            hasMoreBefore={historyWindow.hasMoreBefore}
            loadingOlder={historyWindow.loadingOlder}
            onLoadOlder={loadOlder}
            onFirstPaint={onFirstPaint}
          />
        ) : <div className="message-list-wrap"><p className="empty-state" role="status">{historyWindow?.status === 'error' ? 'Could not load the messages.' : 'Loading messages…'}</p></div>}
        <TypingIndicator channelId={channelId} />
        {channel.channel.archived_at === null && (
          <Composer channelId={channelId} placeholder={`Message ${label}`} files={files} autoFocus="if-idle" onEditLast={myLast ? () => { setEditingId(myLast.id); } : undefined} />
        )}
      </section>
    </MessageListCtx.Provider>
  );
}
