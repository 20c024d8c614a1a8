import { useEffect, useMemo, useState } from 'react';
import { useStore } from '../../app/workspace/provider.js';
import { useThread, useWorkspaceSelector } from '../../app/workspace/hooks.js';
import { MessageItem } from '../messages/MessageItem.js';
import { MessageListCtx, type MessageListContext } from '../messages/MessageContext.js';
import type { MarkdownEnv } from '../messages/markdown.js';
import { Composer } from '../composer/Composer.js';
import { errorMessage } from '../../components/errors.js';
import { messageListHint, onMessageListKey } from '../messages/keyboard.js';
import { withoutCollapsedSteps } from '../agents/Reasoning.js';

/** The thread pane: the root, every reply (live), and a composer that replies in the thread. */
export function ThreadPanel({ rootId, channelId }: { rootId: string; channelId: string | null }) {
  if (!channelId) return <p className="empty-state">Open the thread's channel first.</p>;
  return <Thread rootId={rootId} channelId={channelId} />;
}

function Thread({ rootId, channelId }: { rootId: string; channelId: string }) {
  const store = useStore();
  const { root, replies: all } = useThread(channelId, rootId);
  // An agent's reasoning steps show collapsed under its reply (the reasoning footer), not as rows too.
  const replies = useMemo(() => withoutCollapsedSteps(all), [all]);
  const me = useWorkspaceSelector((v) => v.me);
  const members = useWorkspaceSelector((v) => v.members);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const held = useWorkspaceSelector((v) => v.ws.channels[channelId] !== undefined);
  useEffect(() => {
    if (held) store.loadThread(channelId, rootId).catch((e: unknown) => { setError(errorMessage(e)); });
  }, [store, channelId, rootId, held]);
  const markdown = useMemo<MarkdownEnv>(() => ({ handles: new Set(Object.values(members).map((m) => m.handle.toLowerCase())), me: me?.handle ?? null }), [members, me]);
  const list = useMemo<MessageListContext>(() => ({ me, members, markdown, editingId, setEditingId, inThread: true }), [me, members, markdown, editingId]);
  if (error) return <p className="form-error" role="alert">{error}</p>;
  if (!root) return <p className="empty-state" role="status">Loading the thread…</p>;
  const myLast = [...replies].reverse().find((m) => m.author.id === me?.id && m.deleted_at === null);
  return (
    <MessageListCtx.Provider value={list}>
      <div className="thread">
        <div className="thread-messages" role="log" aria-label="Thread replies" aria-describedby="thread-list-hint" tabIndex={0} onKeyDown={onMessageListKey}>
          <MessageItem message={root} compact={false} />
          <div className="thread-count">{all.length} {all.length === 1 ? 'reply' : 'replies'}</div>
          {replies.map((m) => <MessageItem key={m.id} message={m} compact={false} />)}
        </div>
        <p id="thread-list-hint" className="visually-hidden">{messageListHint}</p>
        <Composer channelId={channelId} threadRootId={rootId} placeholder="Reply in thread" autoFocus="always" onEditLast={myLast ? () => { setEditingId(myLast.id); } : undefined} />
      </div>
    </MessageListCtx.Provider>
  );
}
